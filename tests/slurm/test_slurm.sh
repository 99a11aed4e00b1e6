#!/usr/bin/env bash
# slurm/sweep.sbatch against a real single-node SLURM (munge + slurmctld + slurmd, no systemd):
#   1. a small job through `sbatch --wait`, output validated;
#   2. a longer job cancelled mid-run with scancel, resubmitted, and compared with an uninterrupted one;
#   3. the small job as a 2-task array (slurm/sweep-array.sbatch) and a merge job depending on it
#      (slurm/merge-shards.sbatch), compared with the one-job sweep of step 1;
#   4. the small job hybrid (-n 1 -c 2: threads_per_rank 2), compared with the one-job sweep of step 1.
# Exits 77 (ctest: Skipped) with the reason when SLURM is not installed or cannot start here.
#   tests/slurm/test_slurm.sh RICCI_SWEEP WORKDIR
set -uo pipefail
sweep=$(readlink -f "$1")
work=$(mkdir -p "$2" && readlink -f "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

for tool in slurmctld slurmd sbatch munged mungekey; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (Debian: slurmctld slurmd slurm-client munge)"
done
[ "$(id -u)" -eq 0 ] || skip "starting slurmd and munged needs root"

started=()
cleanup() {
  for pidfile in "${started[@]}"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
  done
  sleep 1
  for pidfile in "${started[@]}"; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
}
trap cleanup EXIT

# munge: reuse a running daemon, else start one.
if ! pgrep -x munged >/dev/null; then
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key || skip "cannot create a munge key"
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged || skip "munged does not start"
  started+=(/run/munge/munged.pid)
fi

host=$(hostname -s)
state="$work/state"
rm -rf "$state" && mkdir -p "$state/ctld" "$state/d" "$state/log"
memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
cat > "$state/slurm.conf" <<CONF
ClusterName=ricci-test
SlurmctldHost=$host
SlurmctldPort=16917
SlurmdPort=16918
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
MailProg=/bin/true
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=10
NodeName=$host CPUs=$(nproc) RealMemory=$((memory * 9 / 10)) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"
slurmctld -f "$SLURM_CONF" || skip "slurmctld does not start (see $state/log/slurmctld.log)"
started+=("$state/slurmctld.pid")
slurmd -f "$SLURM_CONF" || skip "slurmd does not start (see $state/log/slurmd.log)"
started+=("$state/slurmd.pid")
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2>/dev/null | head -1)" = idle ] && break
  sleep 1
done
[ "$(sinfo -h -o %T | head -1)" = idle ] || skip "the SLURM node never became idle: $(sinfo -h -o '%T %E' 2>&1)"
echo "SLURM up: $(sinfo -h -o '%P %D %T %c CPUs')"

export RICCI_SWEEP="$sweep" RICCI_CONTINUE=none
tasks=(-n 3 --overcommit)   # rank 0 dispatches; 2 workers on 2 CPUs

cat > "$work/small.ini" <<JOB
[sweep]
problems = synthetic-a
architectures = narrow
depths = 5
seeds = 0-3
[train]
epochs = 3
[geometry]
k = 10,20
JOB
cp "$repo/tests/support/long_job.ini" "$work/long.ini"

validate() {  # FILE EXPECT_ALL_DONE
  /usr/bin/python3 - "$@" <<'PY'
import sys, h5py
path, all_done = sys.argv[1], sys.argv[2] == "1"
with h5py.File(path, "r") as f:
    status = f["runs/status"][()]
print(f"{path}: {int((status == 1).sum())} done, {int((status == 0).sum())} pending of {len(status)}")
sys.exit(0 if (not all_done or (status == 1).all()) else 1)
PY
}

