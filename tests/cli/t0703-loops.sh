#!/bin/bash
# `loops`: two nested loops of known trip counts (outer 2000, inner 50): two natural loops, the
# inner one nested in the outer; their instructions ran 2000 and 100000 times; the inner loop's
# share of the run within 5 points of the exact share cachegrind gives its source lines; the
# table and the loops section of `annotate`.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v valgrind >/dev/null || skip "valgrind is not installed (scripts/install-deps.sh installs it)"
[ "$(uname -m)" = x86_64 ] || skip "the fixture is x86-64 code"

cat >nest.c <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) unsigned long work(unsigned long x, long outer, long inner)
{
	for (long i = 0; i < outer; i++) {
		x ^= x >> 3; x += (unsigned long)i * 0x9e3779b97f4a7c15UL; x ^= x << 7;
		for (long j = 0; j < inner; j++) /* INNER FOR */
			x = x * 6364136223846793005UL + (x >> 11); /* INNER BODY */
	}
	return x;
}
int main(int argc, char **argv)
{
	printf("%lu\n", work(1, atol(argv[1]), atol(argv[2])));
	return 0;
}
C
cc -O1 -g -o nest nest.c || skip "cc cannot build the fixture"
for_line=$(grep -n 'INNER FOR' nest.c | cut -d: -f1)
body_line=$(grep -n 'INNER BODY' nest.c | cut -d: -f1)

expect_exit 0 "$PB" loops -o l.json -- ./nest 2000 50
cp out l.txt
expect_eq "placebisect.loops/1" "$(jq -r .schema l.json)" "schema"
expect_eq "work" "$(jq -r '.functions[0].name' l.json)" "hottest function"
expect_eq null "$(jq '.functions[0].insns' l.json)" "no listing in the loops document"
expect_eq 2 "$(jq '.functions[0].loops | length' l.json)" "two loops in work"
# Outer first (by header address here: it starts first), the inner one inside it.
expect_eq "1 null 2 1" "$(jq -r '.functions[0].loops | map("\(.depth) \(.parent)") | join(" ")' l.json)" \
	"depths and parents"
expect_eq "1 1" "$(jq -r '.functions[0].loops | map(.back_edges) | join(" ")' l.json)" "one back edge each"
inner_lo=$(jq '.functions[0].loops[1].line_lo' l.json)
inner_hi=$(jq '.functions[0].loops[1].line_hi' l.json)
expect_eq true "$([ "$inner_lo" -ge "$for_line" ] && [ "$inner_hi" -le "$body_line" ] && echo true)" \
	"the inner loop's lines ($inner_lo-$inner_hi) are lines $for_line-$body_line"
outer_ir=$(jq '.functions[0].loops[0].cost' l.json)
inner_ir=$(jq '.functions[0].loops[1].cost' l.json)
expect_eq true "$(jq -n "$outer_ir > $inner_ir")" "the outer loop's cost includes the inner's"

# Exact: cachegrind's Ir of the inner loop's two source lines, over the run's.
valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=cg.out ./nest 2000 50 >/dev/null 2>cg.log ||
	{ cat cg.log; exit 1; }
exact=$(awk -v a="$for_line" -v b="$body_line" '
	/^events:/ { for (i = 2; i <= NF; i++) if ($i == "Ir") col = i - 1 }
	/^fl=/ { mine = ($0 ~ /nest\.c$/) }
	/^summary:/ { total = $(col + 1) }
	/^[0-9]/ { if (mine && ($1 == a || $1 == b)) sum += $(col + 1) }
	END { printf "%.6f\n", sum / total }' cg.out)
share=$(jq '.functions[0].loops[1].share' l.json)
echo "inner loop: share $share, cachegrind's lines $for_line-$body_line: $exact"
expect_eq true "$(jq -n "($share - $exact) | fabs < 0.05")" "the inner loop's share within 5 points of cachegrind's"
# Trip counts: the inner loop's instructions ran 2000 * 50 times; the outer-only ones 2000 times.
expect_eq 100000 "$(jq '[.functions[0].insns[] | select(.loop == 2) | .cost] | max' \
	<("$PB" annotate --json -- ./nest 2000 50))" "inner trip count"
expect_eq 2000 "$(jq '[.functions[0].insns[] | select(.loop == 1) | .cost] | max' \
	<("$PB" annotate --json -- ./nest 2000 50))" "outer trip count"

# The table and annotate's section.
expect_grep '^function +loop +depth +share +Ir +I1mr +range +bytes +lines +32B windows +source' l.txt
expect_grep "^work +L2 +2 +[0-9.]+% .* nest.c:$for_line-$body_line" l.txt
expect_exit 0 "$PB" annotate -- ./nest 200 5
expect_grep '^Loops of work \(share of the run\):' out
expect_grep '^L1 +1 ' out

finish
