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

# poll_until SECONDS CMD...: until CMD succeeds, checking every 0.05 s; after SECONDS it is a failure
# (returns 1). For tests that send signals or race processes: they wait for an observable state
# (a file, a journal line, a pid), never a fixed time, so a slow or busy machine only waits longer.
poll_until() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "FAIL: still not true after ${limit} s: $*"
			fails=$((fails + 1))
			return 1
		fi
		sleep 0.05
	done
}

# no_process PATTERN: no process's command line matches PATTERN (pgrep -f).
no_process() {
	! pgrep -f -- "$1" >/dev/null
}

# expect_no_process PATTERN WHAT: no process matching PATTERN is left, waiting at most 10 s for
# processes being killed to be gone.
expect_no_process() {
	n=$((n + 1))
	local end=$((SECONDS + 10))
	while pgrep -f -- "$1" >/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "FAIL: $2: processes left: $(pgrep -af -- "$1" | head -5)"
			fails=$((fails + 1))
			return 1
		fi
		sleep 0.05
	done
}
