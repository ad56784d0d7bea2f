#!/usr/bin/env bash
# k-way bisection (--jobs 2, executor.jobs): the same culprit as one commit at a time, in fewer
# rounds, builds made in the job slots' worktrees, the rounds in the JSON; bad values rejected.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 24 15 --effect 8 --noise 2
cd repo
echo 1 > "$T/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 10, "warmups": 1,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 15$')
git status --porcelain > "$T/status.before"
sha1sum .git/index .git/HEAD > "$T/sums.before"

# One at a time: every bisection step is a round of its own.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json -q
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit, --jobs 1"
expect_eq 1 "$(jq -r .jobs "$T/out")" "jobs 1"
rounds1=$(jq -r .rounds "$T/out")
expect_eq "$rounds1" "$(jq '[.steps[] | select(.why == "bisect")] | length' "$T/out")" "a round per step"
expect_eq 0 "$(jq '[.steps[] | select(.build_slot)] | length' "$T/out")" "no job slot one at a time"

# Two at a time, from a clean state: the same culprit; 24 commits: ceil(log3 24) = 3 rounds (+2).
rm -rf .git/placebisect
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --jobs 2 --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit, --jobs 2"
expect_eq found "$(jq -r .status "$T/out")" "status, --jobs 2"
expect_eq 2 "$(jq -r .jobs "$T/out")" "jobs 2"
expect_eq true "$(jq '.rounds >= 3 and .rounds <= 5' "$T/out")" "rounds within ceil(log3 24) + 2"
expect_eq true "$(jq ".rounds < $rounds1" "$T/out")" "fewer rounds than one at a time"
expect_eq 2 "$(jq '[.steps[] | select(.round == 1)] | length' "$T/out")" "two commits in round 1"
expect_eq '[1,2]' "$(jq -c '[.steps[] | select(.round == 1) | .build_slot] | sort' "$T/out")" "round 1 built in slots 1 and 2"
expect_eq true "$(jq '[.steps[] | select(.why == "bisect") | .round] | . == sort' "$T/out")" "steps in round order"
expect_grep 'round 1: building 2 commits' "$T/err"
expect_eq 2 "$(find .git/placebisect/worktrees -mindepth 1 -maxdepth 1 -type d | wc -l)" "one worktree per slot"
expect_eq "$(jq -r .builds "$T/out")" "$(jq '[.steps[].commit] | unique | length' "$T/out")" "each commit built once"
# The slots built what a build in the main worktree builds: the cached binaries are the same.
expect_eq 0 "$(find .git/placebisect/builds -name '*.tmp*' | wc -l)" "no half-built cache entry"

# executor.jobs in the config; --jobs wins over it. Everything cached now: the same answer.
jq '. + {"executor": {"kind": "local", "jobs": 2}}' placebisect.json > "$T/cfg.json"
expect_exit 0 "$PB" bisect --config "$T/cfg.json" --good base --bad HEAD --bench work --json -q
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit, executor.jobs 2"
expect_eq 2 "$(jq -r .jobs "$T/out")" "jobs from executor.jobs"
expect_exit 0 "$PB" bisect --config "$T/cfg.json" --good base --bad HEAD --bench work --jobs 1 --json -q
expect_eq 1 "$(jq -r .jobs "$T/out")" "--jobs 1 over executor.jobs 2"

# Bad values name the option or key.
expect_exit 2 "$PB" bisect --good base --bad HEAD --bench work --jobs 0
expect_grep 'jobs' "$T/err"
jq '. + {"executor": {"jobs": 0}}' placebisect.json > "$T/bad.json"
expect_exit 2 "$PB" bisect --config "$T/bad.json" --good base --bad HEAD --bench work
expect_grep 'executor.jobs' "$T/err"
jq '. + {"executor": {"kind": "cloud"}}' placebisect.json > "$T/bad.json"
expect_exit 2 "$PB" bisect --config "$T/bad.json" --good base --bad HEAD --bench work
expect_grep 'executor.kind' "$T/err"

# The user's repository is as it was.
git status --porcelain > "$T/status.after"
sha1sum .git/index .git/HEAD > "$T/sums.after"
cmp -s "$T/status.before" "$T/status.after"; expect_eq 0 $? "working tree status unchanged"
cmp -s "$T/sums.before" "$T/sums.after"; expect_eq 0 $? "index and HEAD unchanged"
expect_eq "" "$(ls .git/worktrees 2>/dev/null)" "no .git/worktrees entry"

finish
