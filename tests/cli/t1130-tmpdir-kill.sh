#!/usr/bin/env bash
# Temporary directories of commands that take no lock. In a repository, `annotate --bench` without
# --rev puts callgrind's directory under the state directory's tmp/, never in $TMPDIR; killed with
# SIGKILL it leaves it there, and the next run removes it. Outside a repository $TMPDIR it is: a
# SIGKILL'd `annotate -- CMD` leaves its placebisect-callgrind.PID.* directory, which the next
# run (profile --calls) sweeps because PID is gone, while a running process's stays; SIGTERM'd
# `profile --calls -- CMD` stops with exit 130 and removes its own. `order -- CMD` in a repository
# uses the state directory too.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (annotate runs callgrind)"

cat > prog.c <<'C'
static volatile unsigned long sink;
__attribute__((noinline)) static void work(void) { for (unsigned long i = 0; i < 100000UL; i++) sink += i; }
int main(void) { work(); return 0; }
C
cc -O1 -g -o prog prog.c || skip "cc cannot build the fixture"
mkdir "$T/tmp"
# While $T/slow exists the command starts a sleep (a unique argument to find it), says so, and
# waits for it.
slow="if [ -e $T/slow ]; then sleep 37.25 >/dev/null 2>&1 & touch $T/started; wait; fi"
running() { [ -e "$T/started" ] && pgrep -f "sleep 37.25" >/dev/null; }
# kill_when_running SIGNAL PID: once the slow command runs, send SIGNAL and reap PID ($rc: its status).
kill_when_running() {
	poll_until 120 running
	kill -"$1" "$2"
	wait "$2" 2>/dev/null
	rc=$?
	expect_no_process "sleep 37.25" "the command died with placebisect ($1)"
	rm -f "$T/started"
}

# --- in a repository: the state directory ---
git init -q repo
cd repo
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
cp ../prog.c .
git add prog.c
git commit -q -m "work"
cc -O1 -g -o prog prog.c
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -g -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "$slow; {binary}", "metric": "wall" } }
}
JSON
state=$PWD/.git/placebisect
touch "$T/slow"
TMPDIR=$T/tmp "$PB" annotate --bench work -q >/dev/null 2>"$T/err.kill" &
pid=$!
poll_until 120 running
expect_eq 1 "$(find "$state/tmp" -mindepth 1 -maxdepth 1 -type d -name "placebisect-callgrind.$pid.*" | wc -l)" \
	"callgrind's directory is under the state directory, named by the pid"
kill_when_running KILL $pid
expect_eq "" "$(find "$T/tmp" -mindepth 1)" "nothing in \$TMPDIR after the kill"
expect_eq 1 "$(find "$state/tmp" -mindepth 1 -maxdepth 1 -name "placebisect-callgrind.$pid.*" | wc -l)" \
	"the killed run's directory is left"
rm "$T/slow"
TMPDIR=$T/tmp expect_exit 0 "$PB" annotate --bench work --top 1 --json
expect_eq work "$(jq -r '.functions[0].name' "$T/out")" "annotated after the kill"
expect_eq "" "$(find "$state/tmp" -mindepth 1)" "the next run removed the killed run's directory"
TMPDIR=$T/tmp expect_exit 0 "$PB" order --format hot -- ./prog
expect_grep '^work$' "$T/out"
expect_eq "" "$(find "$state/tmp" "$T/tmp" -mindepth 1)" "order: nothing left"
cd "$T"

# --- outside a repository: $TMPDIR, swept by the next run ---
mkdir outside
cd outside
touch "$T/slow"
TMPDIR=$T/tmp "$PB" annotate -q -- sh -c "$slow; ../prog" >/dev/null 2>"$T/err.kill2" &
pid=$!
poll_until 120 running
expect_eq 1 "$(find "$T/tmp" -mindepth 1 -maxdepth 1 -type d -name "placebisect-callgrind.$pid.*" | wc -l)" \
	"outside a repository callgrind's directory is in \$TMPDIR, named by the pid"
kill_when_running KILL $pid
expect_eq 1 "$(find "$T/tmp" -mindepth 1 -maxdepth 1 -name "placebisect-callgrind.$pid.*" | wc -l)" \
	"SIGKILL leaves it"
# A running process's directory (this shell's) is not swept; a dead one's is.
mkdir "$T/tmp/placebisect-cg.$$.AbC123"
rm "$T/slow"
TMPDIR=$T/tmp expect_exit 0 "$PB" profile --backend cachegrind --calls --top 1 --json -- ../prog
expect_eq 1 "$(jq '[.functions[] | select(.name == "work")][0].calls' "$T/out")" "work called once"
expect_eq "$T/tmp/placebisect-cg.$$.AbC123" "$(find "$T/tmp" -mindepth 1)" \
	"the killed run's directory swept, the running process's kept"
rmdir "$T/tmp/placebisect-cg.$$.AbC123"

# SIGTERM: profile --calls stops (130) and removes its own directory.
touch "$T/slow"
# (slow on the second run only: the one under callgrind, after the profile's own under cachegrind)
rm -f "$T/ran"
TMPDIR=$T/tmp "$PB" profile --backend cachegrind --calls -q -- \
	sh -c "if [ -e $T/ran ]; then $slow; fi; touch $T/ran; ../prog" >/dev/null 2>"$T/err.term" &
pid=$!
poll_until 120 running
expect_eq 1 "$(find "$T/tmp" -mindepth 1 -maxdepth 1 -type d -name "placebisect-callgrind.$pid.*" | wc -l)" \
	"profile --calls: callgrind's directory in \$TMPDIR"
kill_when_running TERM $pid
expect_eq 130 "$rc" "SIGTERM: exit code ($(cat "$T/err.term"))"
expect_grep "interrupted" "$T/err.term"
expect_eq "" "$(find "$T/tmp" -mindepth 1)" "nothing in \$TMPDIR after SIGTERM"
rm "$T/slow"
expect_no_process "valgrind.*$T" "no valgrind left"
finish
