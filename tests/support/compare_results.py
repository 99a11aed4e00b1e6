"""Compare two ricci-sweep results files: everything but timings and placement must be identical.

  /usr/bin/python3 tests/support/compare_results.py A.h5 B.h5      (exit 1 and the differing datasets)
"""
import sys

import h5py
import numpy as np

# Timing, placement and the writing session differ between executions (a resumed file has runs of
# several sessions); everything else must not. /runs/checksum covers
# the timings and the rank too (results_schema/README.md), so it differs with them; the run data it
# checks are compared here directly, and /runs/data_checksum must be identical.
VOLATILE = {"train_seconds", "geometry_seconds", "rank", "checksum", "session",
            # schema 6: where, when and in how many attempts a run ran
            "host", "slurm_job_id", "slurm_restart_count", "started_at", "ended_at", "attempts"}


def contents(path):
    with h5py.File(path, "r") as f:
        out = {}
        # /notions, /local and /snapshots: schema 5 (absent from older files).
        for group in ("runs", "flow", "history", "notions", "local", "snapshots"):
            for key in f.get(group, {}):
                if key not in VOLATILE:
                    out[f"{group}/{key}"] = f[group][key][()]
        for run in f.get("run_data", {}):
            for key in f["run_data"][run]:
                out[f"run_data/{run}/{key}"] = f["run_data"][run][key][()]
        return out


def differences(a, b):
    """Names of datasets that are missing from one side or differ (NaN equals NaN)."""
    bad = sorted(a.keys() ^ b.keys())
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        equal = x.shape == y.shape and (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y))
        if not equal:
            bad.append(key)
    return bad


if __name__ == "__main__":
    bad = differences(contents(sys.argv[1]), contents(sys.argv[2]))
    print("differences:", ", ".join(bad) if bad else "none")
    sys.exit(1 if bad else 0)