cd "$work" || exit 1
rm -f small.h5 ref.h5 cut.h5 small-shard-*.h5 small-merged.h5 small-hybrid.h5 ./*.lock
echo "== 1. small job through sbatch --wait"
sbatch --wait "${tasks[@]}" -o small.out "$repo/slurm/sweep.sbatch" small.ini small.h5 || { cat small.out; fail "sbatch --wait returned $?"; }
validate small.h5 1 || fail "small job: not every run is done"
h5dump -H small.h5 >/dev/null || fail "h5dump cannot read small.h5"

echo "== 1b. the small job as a 2-task array, merged by a job that depends on it"
array=$(sbatch --parsable --array=1-2 "${tasks[@]}" -o 'array-%a.out' "$repo/slurm/sweep-array.sbatch" small.ini small) \
  || fail "sbatch --array failed"
RICCI_QUERY="$(dirname "$sweep")/ricci-query" sbatch --wait --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  -o merge.out "$repo/slurm/merge-shards.sbatch" small 2 small-merged.h5 || { cat array-*.out merge.out; fail "the merge job failed"; }
cat merge.out
grep -q "merged 2 of 2 shards" merge.out || fail "the merge job did not merge both shards"
validate small-merged.h5 1 || fail "merged array: not every run is done"
/usr/bin/python3 "$repo/tests/support/compare_results.py" small.h5 small-merged.h5 || fail "the merged array differs from the one-job sweep"

echo "== 1c. the small job hybrid: one task of 2 CPUs (-c 2), so 2 geometry threads per rank"
sbatch --wait -n 1 -c 2 -o hybrid.out "$repo/slurm/sweep.sbatch" small.ini small-hybrid.h5 \
  || { cat hybrid.out; fail "the hybrid job failed"; }
validate small-hybrid.h5 1 || fail "hybrid job: not every run is done"
/usr/bin/python3 "$repo/tests/support/compare_results.py" small.h5 small-hybrid.h5 || fail "the hybrid job differs from the one-job sweep"
/usr/bin/python3 - small-hybrid.h5 <<'PY' || fail "the hybrid job did not run 2 threads per rank"
import json, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    job, sessions = f.attrs["job"], json.loads(f.attrs["sessions"])
job = job.decode() if isinstance(job, bytes) else job
print("threads_per_rank per session:", [s["threads_per_rank"] for s in sessions])
sys.exit(0 if "threads_per_rank = 2\n" in job and sessions[-1]["threads_per_rank"] == 2 else 1)
PY

echo "== 2. uninterrupted reference of the longer job"
sbatch --wait "${tasks[@]}" -o ref.out "$repo/slurm/sweep.sbatch" long.ini ref.h5 || { cat ref.out; fail "reference job failed"; }
validate ref.h5 1 || fail "reference: not every run is done"

echo "== 3. the same job cancelled mid-run, then resubmitted"
job=$(sbatch --parsable "${tasks[@]}" -o cut.out "$repo/slurm/sweep.sbatch" long.ini cut.h5) || fail "sbatch failed"
for _ in $(seq 300); do
  done_runs=$(HDF5_USE_FILE_LOCKING=FALSE /usr/bin/python3 -c "import h5py; print(int((h5py.File('cut.h5','r')['runs/status'][()] == 1).sum()))" 2>/dev/null || echo 0)
  [ "$done_runs" -ge 3 ] && break
  sleep 0.2
done
scancel "$job"
for _ in $(seq 120); do
  squeue -h -j "$job" 2>/dev/null | grep -q . || break
  sleep 0.5
done
squeue -h -j "$job" 2>/dev/null | grep -q . && fail "job $job did not end after scancel"
h5dump -H cut.h5 >/dev/null || fail "h5dump cannot read cut.h5 after scancel"
validate cut.h5 0
/usr/bin/python3 -c "import h5py,sys; s=h5py.File('cut.h5','r')['runs/status'][()]; sys.exit(0 if (s == 0).any() else 1)" \
  || echo "note: the cancelled job had already finished every run"
sbatch --wait "${tasks[@]}" -o resumed.out "$repo/slurm/sweep.sbatch" long.ini cut.h5 || { cat resumed.out; fail "resubmitted job failed"; }
grep -q "resumed" resumed.out || fail "the resubmitted job did not resume the file"
validate cut.h5 1 || fail "resumed: not every run is done"
/usr/bin/python3 "$repo/tests/support/compare_results.py" ref.h5 cut.h5 || fail "the resumed file differs from the uninterrupted one"
echo "SLURM test passed"
