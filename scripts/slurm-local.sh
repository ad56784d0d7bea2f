#!/usr/bin/env bash
# A single-node Slurm cluster (this host is controller and compute node) with all its state in one
# directory, for tests and for trying `executor.kind: slurm` on one machine.
# usage: scripts/slurm-local.sh start|stop|status|env DIR
#   start   writes DIR/munge.key, DIR/slurm.conf, starts munged, slurmctld and slurmd (as the
#           caller: root or not), waits until sinfo says the node is idle (at most 60 s)
#   stop    kills exactly the daemons `start` recorded in DIR/*.pid, and waits until they are gone
#   status  sinfo and squeue of the cluster; exit 0 when the controller answers
#   env     prints `export SLURM_CONF=...`: eval "$(scripts/slurm-local.sh env DIR)" points the
#           Slurm commands (sbatch, squeue, sacct, scancel) and placebisect at this cluster
# Nothing is installed here: scripts/install-deps.sh --with-slurm installs slurm-wlm and munge.
# Ports: SlurmctldPort and SlurmdPort are PB_SLURM_PORT and PB_SLURM_PORT+1 (default: chosen from
# DIR's name so that two clusters in two directories do not collide).
# Accounting: Debian 12's Slurm 22.05 has no sacct without slurmdbd (and slurmdbd needs a MySQL
# server), so this cluster has AccountingStorageType=accounting_storage/none, and every finished
# job is one line of DIR/jobcomp.txt (JobCompType=jobcomp/filetxt); placebisect falls back from
# sacct to `scontrol show job` / squeue. Exit codes: 0 ok, 2 usage, 3 a daemon would not start.
set -euo pipefail

die() { echo "slurm-local: $*" >&2; exit "${2:-3}"; }
[ $# -eq 2 ] || die "usage: scripts/slurm-local.sh start|stop|status|env DIR" 2
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

# The pid in DIR/NAME.pid if that process is alive and is NAME (a reused pid is not ours).
live_pid() {
	local f=$dir/$1.pid pid
	[ -s "$f" ] || return 1
	pid=$(cat "$f")
	[ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
}

stop_all() {
	local name pid i
	for name in slurmd slurmctld munged; do
		pid=$(live_pid "$name") || continue
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			[ -d "/proc/$pid" ] || break
			sleep 0.1
		done
		[ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null || true
		rm -f "$dir/$name.pid"
	done
	# Job steps slurmd started die with their job; a stray slurmstepd of this cluster would
	# hold its spool directory: end those whose command line names it.
	for pid in $(pgrep -f "slurmstepd.*" 2>/dev/null || true); do
		if tr '\0' ' ' <"/proc/$pid/environ" 2>/dev/null | grep -q "SLURM_CONF=$conf"; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
}

case $cmd in
start) ;;
stop)
	stop_all
	exit 0
	;;
status)
	sinfo && squeue
	exit $?
	;;
env)
	printf 'export SLURM_CONF=%q\n' "$conf"
	exit 0
	;;
*) die "unknown command '$cmd' (start, stop, status or env)" 2 ;;
esac

for t in munged slurmctld slurmd sinfo sbatch; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
		die "$t is not installed (scripts/install-deps.sh --with-slurm installs slurm-wlm and munge)"
done
PATH=$PATH:/usr/sbin

if live_pid slurmctld >/dev/null && sinfo -h >/dev/null 2>&1; then
	echo "slurm-local: already running in $dir" >&2
	exit 0
fi
stop_all

host=$(hostname -s)
user=$(id -un)
cpus=$(nproc)
sum=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
port=${PB_SLURM_PORT:-$((20000 + sum % 10000 * 2))}
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 700 "$dir/munge"

# munge: its own key, socket, pid and seed files. The key is 1024 random bytes, mode 0400.
if [ ! -s "$dir/munge/munge.key" ]; then
	head -c 1024 /dev/urandom >"$dir/munge/munge.key"
	chmod 400 "$dir/munge/munge.key"
fi
sock=$dir/munge/munge.socket
munged --force --key-file="$dir/munge/munge.key" --socket="$sock" \
	--pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
	--seed-file="$dir/munge/munged.seed" 2>>"$dir/log/munged.log" ||
	die "munged would not start; see $dir/log/munged.log"

cat >"$conf" <<EOF
# A single-node cluster written by scripts/slurm-local.sh: $host is controller and compute node.
ClusterName=pblocal
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SwitchType=switch/none
SchedulerType=sched/backfill
# Schedule a job as soon as it is submitted (the default waits up to 3 s to batch submissions):
# a bisect submits one job per build and per measurement batch, one after another.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
Waittime=0
NodeName=$host CPUs=$cpus RealMemory=512 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF

slurmctld -i -f "$conf" >>"$dir/log/slurmctld.out" 2>&1 ||
	{ stop_all; die "slurmctld would not start; see $dir/log/slurmctld.log"; }
slurmd -f "$conf" >>"$dir/log/slurmd.out" 2>&1 ||
	{ stop_all; die "slurmd would not start; see $dir/log/slurmd.log"; }

# Bounded wait for the node to be idle (the controller registers it within seconds).
for ((i = 0; i < 600; i++)); do
	state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
	[ "$state" = idle ] && break
	sleep 0.1
done
if [ "$state" != idle ]; then
	stop_all
	die "the node did not become idle within 60 s (state '${state:-none}'); see $dir/log/slurmctld.log and slurmd.log"
fi
echo "slurm-local: cluster up in $dir: node $host ($cpus CPUs), SLURM_CONF=$conf" >&2
