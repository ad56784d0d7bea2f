#!/bin/bash
# Debug symbols from a separate debug file: a program whose hot function is static (so not in
# .dynsym), stripped after `objcopy --only-keep-debug` and `--add-gnu-debuglink`, is profiled with
# its debug file found as gdb finds it: next to it, in .debug/ next to it, under the debug root
# ($PB_DEBUG_ROOT, default /usr/lib/debug) by its directory, and by build-id
# (ROOT/.build-id/xx/rest.debug). Without one, or with a debug file whose CRC (or build-id) does
# not match, the samples stay "[prog]".
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v objcopy >/dev/null || skip "no objcopy (binutils)"

cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
static __attribute__((noinline)) unsigned long hot_static(unsigned long x, long n)
{
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}
int main(int argc, char **argv)
{
	printf("%lu\n", hot_static(1, (argc > 1 ? atol(argv[1]) : 100) * 1000000L));
	return 0;
}
C
mkdir -p bin root
cc -g -O1 -o bin/prog prog.c || skip "cc cannot build the fixture"
objcopy --only-keep-debug bin/prog prog.debug
strip --strip-all bin/prog
objcopy --add-gnu-debuglink=prog.debug bin/prog
id=$(readelf -n bin/prog | sed -n 's/.*Build ID: *//p')
expect_grep '^[0-9a-f]{40}$' <(echo "$id")

# top FUNCTION: the hottest function's name in a profile of bin/prog with the debug root `root`.
top() {
	PB_DEBUG_ROOT=$T/root "$PB" profile -o p.json -- ./bin/prog 150 >"$T/out" 2>"$T/err" || {
		echo "profile failed: $(cat "$T/err")"
		return
	}
	jq -r '.functions[0].name' p.json
}
PB_DEBUG_ROOT=$T/root "$PB" profile -o p.json -- ./bin/prog 1 >out 2>err
if grep -q "cannot sample" err; then
	skip "perf_event sampling is not available here: $(cat err)"
fi
expect_eq "[prog]" "$(top)" "stripped, no debug file anywhere"
cp prog.debug bin/prog.debug
expect_eq "hot_static" "$(top)" "debug file next to the program (DIR/NAME)"
mkdir -p bin/.debug && mv bin/prog.debug bin/.debug/prog.debug
expect_eq "hot_static" "$(top)" "in DIR/.debug/NAME"
rm -r bin/.debug
mkdir -p "root$T/bin" && cp prog.debug "root$T/bin/prog.debug"
expect_eq "hot_static" "$(top)" "under the debug root by directory (ROOT/DIR/NAME)"
# A debug file that is not the one the link names (its CRC differs) is passed over.
printf 'x' >>"root$T/bin/prog.debug"
expect_eq "[prog]" "$(top)" "a debug file with the wrong CRC is not used"
rm -r "root$T"
mkdir -p "root/.build-id/${id:0:2}" && cp prog.debug "root/.build-id/${id:0:2}/${id:2}.debug"
expect_eq "hot_static" "$(top)" "by build-id (ROOT/.build-id/xx/rest.debug)"
# Another build's debug file at this build-id's place is not taken for it.
cc -g -O2 -DOTHER -o other prog.c && objcopy --only-keep-debug other "root/.build-id/${id:0:2}/${id:2}.debug"
expect_eq "[prog]" "$(top)" "a debug file with another build-id is not used"

finish
