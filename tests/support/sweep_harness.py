"""What the Python sweep tests share: the environment mpirun runs under here (root allowed,
oversubscription for more ranks than cores, no HDF5 file locking between a test and the files it
inspects), the failure list every check appends to, printed as it happens, and fresh output paths."""
import os

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", HDF5_USE_FILE_LOCKING="FALSE")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message, flush=True)


def fresh_path(work, name):
    """WORK/NAME with no results file and no lock file left there by an earlier run of the test."""
    path = os.path.join(work, name)
    for p in (path, path + ".lock"):
        if os.path.exists(p):
            os.remove(p)
    return path
