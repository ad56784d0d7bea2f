#!/bin/sh
# smoke.sh [MINIVM]: quick end-to-end checks of a minivm binary (default ./minivm).
set -u
vm=${1:-./minivm}
# VALGRIND=1 runs every check under valgrind's memcheck.
if [ "${VALGRIND:-0}" = 1 ]; then
	vm="valgrind -q --error-exitcode=99 --leak-check=full $vm"
fi
failed=0

# check WANT CMD...: CMD's output (stdout and stderr) must be WANT.
check() {
	want=$1
	shift
	# shellcheck disable=SC2086 # $vm may be a command with arguments
	got=$($@ 2>&1)
	if [ "$got" != "$want" ]; then
		echo "FAIL: $*"
		echo "  got:  $got"
		echo "  want: $want"
		failed=1
	fi
}

check "call_simple: 10 iterations, checksum 55" "$vm" call_simple 10
check "call_simple: 1 iterations, checksum 1" "$vm" call_simple 1
check "minivm: bad iteration count 'x'" "$vm" call_simple x

check "call_method: 10 iterations, checksum -281" "$vm" call_method 10
check "attr_access: 10 iterations, checksum 385" "$vm" attr_access 10
check "minivm: unknown benchmark 'nope' (minivm --list shows them)" "$vm" nope
# Every benchmark runs to completion with a small count.
for b in $($vm --list); do
	$vm "$b" 100 >/dev/null || { echo "FAIL: $b 100"; failed=1; }
done
check "minivm: bad iteration count '0'" "$vm" call_method 0
check "minivm: bad iteration count '12x'" "$vm" call_method 12x
check "minivm 1.2" "$vm" --version
[ "$failed" -eq 0 ] && echo "smoke: all passed"
exit "$failed"
