# lib.sh: sourced by tests/cli/t*.sh. $PB is the placebisect binary (set by ctest).
set -u
: "${PB:?PB (the placebisect binary) is set by ctest}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pbcli.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fails=0
n=0

# expect_exit CODE CMD...: run CMD (stdout to $T/out, stderr to $T/err: read them there, whatever the cwd).
expect_exit() {
	local want=$1 got
	shift
	n=$((n + 1))
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: '$*' exited $got, expected $want"
		sed 's/^/  stdout: /' "$T/out" | head -20
		sed 's/^/  stderr: /' "$T/err" | head -20
		fails=$((fails + 1))
		return 1
	fi
}

# expect_grep PATTERN FILE: FILE contains PATTERN (grep -E).
expect_grep() {
	n=$((n + 1))
	if ! grep -qE -- "$1" "$2"; then
		echo "FAIL: $2 does not match /$1/:"
		sed 's/^/  /' "$2" | head -20
		fails=$((fails + 1))
		return 1
	fi
}

# expect_eq WANT GOT WHAT
expect_eq() {
	n=$((n + 1))
	if [ "$1" != "$2" ]; then
		echo "FAIL: $3: expected '$1', got '$2'"
		fails=$((fails + 1))
		return 1
	fi
}

skip() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	echo "$((n - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}
