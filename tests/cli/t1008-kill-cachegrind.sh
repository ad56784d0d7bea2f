#!/usr/bin/env bash
# SIGKILL of placebisect during a cachegrind run (F6 of issue #16): the benchmark (a process tree
# under valgrind, in a process group of its own) dies with it instead of running on re-parented to
# init, and the run's temporary directory, kept under the state directory, is gone after the
# resume; nothing is created in $TMPDIR. Then the bisect resumes to the right culprit.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 6 4 --effect 10 --noise 0
cd repo
mkdir "$T/tmp"
# While $T/slow exists the benchmark starts a sleep (a unique argument to find it; its output, and
# valgrind's, to /dev/null: nothing it does would fail once placebisect is gone), says so, and
# waits for it.
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "if [ -e $T/slow ]; then sleep 38.25 >/dev/null 2>&1 & touch $T/started; wait; fi; {binary}",
                            "metric": "instructions" } },
  "measure": { "backend": "cachegrind" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 4$')
state=$PWD/.git/placebisect

running() { [ -e "$T/started" ] && pgrep -f "sleep 38.25" >/dev/null; }
for i in 1 2; do
	touch "$T/slow"
	rm -f "$T/started"
	TMPDIR=$T/tmp "$PB" bisect --good base --bad HEAD --bench work -q >/dev/null 2>"$T/err.$i" &
	pid=$!
	poll_until 120 running
	expect_eq 1 "$(find "$state/tmp" -mindepth 1 -maxdepth 1 -type d | wc -l)" "kill $i: the run's directory is under the state directory"
	kill -KILL $pid
	wait $pid 2>/dev/null
	expect_no_process "sleep 38.25" "kill $i: the benchmark died with placebisect"
done
rm "$T/slow"

TMPDIR=$T/tmp expect_exit 0 timeout 300 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "the culprit after the kills"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"
expect_eq "" "$(find "$state/tmp" -mindepth 1)" "no temporary directory left under the state directory"
expect_eq "" "$(find "$T/tmp" -mindepth 1)" "nothing in \$TMPDIR"
expect_no_process "valgrind.*$T" "no valgrind left"
finish
