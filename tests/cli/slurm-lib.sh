# slurm-lib.sh: sourced by the Slurm CLI tests after lib.sh: start a single-node cluster in
# $T/cluster (scripts/slurm-local.sh), stopped when the test exits; skip (77) with the reason when
# the packages are absent or the daemons cannot run here (a container without the privileges).
for t in sbatch squeue scancel slurmctld slurmd munged; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
		skip "Slurm is not installed ($t missing): scripts/install-deps.sh --with-slurm installs slurm-wlm and munge"
done
trap 'bash "$PB_SOURCE_DIR/scripts/slurm-local.sh" stop "$T/cluster" >/dev/null 2>&1; rm -rf "$T"' EXIT
if ! bash "$PB_SOURCE_DIR/scripts/slurm-local.sh" start "$T/cluster" 2>"$T/cluster.err"; then
	reason=$(tail -n 1 "$T/cluster.err")
	tail -n 5 "$T/cluster/log/"*.log 2>/dev/null | sed 's/^/  /'
	skip "the single-node Slurm cluster cannot run here: $reason"
fi
export SLURM_CONF=$T/cluster/slurm.conf
