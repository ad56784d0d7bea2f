#!/usr/bin/env bash
# SIGKILL of `annotate --rev` while its benchmark runs under callgrind: the benchmark dies with
# placebisect, callgrind's directory was under the state directory (tmp/, which the next start
# empties), never in $TMPDIR; the next annotate empties it and succeeds.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (annotate runs callgrind)"

git init -q repo
cd repo
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
cat > prog.c <<'C'
static volatile unsigned long sink;
int main(void) { for (unsigned long i = 0; i < 100000UL; i++) sink += i; return 0; }
C
git add prog.c
git commit -q -m "work"
mkdir "$T/tmp"
# While $T/slow exists the benchmark starts a sleep (a unique argument to find it), says so, and
# waits for it.
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -g -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "if [ -e $T/slow ]; then sleep 37.75 >/dev/null 2>&1 & touch $T/started; wait; fi; {binary}",
                            "metric": "wall" } }
}
JSON
state=$PWD/.git/placebisect

running() { [ -e "$T/started" ] && pgrep -f "sleep 37.75" >/dev/null; }
touch "$T/slow"
TMPDIR=$T/tmp "$PB" annotate --rev HEAD --bench work -q >/dev/null 2>"$T/err.kill" &
pid=$!
poll_until 120 running
expect_eq 1 "$(find "$state/tmp" -mindepth 1 -maxdepth 1 -type d -name 'placebisect-callgrind.*' | wc -l)" \
	"callgrind's directory is under the state directory"
kill -KILL $pid
wait $pid 2>/dev/null
expect_no_process "sleep 37.75" "the benchmark died with placebisect"
expect_eq "" "$(find "$T/tmp" -mindepth 1)" "nothing in \$TMPDIR after the kill"
rm "$T/slow"

TMPDIR=$T/tmp expect_exit 0 "$PB" annotate --rev HEAD --bench work --top 1 --json
expect_eq main "$(jq -r '.functions[0].name' "$T/out")" "annotated after the kill"
expect_eq "" "$(find "$state/tmp" -mindepth 1)" "the killed run's directory is gone from the state directory"
expect_eq "" "$(find "$T/tmp" -mindepth 1)" "nothing in \$TMPDIR"
expect_no_process "valgrind.*$T" "no valgrind left"
finish
