#!/bin/bash
# unwind.sh: the cost of DWARF unwinding: the same program recorded by `perf record --call-graph dwarf` and by placebisect's sampler, then the recordings processed: `perf script` and `perf report --stdio` against placebisect's unwinding + naming + folding (bench/unwind_bench).
# Usage: bench/unwind.sh [BUILD_DIR] [ROUNDS] [FREQ] [-- CMD ARG...]   (default: build, 400, 999)
# With `-- CMD ARG...` that command is recorded instead of the built-in program (ROUNDS unused).
# The program (main -> a -> b, a -> lib_b in a shared library, all -O2 -fomit-frame-pointer) runs
# ROUNDS rounds of ~7 ms of CPU. Both record cpu-clock at FREQ Hz with 8 KiB of user stack per
# sample. Each processing is timed in CPU seconds (user + sys), the best of 3; perf's includes its
# own start-up (also printed: `perf report` of a recording of `true`). Prints samples per CPU
# second side by side and the ratio of time per sample, placebisect / perf (goal <= 1).
set -eu
pos=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do pos+=("$1"); shift; done
[ $# -gt 0 ] && shift
BUILD=${pos[0]:-build}
ROUNDS=${pos[1]:-400}
FREQ=${pos[2]:-999}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")
BENCH=$BUILD/bench/unwind_bench
command -v perf >/dev/null || { echo "perf is not installed (Debian: linux-perf)" >&2; exit 2; }
command -v cc >/dev/null || { echo "no C compiler (cc) to build the program" >&2; exit 2; }
[ -x "$BENCH" ] || { echo "no $BENCH: build first (cmake --build $BUILD), or pass the build directory" >&2; exit 2; }
BENCH=$(cd "$(dirname "$BENCH")" && pwd)/unwind_bench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

cat >lib.c <<'C'
__attribute__((noinline)) unsigned long lib_b(unsigned long x, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}
C
cat >fx.c <<'C'
#include <stdio.h>
#include <stdlib.h>
unsigned long lib_b(unsigned long x, unsigned long n);
static volatile unsigned long sink;
__attribute__((noinline)) unsigned long b(unsigned long x, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}
__attribute__((noinline)) unsigned long a(unsigned long x, unsigned long n)
{
	x = b(x, 3 * n);
	sink = x;
	x = lib_b(x, n);
	sink = x;
	return x + 1;
}
int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 10, x = 1;
	for (unsigned long r = 0; r < rounds; r++)
		x = a(x, 1000000);
	printf("%lu\n", x);
	return 0;
}
C
cc -O2 -fomit-frame-pointer -fPIC -shared -o libfx.so lib.c
cc -O2 -fomit-frame-pointer -o fx fx.c -L. -lfx -Wl,-rpath,'$ORIGIN'
if [ $# -gt 0 ]; then cmd=("$@"); else cmd=(./fx "$ROUNDS"); fi

# cpu CMD...: the CPU seconds (user + sys) of CMD, output discarded; the best of 3.
cpu() {
	local best='' t k
	for k in 1 2 3; do
		t=$( { TIMEFORMAT='%U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }')
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
	done
	echo "$best"
}

perf record -q -e cpu-clock -F "$FREQ" --call-graph dwarf,8192 -o perf.data -- "${cmd[@]}" >/dev/null 2>&1 ||
	{ echo "perf record failed (perf_event_paranoid? see perf record's message)" >&2; exit 3; }
perf record -q -e cpu-clock -F "$FREQ" --call-graph dwarf,8192 -o true.data -- true >/dev/null 2>&1
perf_n=$(perf script -i perf.data -F time 2>/dev/null | wc -l)
perf_mb=$(du -k perf.data | awk '{ printf "%.1f", $1 / 1024 }')
perf_script=$(cpu perf script -i perf.data)
perf_report=$(cpu perf report -i perf.data --stdio)
perf_start=$(cpu perf report -i true.data --stdio)

line=$("$BENCH" dwarf,8192 "$FREQ" 3 pb.folded -- "${cmd[@]}" 2>/dev/null)
pb_n=$(echo "$line" | sed -E 's/.*samples=([0-9]+).*/\1/')
pb_cpu=$(echo "$line" | sed -E 's/.*cpu_s=([0-9.]+).*/\1/')
pb_mb=$(echo "$line" | sed -E 's/.* bytes=([0-9]+).*/\1/' | awk '{ printf "%.1f", $1 / 1048576 }')
right=$(awk '$1 ~ /(^|;)main;a;(b|lib_b)$/ { s += $NF } END { print s + 0 }' pb.folded)
leaf=$(awk '{ n = split($1, f, ";"); if (f[n] == "b" || f[n] == "lib_b") s += $NF } END { print s + 0 }' pb.folded)

printf '%-46s %8s %8s %9s %12s\n' "processing a --call-graph dwarf recording" samples MiB "CPU s" samples/s
row() { printf '%-46s %8s %8s %9.3f %12.0f\n' "$1" "$2" "$3" "$4" "$(awk -v n="$2" -v t="$4" 'BEGIN { print (t > 0 ? n / t : 0) }')"; }
row "perf script (perf $(perf version | awk '{ print $3 }'))" "$perf_n" "$perf_mb" "$perf_script"
row "perf report --stdio" "$perf_n" "$perf_mb" "$perf_report"
row "placebisect (unwind + name + fold)" "$pb_n" "$pb_mb" "$pb_cpu"
printf 'perf start-up (perf report of a recording of true): %.3f CPU s\n' "$perf_start"
[ "$leaf" -gt 0 ] && printf 'placebisect: %s of %s samples in b or lib_b unwound to main;a;LEAF\n' "$right" "$leaf"
awk '{ n = split($1, f, ";"); d += n * $NF; s += $NF } END { printf "placebisect: %.1f frames per stack on average\n", d / s }' pb.folded
awk -v pn="$perf_n" -v ps="$perf_script" -v pr="$perf_report" -v n="$pb_n" -v t="$pb_cpu" 'BEGIN {
	printf "time per sample, placebisect / perf script: %.3f; / perf report: %.3f (goal <= 1)\n",
		(t / n) / (ps / pn), (t / n) / (pr / pn) }'
