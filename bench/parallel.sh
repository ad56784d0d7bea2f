#!/bin/bash
# parallel.sh: rounds and wall time of `placebisect bisect --jobs K` (k-way bisection, local
# parallel builds) on a 128-commit fixture repository whose builds take a fixed time.
# Usage: bench/parallel.sh [SEEDS] [BUILD_DIR]   (default: 3, build)
# Environment: BUILD_S (seconds each build sleeps, default 2), JOBS (default "1 2 4"),
#   NOISE (lognormal sigma of the benchmark, default 0.03), EFFECT (the regression, default 0.05).
#
# Per seed: the repository of bench/bisect-cost.sh (commits hold a file `level`: 10 before the
# culprit, 10 * (1 + EFFECT) from it on; culprit 1 + (seed * 37) % 127); build.command sleeps
# BUILD_S seconds (builds dominate, as on a real project; sleeps need no CPU, so 2 cores suffice);
# the benchmark (bisect_cost_value) prints the level with lognormal noise. Each K bisects from a
# clean state directory. Prints per K: exact culprits, mean rounds (bisection rounds, from the
# JSON), builds, runs, mean wall time, and wall time against K = 1.
#
# Hook for other executors: call `row LABEL JOBS EXECUTOR_JSON` below (EXECUTOR_JSON is merged
# into the config as "executor", e.g. '{"kind": "slurm", "slurm": {...}}') to add a row.
set -eu
SEEDS=${1:-3}
BUILD=$(cd "${2:-build}" && pwd)
BUILD_S=${BUILD_S:-2}
JOBS=${JOBS:-"1 2 4"}
NOISE=${NOISE:-0.03}
EFFECT=${EFFECT:-0.05}
PB=$BUILD/cli/placebisect
VALUE=$BUILD/bench/bisect_cost_value
for f in "$PB" "$VALUE"; do
	[ -x "$f" ] || { echo "no $f (build first: cmake --build $BUILD)" >&2; exit 2; }
done
for c in git jq awk; do
	command -v "$c" >/dev/null || { echo "$c is not installed" >&2; exit 2; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=127 # commits after the good one: 128 in all
BAD_LEVEL=$(awk -v e="$EFFECT" 'BEGIN { printf "%.6f", 10 * (1 + e) }')
now() { date +%s%N; }

# make_repo DIR CULPRIT: commit 0 "initial" (tag base) .. commit N (branch main).
make_repo() {
	local dir=$1 k=$2 i level
	git init -q -b main "$dir"
	for i in $(seq 0 $N); do
		level=10
		[ "$i" -ge "$k" ] && [ "$i" -gt 0 ] && level=$BAD_LEVEL
		printf 'commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\n' $((1700000000 + 60 * i))
		if [ "$i" -eq 0 ]; then printf 'data 8\ninitial\n'; else
			printf 'data %d\ncommit %d\n' $((${#i} + 8)) "$i"; fi
		printf 'M 644 inline level\ndata %d\n%s\n' $((${#level} + 1)) "$level"
		[ "$i" -eq 0 ] && printf 'reset refs/tags/base\nfrom refs/heads/main\n\n'
	done | git -C "$dir" fast-import --quiet
	git -C "$dir" reset -q --hard main
}

for seed in $(seq 1 "$SEEDS"); do
	make_repo "$T/repo-$seed" $((1 + (seed * 37) % N))
done

base_ns=0
# row LABEL JOBS EXECUTOR_JSON: bisect every seed's repository with --jobs JOBS; print one line.
row() {
	local label=$1 jobs=$2 executor=$3 seed k want got ok=0 rounds=0 builds=0 runs=0 ns=0 t0 t1
	for seed in $(seq 1 "$SEEDS"); do
		k=$((1 + (seed * 37) % N))
		want=$(git -C "$T/repo-$seed" rev-parse "main~$((N - k))")
		cat > "$T/pb.json" <<JSON
{
  "build": { "command": "sleep $BUILD_S" },
  "benchmarks": { "value": { "command": "$VALUE level", "metric": "stdout", "runs": 10, "warmups": 0,
                             "parse": { "regex": "value: ([0-9.]+)" },
                             "env": { "BISECT_COST_SEED": "$seed", "BISECT_COST_NOISE": "$NOISE",
                                      "BISECT_COST_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" },
  "executor": $executor
}
JSON
		echo 1 > "$T/counter"
		rm -rf "$T/repo-$seed/.git/placebisect"
		t0=$(now)
		(cd "$T/repo-$seed" && "$PB" bisect --config "$T/pb.json" --good base --bad main --bench value \
			--jobs "$jobs" --json -q) > "$T/out.json" 2> "$T/err" || true
		t1=$(now)
		ns=$((ns + t1 - t0))
		got=$(jq -r '.culprit.commit // "none"' "$T/out.json" 2>/dev/null || echo none)
		[ "$got" = "$want" ] && ok=$((ok + 1))
		[ "$got" = "$want" ] || { echo "seed $seed, $label: culprit ${got:0:12}, want commit $k" >&2; head -3 "$T/err" >&2; }
		rounds=$((rounds + $(jq -r '.rounds // 0' "$T/out.json" 2>/dev/null || echo 0)))
		builds=$((builds + $(jq -r '.builds // 0' "$T/out.json" 2>/dev/null || echo 0)))
		runs=$((runs + $(cat "$T/counter") - 1))
	done
	[ "$base_ns" -eq 0 ] && base_ns=$ns
	printf '%-28s %6s %9.1f %8.1f %8.1f %9.1f %8.2fx %13.1f\n' "$label" "$ok/$SEEDS" \
		"$(awk -v a=$rounds -v n="$SEEDS" 'BEGIN { print a / n }')" \
		"$(awk -v a=$builds -v n="$SEEDS" 'BEGIN { print a / n }')" \
		"$(awk -v a=$runs -v n="$SEEDS" 'BEGIN { print a / n }')" \
		"$(awk -v a=$ns -v n="$SEEDS" 'BEGIN { print a / n / 1e9 }')" \
		"$(awk -v a=$ns -v b=$base_ns 'BEGIN { print a / b }')" \
		"$(awk -v k="$jobs" 'BEGIN { n = 128; r = 0; p = 1; while (p < n) { p *= k + 1; r++ } print r }')"
}

echo "128-commit fixture, builds sleep ${BUILD_S} s, benchmark noise $(awk -v e="$NOISE" 'BEGIN { print e * 100 }')%," \
	"one $(awk -v e="$EFFECT" 'BEGIN { print e * 100 }')% regression, $SEEDS seeds, $(nproc) CPUs"
printf '%-28s %6s %9s %8s %8s %9s %9s %13s\n' "" exact rounds builds runs "wall s" "vs K=1" "ceil(log_K+1)"
for k in $JOBS; do
	row "local, --jobs $k" "$k" '{"kind": "local"}'
done
# Further rows (another executor) go here, e.g.: row "slurm, --jobs 2" 2 '{"kind": "slurm", ...}'
