#!/bin/bash
# t0302-measure-cachegrind.sh: cachegrind is exact (same Ir every time) and sees code placement: twelve hot functions 4 KiB apart thrash one L1i set, 64 B apart they do not.
. "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v valgrind >/dev/null || skip "valgrind is not installed"
command -v cc >/dev/null || skip "no C compiler"
[ "$(uname -m)" = x86_64 ] || skip "the fixture starts itself with an x86-64 exit syscall"

# No libc and no dynamic loader: the two builds then execute exactly the same instructions
# (static-pie: valgrind reads the symbols of such a binary, not of a plain -static -nostdlib one).
cat > hot.c <<'C'
#define F(n) __attribute__((noipa, aligned(ALIGN))) int f##n(int x) { return x * 3 + n; }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)
void _start(void)
{
	int s = 0;
	for (long i = 0; i < 100000; i++) {
		s = f0(s); s = f1(s); s = f2(s); s = f3(s); s = f4(s); s = f5(s);
		s = f6(s); s = f7(s); s = f8(s); s = f9(s); s = f10(s); s = f11(s);
	}
	__asm__ volatile("syscall" : : "a"(60), "D"(s == 12345));
	__builtin_unreachable();
}
C
cc -O1 -static-pie -nostdlib -fpie -DALIGN=4096 -o far hot.c || exit 1
cc -O1 -static-pie -nostdlib -fpie -DALIGN=64 -o near hot.c || exit 1

# 32 KiB, 8-way, 64 B lines: 64 sets; twelve functions on one set index need 12 ways.
echo '{ "measure": { "cachegrind": { "I1": "32768,8,64", "D1": "32768,8,64", "LL": "8388608,16,64" } } }' > cfg.json

expect_exit 0 "$PB" measure --config cfg.json --backend cachegrind --runs 5 -o far1.json -- ./far
expect_grep "one run, no warmup" err
expect_exit 0 "$PB" measure --config cfg.json --backend cachegrind -o far2.json -- ./far
expect_exit 0 "$PB" measure --config cfg.json --backend cachegrind -o near.json -- ./near

expect_eq "1" "$(jq '.runs | length' far1.json)" "runs forced to 1"
expect_eq "cachegrind" "$(jq -r .backend far1.json)" "backend"
expect_eq "est_cycles" "$(jq -r .metric far1.json)" "metric under cachegrind"
far_ir=$(jq '.runs[0].counters.Ir' far1.json)
expect_eq "$far_ir" "$(jq '.runs[0].counters.Ir' far2.json)" "Ir of two runs of the same binary"
expect_eq "$(jq '.runs[0].counters.I1mr' far1.json)" "$(jq '.runs[0].counters.I1mr' far2.json)" "I1mr repeats"
expect_eq "$far_ir" "$(jq '.runs[0].counters.Ir' near.json)" "Ir of the two placements"
expect_eq "$far_ir" "$(jq '.runs[0].counters.instructions' near.json)" "instructions = Ir"
far_miss=$(jq '.runs[0].counters.I1mr' far1.json)
near_miss=$(jq '.runs[0].counters.I1mr' near.json)
echo "I1mr: 4 KiB apart $far_miss, 64 B apart $near_miss"
# Every one of the 1.2 M calls misses when far apart; near, only the cold misses remain.
expect_eq "true" "$(jq -n "$far_miss > 1000000 and $far_miss > 100 * $near_miss")" "I1mr differs by orders of magnitude"
expect_eq "true" "$(jq -n "$(jq '.summary.median' far1.json) > $(jq '.summary.median' near.json)")" "est_cycles higher when far"
# Per-function costs are kept: f0 is there with its misses.
expect_eq "100000" "$(jq '[.functions[] | select(.name == "f0")][0].I1mr' far1.json)" "f0's I1 misses"
expect_exit 0 "$PB" measure --config cfg.json --backend cachegrind -- ./far
expect_grep "Top functions" out

# A geometry valgrind rejects is a config error naming the key.
echo '{ "measure": { "cachegrind": { "LL": "31457280,20,64" } } }' > bad.json
expect_exit 2 "$PB" measure --config bad.json --backend cachegrind -- ./near
expect_grep "measure.cachegrind.LL" err

finish
