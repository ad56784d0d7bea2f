#!/usr/bin/env bash
# measure --rev: the revision is built in the private worktree (cached) and measured there;
# compare then tells the slow revision from the fast one. The user's tree is not touched.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 6 4 --effect 10 --noise 1
cd repo
echo 1 > "$T/counter"
cat > "$T/pb.json" <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 8, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
fast=$(git log --format=%H --grep='^commit 2$')
slow=$(git log --format=%H --grep='^commit 5$')
git status --porcelain > "$T/status.before"

expect_exit 0 "$PB" measure --config "$T/pb.json" --rev "$fast" --bench work -o "$T/a.json" -q
expect_eq "$fast" "$(jq -r .commit "$T/a.json")" "commit recorded"
expect_eq 8 "$(jq -r .summary.n "$T/a.json")" "runs"
expect_exit 0 "$PB" measure --config "$T/pb.json" --rev "$slow" --bench work -o "$T/b.json" -q
expect_exit 1 "$PB" compare "$T/a.json" "$T/b.json" --fail-on-regression --json
expect_eq slower "$(jq -r .verdict "$T/out")" "slower"

# The build was cached: measuring again builds nothing (no new build log).
before=$(ls .git/placebisect/logs | wc -l)
expect_exit 0 "$PB" measure --config "$T/pb.json" --rev "$fast" --bench work -q
expect_eq "$before" "$(ls .git/placebisect/logs | wc -l)" "no rebuild"

expect_exit 2 "$PB" measure --config "$T/pb.json" --rev nope --bench work
expect_eq "placebisect: error: revision 'nope' not found in $PWD" "$(cat "$T/err")" "unknown revision"
git status --porcelain | cmp -s - "$T/status.before"; expect_eq 0 $? "user tree untouched"

finish
