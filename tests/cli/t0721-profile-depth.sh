#!/bin/bash
# `profile --max-depth N`: a recursion 200 calls deep with the hot loop at the bottom. With frame
# pointers and with DWARF unwinding, every stack of the hot leaf keeps its N leaf-most frames under
# one "[truncated]" root, and the profile counts the truncated stacks.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"

cat >rec.c <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) unsigned long spin(unsigned long x, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}
/* The volatile keeps a frame per call (no tail call, no loop made of the recursion). */
__attribute__((noinline)) unsigned long rec(unsigned long depth, unsigned long n)
{
	volatile unsigned long keep = depth;
	if (depth == 0)
		return spin(keep, n);
	return rec(depth - 1, n) + keep;
}
int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 10, x = 0;
	for (unsigned long r = 0; r < rounds; r++)
		x += rec(200, 1000000);
	printf("%lu\n", x);
	return 0;
}
C
cc -O1 -fno-omit-frame-pointer -fno-optimize-sibling-calls -o rec rec.c || skip "cc cannot build the fixture"

for cg in fp dwarf; do
	expect_exit 0 "$PB" profile --call-graph $cg --max-depth 20 -o $cg.json --folded $cg.folded -- ./rec 300
	if grep -q "cannot sample" err; then
		skip "perf_event sampling is not available here: $(cat err)"
	fi
	expect_eq "20" "$(jq .max_depth $cg.json)" "$cg: max_depth"
	# Stacks whose leaf is spin: all under [truncated], each 20 frames + the root.
	spin=$(awk '{ n = split($1, f, ";"); if (f[n] == "spin") s += $NF } END { print s + 0 }' $cg.folded)
	good=$(awk '{ n = split($1, f, ";"); if (f[n] == "spin" && f[1] == "[truncated]" && n == 21) s += $NF }
		END { print s + 0 }' $cg.folded)
	echo "$cg: $good of $spin samples in spin cut at 20 frames under [truncated]"
	expect_eq "true" "$([ "$spin" -ge 50 ] && echo true)" "$cg: samples in spin ($spin)"
	expect_eq "$spin" "$good" "$cg: spin stacks cut at 20 frames"
	# The frame under the root is a caller (rec), the leaf's 19 callers are all rec.
	expect_grep '^\[truncated\](;rec){19};spin [0-9]+$' $cg.folded
	truncated=$(awk '/^\[truncated\];/ { s += $NF } END { print s + 0 }' $cg.folded)
	expect_eq "$truncated" "$(jq .truncated $cg.json)" "$cg: truncated count"
	expect_eq "0" "$(awk '{ n = split($1, f, ";"); if (n > 21) print }' $cg.folded | wc -l)" "$cg: no stack deeper"
done

# Without a cap worth the name, nothing is cut: --max-depth 1024 with dwarf (the 8 KiB copy ends first).
expect_exit 0 "$PB" profile --call-graph dwarf,65528 --max-depth 1024 -o deep.json --folded deep.folded -- ./rec 50
expect_eq "0" "$(jq .truncated deep.json)" "not truncated at 1024"
expect_grep '(^|;)main(;rec){201};spin [0-9]+$' deep.folded
expect_exit 2 "$PB" profile --max-depth 2000 -- ./rec 1
expect_grep "profile: --max-depth expects a whole number from 1 to 1024" err

finish
