#!/usr/bin/env python3
"""Checks the include graph against the layering, file by file.

Every #include "ricci/<layer>/..." in include/ricci/<L>/ and src/<L>/ must name a layer that L may
see. This also covers headers that no target compiles on its own. An include that climbs out of its
folder ("../") is rejected too, because it would bypass the per-layer include roots. Prints
file:line for each violation and exits 1 if there is one.

The layer table lives in cmake/RicciLayers.cmake; ctest (test build.include_graph) passes it on:
  check_layers.py SOURCE_DIR core=core data=core,data nn=core,data,nn ...
With --self-test instead of SOURCE_DIR it checks itself on a small tree with two planted violations.
"""
import re
import sys
import tempfile
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SUFFIXES = {".hpp", ".h", ".cpp", ".cc", ".in", ".ipp", ".tpp"}


def check(root, sees):
    """Returns the violations under root (a source tree) and prints a one-line summary."""
    violations = []
    files = includes = 0
    folders = [("include/ricci", p) for p in sorted((root / "include/ricci").iterdir())]
    folders += [("src", p) for p in sorted((root / "src").iterdir())]
    for base, folder in folders:
        if not folder.is_dir():
            continue
        layer = folder.name
        if layer not in sees:
            violations.append(f"{base}/{layer}/: a folder that is not a layer in cmake/RicciLayers.cmake")
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            files += 1
            rel = path.relative_to(root)
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(2)
                parts = target.split("/")
                if ".." in parts:
                    close = ">" if match.group(1) == "<" else '"'
                    violations.append(f"{rel}:{number}: #include {match.group(1)}{target}{close} climbs out "
                                      f"of its folder; name the header as ricci/<layer>/...")
                    continue
                if parts[0] != "ricci" or len(parts) < 3:
                    continue
                includes += 1
                to = parts[1]
                if to not in sees:
                    violations.append(f"{rel}:{number}: includes ricci/{to}/, which is not a layer")
                elif to not in sees[layer]:
                    allowed = ", ".join(sees[layer])
                    violations.append(f"{rel}:{number}: {layer} includes {target}; {layer} may include "
                                      f"only {allowed}")
    for v in violations:
        print(v)
    print(f"check_layers: {root}: {files} files, {includes} ricci/ includes, {len(violations)} violations")
    return violations


def self_test(sees):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in {
            "include/ricci/geometry/fine.hpp": '#pragma once\n#include "ricci/core/types.hpp"\n',
            "include/ricci/geometry/upward.hpp": '#pragma once\n#include "ricci/io/results_file.hpp"\n',
            "src/geometry/climbs.cpp": '#include "../../include/ricci/io/results_file.hpp"\n',
            "src/io/fine.cpp": '#include "ricci/geometry/knn.hpp"\n#include "h5.hpp"\n',
        }.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        found = check(root, sees)
    expected = ["include/ricci/geometry/upward.hpp:2: geometry includes ricci/io/results_file.hpp",
                "src/geometry/climbs.cpp:1: #include \"../../include/ricci/io/results_file.hpp\" climbs out"]
    ok = len(found) == len(expected) and all(f.startswith(e) for f, e in zip(found, expected))
    print("self-test:", "both planted violations found, nothing else" if ok else "FAILED")
    return ok


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sees = {}
    for arg in argv[2:]:
        layer, _, seen = arg.partition("=")
        sees[layer] = [s for s in seen.split(",") if s]
    if argv[1] == "--self-test":
        return 0 if self_test(sees) else 1
    return 1 if check(Path(argv[1]), sees) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
