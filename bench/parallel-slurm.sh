#!/bin/bash
# parallel-slurm.sh: the 128-commit sleeping-build simulation bisected on a single-node Slurm
# cluster (scripts/slurm-local.sh) and locally: steps (rounds), builds, Slurm jobs and wall time.
# Usage: bench/parallel-slurm.sh [BUILD_DIR] [BUILD_SECONDS]   (default: build, 2)
# The repository: tests/cli/make-fixture-repo.sh, 127 commits after the good one (128 in all), the
# culprit at 90, noise 2%; its build sleeps BUILD_SECONDS and compiles prog.c; the benchmark prints
# a noisy value (metric stdout, 3 runs, no warm-up). Local: executor.kind local; Slurm:
# executor.kind slurm, shared_dir in the temporary directory, poll_interval 0.2 s. With --jobs
# (the k-way search) in this build, the Slurm row runs with --jobs 2; without it, one commit a
# round (the sequential search: a round is a step). Jobs are counted in the cluster's jobcomp.txt.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
SLEEP=${2:-2}
PB=$BUILD/cli/placebisect
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$PB" ] || { echo "no $PB (build first: cmake --build $BUILD)" >&2; exit 2; }
for c in git jq cc sbatch; do
	command -v "$c" >/dev/null || { echo "$c is not installed (Slurm: scripts/install-deps.sh --with-slurm)" >&2; exit 2; }
done
T=$(mktemp -d)
trap 'bash "$SRC/scripts/slurm-local.sh" stop "$T/cluster" >/dev/null 2>&1; rm -rf "$T"' EXIT
bash "$SRC/scripts/slurm-local.sh" start "$T/cluster" 2>/dev/null ||
	{ echo "the single-node cluster does not start here (see $T/cluster/log)" >&2; exit 3; }
export SLURM_CONF=$T/cluster/slurm.conf

bash "$SRC/tests/cli/make-fixture-repo.sh" "$T/repo" 127 90 --effect 8 --noise 2 >/dev/null
jobs_opt=()
K=1
if "$PB" bisect --help | grep -q -- '--jobs'; then
	jobs_opt=(--jobs 2)
	K=2
fi

run() { # NAME KIND [bisect options]
	local name=$1 kind=$2 dir=$T/$1 t0 t1
	shift 2
	git clone -q "$T/repo" "$dir"
	cat > "$dir/placebisect.json" <<JSON
{
  "build": { "command": "sleep $SLEEP; cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" },
  "executor": { "kind": "$kind", "slurm": { "shared_dir": "$T/shared-$name", "poll_interval": 0.2 } }
}
JSON
	local before
	before=$(cat "$T/cluster/jobcomp.txt" 2>/dev/null | wc -l)
	t0=$(date +%s.%N)
	(cd "$dir" && "$PB" bisect --good "$(git -C "$T/repo" rev-parse base)" --bad HEAD --bench work \
		--json -q "$@" >"$T/$name.json") || true
	t1=$(date +%s.%N)
	printf '%-12s %-8s %6s %6s %6s %6s %6s %9.1f  %s\n' "$name" "$(jq -r '.culprit.subject // .status' "$T/$name.json")" \
		"$(jq '.steps | length' "$T/$name.json")" "$(jq '.rounds // (.steps | length)' "$T/$name.json")" \
		"$(jq .builds "$T/$name.json")" \
		"$(jq .runs_total "$T/$name.json")" \
		"$(( $(cat "$T/cluster/jobcomp.txt" 2>/dev/null | wc -l) - before ))" \
		"$(echo "$t1 - $t0" | bc)" "$(uptime | sed 's/.*load average: //')"
}

echo "128 commits, culprit 'commit 90', builds sleep ${SLEEP} s, 3 runs per measurement; load average at the end"
printf '%-12s %-8s %6s %6s %6s %6s %6s %9s  %s\n' row culprit steps rounds builds runs jobs wall_s load
run local-K1 local
run "slurm-K$K" slurm "${jobs_opt[@]}"
