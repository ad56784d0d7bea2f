#!/usr/bin/env bash
# demo-wall.sh [RUNS] [ITERATIONS]: is the demo's code-placement slowdown real in wall time?
#
# Generates the demo repository (scripts/make-demo-repo.sh), builds v1.0 (good), v1.1 (bad)
# and v1.2 (good again) with the system compiler (CC=... to choose another), then runs
# "minivm call_method ITERATIONS" RUNS times for each build, interleaved (good, bad, fixed,
# good, ...) so that drifts in machine load hit all three alike, pinned to one CPU when
# taskset exists. Prints each build's median and min, and bad/good ratios. A benchmark, not a
# test: it prints figures and asserts nothing.
set -euo pipefail

runs=${1:-15}
iters=${2:-2000000}
src=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}
unset CFLAGS LDFLAGS MAKEFLAGS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/demo-wall.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bash "$src/scripts/make-demo-repo.sh" "$tmp/repo" >/dev/null
git clone -q "$tmp/repo" "$tmp/build"
for tag in v1.0 v1.1 v1.2; do
	git -C "$tmp/build" checkout -q "$tag"
	make -C "$tmp/build" -s clean
	make -C "$tmp/build" -s -j2 CC="$cc"
	cp "$tmp/build/minivm" "$tmp/minivm-$tag"
done

pin=()
if command -v taskset >/dev/null; then
	# The last CPU: on a small machine the first ones take most interrupts.
	pin=(taskset -c "$(($(nproc) - 1))")
fi

# now_us: wall clock in microseconds (bash 5's EPOCHREALTIME, else date).
now_us() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo "$t"
	else
		echo $(($(date +%s%N) / 1000))
	fi
}

for tag in v1.0 v1.1 v1.2; do # warm-up: page cache, CPU frequency
	"${pin[@]}" "$tmp/minivm-$tag" call_method "$iters" >/dev/null
done
for ((i = 0; i < runs; i++)); do
	for tag in v1.0 v1.1 v1.2; do
		t0=$(now_us)
		"${pin[@]}" "$tmp/minivm-$tag" call_method "$iters" >/dev/null
		t1=$(now_us)
		echo $((t1 - t0)) >>"$tmp/times-$tag"
	done
done

# stat FILE: "median min" in ms
stat() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f\n", m / 1000, v[1] / 1000 }'
}
read -r med_good min_good < <(stat "$tmp/times-v1.0")
read -r med_bad min_bad < <(stat "$tmp/times-v1.1")
read -r med_fix min_fix < <(stat "$tmp/times-v1.2")

echo "demo-wall: minivm call_method $iters, $runs interleaved runs per build, CC=$cc" \
	"($($cc --version | head -1)), ${pin[*]:-not pinned}, $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
printf '  v1.0 (good)  median %8.1f ms  min %8.1f ms\n' "$med_good" "$min_good"
printf '  v1.1 (bad)   median %8.1f ms  min %8.1f ms\n' "$med_bad" "$min_bad"
printf '  v1.2 (fixed) median %8.1f ms  min %8.1f ms\n' "$med_fix" "$min_fix"
awk -v g="$med_good" -v b="$med_bad" -v f="$med_fix" -v gm="$min_good" -v bm="$min_bad" 'BEGIN {
	printf "  v1.1/v1.0: median ratio %.3f, min ratio %.3f; v1.1/v1.2 median ratio %.3f\n",
		b / g, bm / gm, b / f }'
