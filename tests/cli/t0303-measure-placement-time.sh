#!/bin/bash
# t0303-measure-placement-time.sh: with real clocks (--backend time), twelve hot functions 4 KiB apart are never reported faster than 64 B apart (slower, or unknown on a loaded machine).
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

# B (far) against A (near). Wall time on a shared machine: the two files are measured one after the
# other, so a co-tenant's burst can leave the comparison undecided; what must never happen is the wrong
# direction. The size of the effect is measured by bench/demo-wall.sh, its exact evidence by t0302.
expect_exit 0 "$PB" compare near.json far.json --json
v=$(jq -r .verdict out)
case $v in slower | unknown) expect_eq "$v" "$v" "verdict" ;; *) expect_eq "slower or unknown" "$v" "compare's verdict on the 4 KiB placement" ;; esac
if [ "$v" = slower ]; then
	expect_exit 1 "$PB" compare near.json far.json --fail-on-regression
fi
expect_exit 0 "$PB" compare far.json near.json --json
v=$(jq -r .verdict out)
case $v in faster | unknown) expect_eq "$v" "$v" "verdict" ;; *) expect_eq "faster or unknown" "$v" "and the other way round" ;; esac

finish
