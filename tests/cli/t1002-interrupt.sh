#!/usr/bin/env bash
# SIGINT during a build and during a benchmark run: exit 130, the message says how to resume, the
# command's whole process group is gone, the user's tree untouched, nothing half-written left;
# a second SIGINT ends at once and still leaves no process behind. The bisect then resumes.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 12 7 --effect 8 --noise 0
cd repo
# Marker files make the build or the benchmark slow (and say when it started); the commands stay
# the same, so the caches' keys do too. Each slow phase runs a `sleep` with a unique argument to
# find it by; the stubborn benchmark ignores SIGTERM, as some do (its shell notes the SIGTERM in
# $T/termed and waits on).
cat > placebisect.json <<JSON
{
  "build": { "command": "if [ -e $T/slow-build ]; then touch $T/building; sleep 31.25 & wait; fi; cc -O1 -o prog prog.c",
             "binary": "prog" },
  "benchmarks": { "work": { "command": "if [ -e $T/slow-run ]; then touch $T/running; sleep 32.25; fi; if [ -e $T/stubborn ]; then trap 'touch $T/termed' TERM; (trap '' TERM; exec sleep 33.25) & touch $T/running; while kill -0 \$! 2>/dev/null; do wait \$!; done; fi; exec {binary}",
                            "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 7$')
echo "local edit" >> README
git status --porcelain > "$T/status.before"
sha1sum .git/index > "$T/index.before"

wait_for() { # FILE: until it exists (at most 120 s: a busy machine is slow to start a build)
	poll_until 120 test -e "$1"
}

# left SLEEP_ARG WHAT: no process of that sleep is left (waiting for the killed ones to be gone).
left() {
	expect_no_process "sleep $1" "$2: no process of the command left"
}

untouched() { # WHAT
	git status --porcelain > "$T/status.after"
	cmp -s "$T/status.before" "$T/status.after"; expect_eq 0 $? "$1: working tree status unchanged"
	expect_eq "$(cat "$T/index.before")" "$(sha1sum .git/index)" "$1: index unchanged"
	expect_eq "" "$(find .git/placebisect -name '*.tmp*')" "$1: no temporary file left"
}

# During a build.
touch "$T/slow-build"
"$PB" bisect --good base --bad HEAD --bench work >"$T/out" 2>"$T/err" &
pid=$!
wait_for "$T/building"
kill -INT $pid
wait $pid
expect_eq 130 $? "SIGINT during a build: exit code"
expect_grep "^placebisect: error: stopped; what was measured is kept, run the same command again to resume: interrupted while building [0-9a-f]{7}$" "$T/err"
left 31.25 "SIGINT during a build"
untouched "SIGINT during a build"
rm "$T/slow-build" "$T/building"

# During a run.
touch "$T/slow-run"
"$PB" bisect --good base --bad HEAD --bench work >"$T/out" 2>"$T/err" &
pid=$!
wait_for "$T/running"
kill -INT $pid
wait $pid
expect_eq 130 $? "SIGINT during a run: exit code"
expect_grep "^placebisect: error: stopped; what was measured is kept, run the same command again to resume: " "$T/err"
left 32.25 "SIGINT during a run"
untouched "SIGINT during a run"
rm "$T/slow-run" "$T/running"

# A second SIGINT while the first is still stopping a benchmark that ignores SIGTERM.
touch "$T/stubborn"
"$PB" bisect --good base --bad HEAD --bench work >"$T/out" 2>"$T/err" &
pid=$!
wait_for "$T/running"
kill -INT $pid
# The second once the first is being handled: the benchmark got its SIGTERM and ignored it.
poll_until 60 test -e "$T/termed"
kill -INT $pid
wait $pid
expect_eq 130 $? "second SIGINT: exit code"
left 33.25 "second SIGINT"
untouched "second SIGINT"
rm "$T/stubborn"

# Everything resumes.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit after the interruptions"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"
untouched "after the resume"
finish
