#!/bin/bash
# `profile --calls`: exact call counts per function from one more run under callgrind: main calls
# mid n times and mid calls leaf 3 times, so leaf 3n, mid n, main once; in the table and the JSON,
# with the cachegrind backend and with the sampler.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v valgrind >/dev/null || skip "valgrind is not installed (scripts/install-deps.sh installs it)"

cat >calls.c <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) unsigned long leaf(unsigned long x)
{
	for (int i = 0; i < 200; i++)
		x = x * 6364136223846793005UL + 1;
	return x;
}
__attribute__((noinline)) unsigned long mid(unsigned long x) { return leaf(leaf(leaf(x))); }
int main(int argc, char **argv)
{
	unsigned long x = 1;
	for (long i = 0; i < atol(argv[1]); i++)
		x = mid(x);
	printf("%lu\n", x);
	return 0;
}
C
cc -O1 -fno-omit-frame-pointer -o calls calls.c || skip "cc cannot build the fixture"

expect_exit 0 "$PB" profile --backend cachegrind --calls --top 3 -o c.json -- ./calls 1000
expect_eq "3000 1000 1" "$(jq -r '[.functions[] | select(.name == "leaf" or .name == "mid" or .name == "main")]
	| sort_by(-.calls) | map(.calls) | join(" ")' c.json)" "calls of leaf, mid, main"
expect_grep '^ +share +Ir +I1mr +calls +function +file$' out
expect_grep '^ *[0-9.]+% +[0-9]+ +[0-9]+ +3000 +leaf ' out
expect_eq null "$(jq '.functions[0].calls' <("$PB" profile --backend cachegrind --json -- ./calls 10))" \
	"no calls without --calls"

# Sampled: the functions sampled carry their calls too.
"$PB" profile --calls -o s.json -- ./calls 100000 >s.out 2>s.err
rc=$?
if [ $rc -ne 0 ] && grep -q "cannot sample" s.err; then
	echo "note: sampling not available here, profile --calls with samples not checked"
else
	expect_eq 0 "$rc" "profile --calls exit ($(cat s.err))"
	expect_eq leaf "$(jq -r '.functions[0].name' s.json)" "the hottest sampled function"
	expect_eq 300000 "$(jq '.functions[0].calls' s.json)" "leaf's calls"
	expect_grep '^ +share +samples +calls +function +object$' s.out
fi

finish
