#!/usr/bin/env bash
# CI on a busy machine: scripts/test.sh in a fresh clone of the current HEAD while CPU hogs run
# beside it, several times in a row, each run's time and status printed; or, quicker, only the
# tests that send signals or race processes (ctest -L signals), K times beside the hogs.
#
# Usage: scripts/stress-ci.sh [--runs N] [--hogs H] [--keep] [-- CTEST_ARGS...]
#        scripts/stress-ci.sh --signals K [--hogs H] [--keep] [-- CTEST_ARGS...]
#   --runs N     full runs of scripts/test.sh (default 3); CTEST_ARGS go to it (then it runs the
#                two suites only, see scripts/test.sh); PB_FUZZ_SECONDS is passed through
#   --signals K  build once (-DPB_WERROR=ON), then `ctest -L signals` K times
#   --hogs H     CPU hogs beside the tests (default 2: `sh -c 'while :; do :; done'`)
#   --keep       keep the clone (printed) instead of removing it
# Exit status: 0 when every run passed, 1 otherwise. The hogs are killed on exit, however it ends.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=3 signals=0 hogs=2 keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--signals) signals=$2; shift 2 ;;
	--hogs) hogs=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--) shift; break ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "stress-ci: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$runs$signals$hogs" in *[!0-9]*) echo "stress-ci: --runs, --signals and --hogs take a number" >&2; exit 2 ;; esac

head=$(git -C "$top" rev-parse HEAD) || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/pb-stress.XXXXXX") || exit 3
hog_pids=()
running=""
cleanup() {
	local p
	# The test run in progress (its own process group), then the hogs.
	[ -n "$running" ] && kill -TERM -- "-$running" 2>/dev/null && wait "$running" 2>/dev/null
	for p in "${hog_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${hog_pids[@]}"; do wait "$p" 2>/dev/null; done
	if [ "$keep" = 1 ]; then echo "stress-ci: clone kept in $work/src"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh clone of exactly this commit (committed work only, as CI would see it).
git clone -q --no-checkout "$top" "$work/src" && git -C "$work/src" checkout -q --detach "$head" || exit 3
echo "stress-ci: $(git -C "$work/src" log -1 --format='%h %s') in $work/src, $hogs CPU hogs, $(nproc) CPUs"

for ((i = 0; i < hogs; i++)); do
	sh -c 'while :; do :; done' &
	hog_pids+=($!)
done

failed=0
one() { # LABEL LOG CMD...: run CMD, its output to LOG, and print its time and status
	local label=$1 log=$2 t0 t1 rc
	shift 2
	t0=$(date +%s)
	# In the background, in a process group of its own: a signal to us ends the wait at once,
	# and cleanup can stop the whole run.
	setsid "$@" >"$log" 2>&1 &
	running=$!
	wait "$running"
	rc=$?
	running=""
	t1=$(date +%s)
	printf 'stress-ci: %s: %s in %d min %02d s (log: %s)\n' "$label" \
		"$([ $rc -eq 0 ] && echo passed || echo "FAILED (exit $rc)")" $(((t1 - t0) / 60)) $(((t1 - t0) % 60)) "$log"
	if [ $rc -ne 0 ]; then
		failed=$((failed + 1))
		grep -E '^(FAIL|[0-9]+% tests passed|.*\*\*\*Failed|.*Failed +[0-9.]+ sec|The following tests)' "$log" |
			head -20 | sed 's/^/    /'
		# Logs of failed runs are worth keeping.
		keep=1
	fi
}

if [ "$signals" -gt 0 ]; then
	one "build" "$work/build.log" sh -c "cd '$work/src' && cmake -S . -B build -DPB_WERROR=ON && cmake --build build -j$(nproc)"
	[ $failed -eq 0 ] || exit 1
	for ((k = 1; k <= signals; k++)); do
		one "ctest -L signals, run $k of $signals" "$work/signals-$k.log" \
			sh -c "cd '$work/src/build' && ctest -L signals -j$(nproc) --output-on-failure --timeout 900 $*"
	done
else
	for ((k = 1; k <= runs; k++)); do
		# Each run starts from a clean tree, as a fresh CI job would.
		git -C "$work/src" clean -qfdx
		one "scripts/test.sh, run $k of $runs" "$work/test-$k.log" \
			bash "$work/src/scripts/test.sh" "$@"
	done
fi
echo "stress-ci: $failed failed"
[ $failed -eq 0 ]
