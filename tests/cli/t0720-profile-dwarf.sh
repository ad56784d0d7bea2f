#!/bin/bash
# `profile --call-graph dwarf`: a program built with -O2 -fomit-frame-pointer (main -> a -> b, b hot;
# main -> a -> lib_b in a shared library built the same way). Frame-pointer chains stop at the
# leaf and the warning says so with the fix; DWARF unwinding of the sampled user stacks gives
# main -> a -> b for at least 90% of the samples whose leaf is b (and the same for lib_b).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"

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
FLAGS="-O2 -fomit-frame-pointer"
cc $FLAGS -fPIC -shared -o libfx.so lib.c || skip "cc cannot build a shared library"
cc $FLAGS -o fx fx.c -L. -lfx -Wl,-rpath,'$ORIGIN' || skip "cc cannot link the fixture"

# Frame pointers: the chains stop after the leaf, and the warning names the fix.
expect_exit 0 "$PB" profile -o fp.json --folded fp.folded -- ./fx 150
if grep -q "cannot sample" err; then
	skip "perf_event sampling is not available here: $(cat err)"
fi
expect_eq "fp" "$(jq -r .call_graph fp.json)" "default call graph"
expect_grep 'warning: [0-9]+% of stacks stop after the leaf \([0-9]+ of [0-9]+ samples\): the binary has no frame pointers; use --call-graph dwarf or build with -fno-omit-frame-pointer$' err
expect_eq "1" "$(grep -c 'stop after the leaf' err)" "the warning, once"
expect_eq "true" "$(jq '.stopped_at_leaf * 2 > .samples' fp.json)" "stopped_at_leaf ($(jq .stopped_at_leaf fp.json) of $(jq .samples fp.json))"

# DWARF: the callers are back.
expect_exit 0 "$PB" profile --call-graph dwarf -o dw.json --folded dw.folded -- ./fx 150
expect_eq "dwarf" "$(jq -r .call_graph dw.json)" "call graph"
expect_eq "0" "$(jq .truncated dw.json)" "nothing truncated"
expect_eq "0" "$(grep -c 'stop after the leaf' err)" "no warning with dwarf"
# count LEAF FILE: samples whose leaf is LEAF; right LEAF FILE: those whose stack has main;a;LEAF.
count() { awk -v l="$1" '{ n = split($1, f, ";"); if (f[n] == l) s += $NF } END { print s + 0 }' "$2"; }
right() { awk -v l="$1" '$1 ~ ("(^|;)main;a;" l "$") { s += $NF } END { print s + 0 }' "$2"; }
for leaf in b lib_b; do
	all=$(count $leaf dw.folded)
	ok=$(right $leaf dw.folded)
	echo "$leaf: $ok of $all samples unwound to main;a;$leaf"
	expect_eq "true" "$([ "$all" -ge 50 ] && echo true)" "samples in $leaf ($all)"
	expect_eq "true" "$([ $((ok * 10)) -ge $((all * 9)) ] && echo true)" "main;a;$leaf for >= 90% ($ok of $all)"
done
# Frame pointers got none of them right.
expect_eq "0" "$(right b fp.folded)" "fp: main;a;b"
# The leaf counts agree: b has the same self samples either way (within the run's noise).
expect_eq "b" "$(jq -r '.functions[0].name' dw.json)" "hottest"

# A stack size of its own; bad values name the option and what it takes.
expect_exit 0 "$PB" profile --call-graph dwarf,16384 -q --json -- ./fx 20
expect_eq "dwarf" "$(jq -r .call_graph out)" "dwarf,16384"
expect_exit 2 "$PB" profile --call-graph dwarf,70000 -- ./fx 1
expect_grep "--call-graph 'dwarf,70000': the user stack to copy per sample is a number of bytes from 8 to 65528" err
expect_exit 2 "$PB" profile --call-graph lbr -- ./fx 1
expect_grep "--call-graph 'lbr': expected fp \(frame pointers, the default\), dwarf or dwarf,SIZE" err

# placebisect.json's profile section: the default for --call-graph and --max-depth; flags win.
printf '{ "profile": { "call_graph": "dwarf", "max_depth": 40 } }\n' >pb.json
expect_exit 0 "$PB" profile --config pb.json -q --json -- ./fx 20
expect_eq "dwarf 40" "$(jq -r '"\(.call_graph) \(.max_depth)"' out)" "profile.call_graph and max_depth"
expect_exit 0 "$PB" profile --config pb.json --call-graph fp -q --json -- ./fx 20
expect_eq "fp 40" "$(jq -r '"\(.call_graph) \(.max_depth)"' out)" "--call-graph over the config"
printf '{ "profile": { "call_graph": "dwarv" } }\n' >bad.json
expect_exit 2 "$PB" profile --config bad.json -- ./fx 1
expect_grep "bad.json: profile.call_graph 'dwarv': expected fp" err
expect_exit 2 "$PB" profile --backend cachegrind --call-graph dwarf -- ./fx 1
expect_grep "cachegrind records no call stacks" err

finish
