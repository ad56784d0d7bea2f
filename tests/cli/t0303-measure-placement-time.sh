#!/bin/bash
# t0303-measure-placement-time.sh: with real clocks (--backend time), twelve hot functions 4 KiB apart are slower than 64 B apart, as compare says.
. "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
[ "$(uname -m)" = x86_64 ] || skip "the fixture starts itself with an x86-64 exit syscall"

# 4 KiB apart, all twelve land on one L1i set (and twelve pages): every call misses the L1i.
cat > hot.c <<'C'
#define F(n) __attribute__((noipa, aligned(ALIGN))) int f##n(int x) { return x * 3 + n; }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)
void _start(void)
{
	int s = 0;
	for (long i = 0; i < 2000000; i++) {
		s = f0(s); s = f1(s); s = f2(s); s = f3(s); s = f4(s); s = f5(s);
		s = f6(s); s = f7(s); s = f8(s); s = f9(s); s = f10(s); s = f11(s);
	}
	__asm__ volatile("syscall" : : "a"(60), "D"(s == 12345));
	__builtin_unreachable();
}
C
cc -O1 -static-pie -nostdlib -fpie -DALIGN=4096 -o far hot.c || exit 1
cc -O1 -static-pie -nostdlib -fpie -DALIGN=64 -o near hot.c || exit 1

expect_exit 0 "$PB" measure --backend time --runs 15 --warmups 2 -o near.json -- ./near
expect_exit 0 "$PB" measure --backend time --runs 15 --warmups 2 -o far.json -- ./far
expect_eq "0" "$(jq .n_failed far.json)" "failed runs"

# B (far) against A (near): slower, by the median ratio with its CI and p-value.
expect_exit 0 "$PB" compare near.json far.json --json
expect_eq "slower" "$(jq -r .verdict out)" "compare's verdict on the 4 KiB placement"
expect_exit 1 "$PB" compare near.json far.json --fail-on-regression
expect_exit 0 "$PB" compare far.json near.json --json
expect_eq "faster" "$(jq -r .verdict out)" "and the other way round"

finish
