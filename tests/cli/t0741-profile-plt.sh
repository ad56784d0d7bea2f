#!/bin/bash
# PLT stubs named like perf names them: a program calling libc's memcpy and abs in a hot loop
# through the PLT, linked lazily (.plt) and with IBT and -z now (.plt.sec): the samples in the
# stubs are "memcpy@plt"/"abs@plt" of the program, not "[prog]", in the list and as the leaves of
# the folded stacks (a frame-pointer walk from a stub skips its caller, as from any leaf that sets
# up no frame; every stub's address against objdump: tests/unit/layout/test_plt.c).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"

cat >plt.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	char a[64], b[64];
	unsigned long s = 0;
	long n = argc > 1 ? atol(argv[1]) : 1000;
	memset(a, argc, sizeof(a));
	for (long i = 0; i < n * 10000; i++) {
		memcpy(b, a, (size_t)(argc + 38));
		s += (unsigned char)b[i & 31];
		s += (unsigned long)abs((int)(i & 7) - 3);
	}
	printf("%lu\n", s);
	return 0;
}
C
cc -O1 -fno-builtin -o lazy plt.c || skip "cc cannot build the fixture"
for prog in lazy ibtnow; do
	if [ $prog = ibtnow ] &&
		! cc -O1 -fno-builtin -fcf-protection=full -Wl,-z,ibtplt,-z,now -o ibtnow plt.c 2>/dev/null; then
		echo "note: cc cannot link with -z ibtplt here; the .plt.sec layout is left untested"
		continue
	fi
	expect_exit 0 "$PB" profile --folded $prog.folded -o $prog.json -- ./$prog 2500
	if grep -q "cannot sample" err; then
		skip "perf_event sampling is not available here: $(cat err)"
	fi
	jq -r '.functions[:6][] | "\(.samples) \(.name) \(.object)"' $prog.json
	for fn in memcpy abs; do
		expect_eq "$PWD/$prog" "$(jq -r --arg f "$fn@plt" '.functions[] | select(.name == $f) | .object' $prog.json)" \
			"$prog: $fn@plt is the program's"
		expect_grep "(^|;)$fn@plt [0-9]+$" $prog.folded
	done
	expect_eq "0" "$(jq --arg o "[$prog]" '[.functions[] | select(.name == $o)] | length' $prog.json)" \
		"$prog: no unnamed code left in the program"
done

finish
