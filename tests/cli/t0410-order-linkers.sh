#!/bin/bash
# `order`: a C3 order from a program run under callgrind, written for gold, lld and GNU ld; each
# linker takes its file and lays the functions out in that order (read back with `layout --json`).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v valgrind >/dev/null || skip "no valgrind (callgrind makes the call graph)"
command -v ld.gold >/dev/null || skip "no gold linker (binutils)"
command -v ld.lld >/dev/null || skip "no lld (scripts/install-deps.sh installs it)"

# Two call chains and a cold function, defined in an order that is not the hot one: main calls
# a (hot) and c; a calls b; c calls d; cold runs once.
cat >p.c <<'C'
#define NI __attribute__((noinline))
volatile int sink;
NI void cold(void) { sink = 1; }
NI int d(int x) { return x * 7 + 1; }
NI int b(int x) { return x * 3 + 2; }
NI int c(int x) { int s = 0; for (int i = 0; i < 4; i++) s += d(x + i); return s; }
NI int a(int x) { int s = 0; for (int i = 0; i < 16; i++) s += b(x + i) ^ i; return s; }
int main(int argc, char **argv)
{
	int n = argc > 1 ? 2000 : 10, s = 0;
	(void)argv;
	cold();
	for (int i = 0; i < n; i++) s += a(i) + (i % 8 == 0 ? c(i) : 0);
	sink = s;
	return 0;
}
C
cc -O2 -ffunction-sections -fno-reorder-functions -o p0 p.c || skip "cc cannot link a program"

expect_exit 0 "$PB" order --binary p0 --json -- ./p0 run
cp out order.json
expect_eq "placebisect.order/1" "$(jq -r .schema order.json)" "schema"
# C3: a (the hottest) joins its caller main, b follows a, d joins c, and c's cluster main's;
# cold, called once by main, too: the six are small enough for one cluster.
expect_eq "main a b c d cold" "$(jq -r '[.functions[].name] | join(" ")' order.json)" "C3 order"
expect_grep "6 functions of p0 in 1 cluster " "$T/err"
expect_eq "[0]" "$(jq -c '[.functions[].cluster] | unique' order.json)" "clusters"

want="main a b c d cold"
# The order of the fixture's functions in a linked binary, by address.
placed() {
	"$PB" layout "$1" --json | jq -r '[.functions[] | select(.name | test("^(a|b|c|d|main|cold)$"))]
		| sort_by(.addr) | [.[].name] | join(" ")'
}
expect_eq "cold d b c a main" "$(placed p0)" "the compiler's order without a file"

expect_exit 0 "$PB" order --binary p0 --format gold -o order.gold -- ./p0 run
expect_eq ".text.main" "$(head -1 order.gold)" "gold file: section names"
expect_exit 0 "$PB" order --binary p0 --format lld -o order.lld -- ./p0 run
expect_eq "main" "$(head -1 order.lld)" "lld file: symbol names"
expect_exit 0 "$PB" order --binary p0 --format ld -o order.ld -- ./p0 run
expect_grep "^INSERT BEFORE .text;" order.ld

expect_exit 0 cc -O2 -ffunction-sections -fno-reorder-functions -fuse-ld=gold \
	-Wl,--section-ordering-file,order.gold -o p-gold p.c
expect_eq "$want" "$(placed p-gold)" "gold --section-ordering-file"
expect_exit 0 cc -O2 -ffunction-sections -fno-reorder-functions -fuse-ld=lld \
	-Wl,--symbol-ordering-file,order.lld -o p-lld p.c
expect_eq "$want" "$(placed p-lld)" "lld --symbol-ordering-file"
expect_exit 0 cc -O2 -ffunction-sections -fno-reorder-functions -Wl,-T,order.ld -o p-ld p.c
expect_eq "$want" "$(placed p-ld)" "GNU ld -T fragment"
expect_eq ".text.placebisect" "$(./p-ld run; "$PB" layout p-ld --json | jq -r '.functions[] | select(.name == "a") | .section')" "ld: the output section"

# Usage errors: exit 2 with what to do.
expect_exit 2 "$PB" order --binary p0
expect_grep "give the call graph as --callgrind FILE or a command after --" "$T/err"
expect_exit 2 "$PB" order --format bfd --callgrind order.json
expect_grep "unknown ordering format 'bfd'" "$T/err"
expect_exit 2 "$PB" order --callgrind order.json
expect_grep "order.json:1: not a line of callgrind's format" "$T/err"
: >empty
expect_exit 2 "$PB" order --callgrind empty
expect_grep "empty: not a callgrind output file" "$T/err"
expect_exit 4 "$PB" order -- sh -c 'exit 3'
expect_grep "the program under callgrind failed \(exit 3\)" "$T/err"

finish
