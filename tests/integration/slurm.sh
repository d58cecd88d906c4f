#!/bin/sh
# A real single-node Slurm cluster, started here: munged, slurmctld -D and
# slurmd -D on a generated slurm.conf in a temp folder (no systemd, no
# cgroups: proctrack/linuxproc, task/none).  A 4-task job array runs
# `vleval run --shard I/4`, a job depending on it (afterok) runs `vleval
# merge`, and the merged run must score exactly like an unsharded run.
# The daemons are stopped by PID.  Skips, saying so, only when the Slurm
# packages are not installed (make test-deps installs them).
. "$(dirname "$0")/helpers.shlib"
for p in munged slurmctld slurmd sbatch sinfo squeue; do
	if ! command -v $p >/dev/null 2>&1 && [ ! -x /usr/sbin/$p ]; then
		echo "skip: '$p' not found: the Slurm test needs the Debian packages slurmctld slurmd slurm-client munge (make test-deps)"
		exit 0
	fi
done
PATH=$PATH:/usr/sbin
case $V in /*) ;; *) V=$(pwd)/$V ;; esac
S="$T/slurm"
mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge" "$T/data/pope" "$T/out"
chmod 700 "$S/munge"
PIDS=""
stop() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	for pid in $PIDS; do
		i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap stop EXIT
trap 'exit 1' INT TERM

# munge: its own key, socket, pid, log and seed files
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$S/munge/munge.key"
munged --foreground --force --key-file="$S/munge/munge.key" --socket="$S/munge/munge.sock" \
	--pid-file="$S/munge/munged.pid" --log-file="$S/log/munged.log" \
	--seed-file="$S/munge/munged.seed" >"$S/log/munged.out" 2>&1 &
PIDS="$PIDS $!"

# two free TCP ports on the loopback
set -- $(python3 -c "
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(('127.0.0.1', 0))
print(' '.join(str(x.getsockname()[1]) for x in s))")
CTLD_PORT=$1 SLURMD_PORT=$2
HOST=$(hostname -s)
cat > "$S/slurm.conf" <<CONF
ClusterName=vleval-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.sock
CryptoType=crypto/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
MinJobAge=300
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$S/slurm.conf"
i=0; while [ ! -S "$S/munge/munge.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$S/munge/munge.sock" ] || { cat "$S/log/munged.out" "$S/log/munged.log" 2>/dev/null; fail "munged did not start"; finish; }
slurmctld -D -c -f "$SLURM_CONF" >"$S/log/slurmctld.out" 2>&1 &
PIDS="$PIDS $!"
slurmd -D -f "$SLURM_CONF" -N "$HOST" >"$S/log/slurmd.out" 2>&1 &
PIDS="$PIDS $!"
state=""
i=0; while [ $i -lt 300 ]; do
	state=$(sinfo -h -o %T 2>/dev/null)
	[ "$state" = idle ] && break
	sleep 0.1; i=$((i + 1))
done
if [ "$state" != idle ]; then
	tail -20 "$S/log/slurmctld.log" "$S/log/slurmd.log" "$S/log/slurmctld.out" "$S/log/slurmd.out" 2>/dev/null
	fail "the node is not idle after 30 s (state '$state')"
	finish
fi

# the task: POPE questions, the seeded random baseline (a function of the
# seed and the sample id: sharding cannot change an answer)
make_pope "$T/data/pope/coco_pope_random.json" 400
export VLEVAL_DATA="$T/data"
RUN="$V run --task pope_coco_random --backend random --set seed=7 --resamples 300 --quiet"
cat > "$T/shard.sh" <<JOB
#!/bin/sh
exec $RUN --shard \$SLURM_ARRAY_TASK_ID/4 --db "$T/out/shard-\$SLURM_ARRAY_TASK_ID.db"
JOB
cat > "$T/merge.sh" <<JOB
#!/bin/sh
$V merge "$T/out/merged.db" "$T/out"/shard-*.db && touch "$T/out/merged.ok"
JOB
jid=$(sbatch --parsable --array=0-3 --job-name=vleval-shard --output="$T/out/shard-%a.log" \
	--chdir="$T" "$T/shard.sh") || fail "sbatch of the array failed"
mid=$(sbatch --parsable --dependency=afterok:$jid --kill-on-invalid-dep=yes --job-name=vleval-merge \
	--output="$T/out/merge.log" --chdir="$T" "$T/merge.sh") || fail "sbatch of the merge failed"
i=0; while [ $i -lt 400 ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(squeue -h -o %i 2>/dev/null)" ] || { squeue; fail "jobs still queued after 40 s"; }
check "4 shard logs" [ "$(ls "$T/out"/shard-*.db 2>/dev/null | wc -l)" = 4 ]
check "each shard ran as its own array task" [ "$(sq "$T/out/shard-2.db" "select config from runs" | grep -c '"shard":"2/4"')" = 1 ]
check "the merge job ran after the array" [ -f "$T/out/merged.ok" ]
[ -f "$T/out/merged.ok" ] || cat "$T/out"/*.log >&2

$RUN --db "$T/full.db" >/dev/null
same() {
	a=$(sq "$T/full.db" "$2"); b=$(sq "$T/out/merged.db" "$2" 2>/dev/null)
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "$1 differs between the unsharded run and the merged Slurm run"
}
same "metrics and intervals" "select metric, name, subset, value, ci_low, ci_high, n from metrics order by 1, 2, 3"
same "per-sample rows" "select sample_id, idx, output, extracted, parse_ok, score from samples order by idx"
same "config" "select config, config_hash, n_samples, n_done, status from runs"
finish
