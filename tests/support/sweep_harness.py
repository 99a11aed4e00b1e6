"""What the Python sweep tests share: the environment mpirun runs under here (root allowed,
oversubscription for more ranks than cores, no HDF5 file locking between a test and the files it
inspects) and the failure list every check appends to, printed as it happens."""
import os

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", HDF5_USE_FILE_LOCKING="FALSE")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message, flush=True)
