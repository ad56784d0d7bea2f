#!/usr/bin/env bash
# bisect end to end on a fixture repository: the exact culprit, the user's repository untouched
# (dirty tree, staged change, refs, index), a second run that builds and runs nothing.
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
good=$(git rev-parse base)
# A dirty user tree with a staged change, an untracked file, GIT_DIR/GIT_INDEX_FILE set as in a hook.
echo "local edit" >> README
echo "staged" > staged.txt && git add staged.txt
echo "untracked" > scratch.txt
git status --porcelain > "$T/status.before"
git for-each-ref > "$T/refs.before"
sha1sum .git/index .git/HEAD > "$T/sums.before"

GIT_DIR=$PWD/.git GIT_INDEX_FILE=$PWD/.git/index expect_exit 0 "$PB" --good base --bad HEAD --bench work --json -o "$T/result.json"
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit"
expect_eq "commit 15" "$(jq -r .culprit.subject "$T/out")" "culprit subject"
expect_eq "$(git rev-parse "$culprit^")" "$(jq -r .culprit.parent "$T/out")" "parent"
expect_eq '["README","prog.c"]' "$(jq -c .culprit.files "$T/out")" "files"
expect_eq found "$(jq -r .status "$T/out")" "status"
expect_eq placebisect.bisect/1 "$(jq -r .schema "$T/out")" "schema"
expect_eq "$good" "$(jq -r .good "$T/out")" "good"
expect_eq slower "$(jq -r .effect.verdict "$T/out")" "effect verdict"
expect_eq time "$(jq -r .backend "$T/out")" "backend"
expect_eq stdout "$(jq -r .metric "$T/out")" "metric"
expect_eq 24 "$(jq -r .commits "$T/out")" "commits"
expect_eq 0 "$(jq -r .builds_cached "$T/out")" "nothing cached on the first run"
expect_eq "$(jq -r .builds "$T/out")" "$(jq '[.steps[].commit] | unique | length' "$T/out")" "one build per measured commit"
expect_eq 1 "$(jq '[.steps[] | select(.verdict == "bad" and .why == "endpoint")] | length' "$T/out")" "bad endpoint step"
expect_eq true "$(jq '.runs_total < 20 * 7' "$T/out")" "fewer runs than a fixed 20 per step"
cmp -s "$T/out" "$T/result.json"; expect_eq 0 $? "-o and --json agree"
expect_grep 'building and measuring the good and bad commits' "$T/err"

# The user's repository is exactly as it was: tree, index, HEAD, refs; no git worktree registered.
git status --porcelain > "$T/status.after"
git for-each-ref > "$T/refs.after"
sha1sum .git/index .git/HEAD > "$T/sums.after"
cmp -s "$T/status.before" "$T/status.after"; expect_eq 0 $? "working tree status unchanged"
cmp -s "$T/refs.before" "$T/refs.after"; expect_eq 0 $? "refs unchanged"
cmp -s "$T/sums.before" "$T/sums.after"; expect_eq 0 $? "index and HEAD unchanged"
expect_eq "" "$(ls .git/worktrees 2>/dev/null)" "no .git/worktrees entry"
expect_eq "local edit" "$(tail -n 1 README)" "local edit kept"

# Again: everything comes from the caches.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit (cached)"
expect_eq 0 "$(jq -r .builds "$T/out")" "second run builds nothing"
expect_eq 0 "$(jq -r .runs_measured "$T/out")" "second run runs nothing"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"
expect_grep 'resuming the bisect of' "$T/err"

# The table on stdout names the culprit.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work -q
expect_grep "^First bad commit: $culprit commit 15$" "$T/out"
expect_eq "" "$(cat "$T/err")" "-q is quiet"

finish
