#!/usr/bin/env bash
# bisect's bad inputs and inconclusive outcomes: each with its message and exit code.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 12 7 --effect 10 --noise 1 --broken 5,8
cd repo
echo 1 > "$T/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 8, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
c=$(git rev-parse --short=7 HEAD)
b=$(git rev-parse --short=7 base)

expect_exit 2 "$PB" bisect --good v9.9 --bad HEAD --bench work
expect_eq "placebisect: error: revision 'v9.9' not found in $PWD" "$(cat "$T/err")" "unknown revision"
expect_exit 2 "$PB" bisect --good HEAD --bad HEAD --bench work
expect_eq "placebisect: error: good and bad are the same commit ($c): nothing to bisect" "$(cat "$T/err")" "good == bad"
expect_exit 2 "$PB" bisect --good HEAD --bad base --bench work
expect_eq "placebisect: error: good $c is a descendant of bad $b: swap --good and --bad?" "$(cat "$T/err")" "swapped"
git checkout -q -b side base && echo x > side.txt && git add side.txt && git commit -q -m side && git checkout -q -
s=$(git rev-parse --short=7 side)
expect_exit 2 "$PB" bisect --good side --bad HEAD --bench work
expect_eq "placebisect: error: good $s is not an ancestor of bad $c: bisection needs good to be in bad's history (git merge-base --is-ancestor $s $c)" "$(cat "$T/err")" "not an ancestor"
expect_exit 2 "$PB" bisect --good base --bad HEAD --bench nope
expect_eq "placebisect: error: no benchmark 'nope' in $PWD/placebisect.json (configured: work)" "$(cat "$T/err")" "unknown benchmark"
expect_exit 2 "$PB" bisect --good base --bad HEAD
expect_grep 'bisect: --good, --bad and --bench are required' "$T/err"
expect_exit 2 "$PB" bisect --good base --bad HEAD --bench work --backend papi
expect_grep "papi" "$T/err"

# Builds fail at 5 and 8 (around the culprit, 7): the culprit is still found, the failures skipped.
culprit=$(git log --format=%H --grep='^commit 7$')
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit despite broken builds"
expect_eq true "$(jq '[.steps[] | select(.verdict == "skip") | .build_error | test("build.command failed \\(exit 1\\)")] | all' "$T/out")" "skips carry the build error"

# No regression between two fast commits: exit 4 with both summaries.
expect_exit 4 "$PB" bisect --good base --bad "$(git log --format=%H --grep='^commit 4$')" --bench work --json
expect_eq not-reproduced "$(jq -r .status "$T/out")" "not reproduced"
expect_eq null "$(jq -r .culprit "$T/out")" "no culprit"
expect_grep '^placebisect' "$T/err"

# An endpoint that cannot be built: inconclusive, naming it.
expect_exit 4 "$PB" bisect --good base --bad "$(git log --format=%H --grep='^commit 5$')" --bench work
expect_grep "^placebisect: error: the bad commit $(git rev-parse --short=7 "$(git log --format=%H --grep='^commit 5$')") cannot be built: build.command failed \(exit 1\)(, its last line ".*")?; see .*/\.git/placebisect/logs/build-[0-9a-f]{40}\.log$" "$T/err"

# Only skipped commits left: the culprit's parent cannot be built.
cd "$T"
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo2 10 6 --effect 10 --noise 1 --broken 5
cd repo2
cp ../repo/placebisect.json .
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq only-skipped "$(jq -r .status "$T/out")" "only skipped"
expect_eq '["commit 5","commit 6"]' "$(jq -c '[.candidates[].subject]' "$T/out")" "candidates"

# A second bisect while one holds the lock is refused with the holder's pid.
exec 9>.git/placebisect/lock
flock 9
echo 4242 > .git/placebisect/lock
expect_exit 3 "$PB" bisect --good base --bad HEAD --bench work
expect_grep "another placebisect \(pid 4242\) is bisecting this repository" "$T/err"
exec 9>&-

finish
