"""Where the tools find `ricci-query`: the path given, else the build tree, else PATH. Shared by the
scripts of tools/ (imported as a sibling module: Python puts a script's folder first on sys.path)."""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def find_query(given, tool):
    """The ricci-query to run; exits naming `tool` when there is none."""
    candidates = [given] if given else []
    candidates += [os.path.join(HERE, "..", "build", d, "apps", "ricci-query") for d in ("release", "dev")]
    candidates += [shutil.which("ricci-query")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    sys.exit(f"{tool}: cannot find ricci-query (build it, or pass --query PATH)")
