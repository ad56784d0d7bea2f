#!/usr/bin/env bash
# bisect when the first-parent culprit is a merge: the result says so and names the merged range
# (merge^1..merge^2) and how many commits it brought in; a plain culprit has no merge object.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

# commit 6 merges "topic 1..3" (topic 1 is slower); commit 12 is a plain, second regression.
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 14 6 --effect 10 --merge 3 --k2 12 \
	--effect2 10 --noise 1
cd repo
echo 1 > "$T/counter"
cat > "$T/placebisect.json" <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 6, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
rev() { git log --format=%H --grep="^$1\$"; }
merge=$(rev "commit 6")
p1=$(git rev-parse "$merge^1")
p2=$(git rev-parse "$merge^2")
expect_eq "$(rev "topic 3")" "$p2" "fixture: the merge's second parent is topic 3"

expect_exit 0 "$PB" bisect --config "$T/placebisect.json" --good base --bad "$(rev "commit 9")" \
	--bench work --json
expect_eq "$merge" "$(jq -r .culprit.commit "$T/out")" "culprit is the merge"
expect_eq "$p1" "$(jq -r .culprit.parent "$T/out")" "parent is the first parent"
expect_eq "[\"$p1\",\"$p2\"]" "$(jq -c .culprit.merge.parents "$T/out")" "merge parents"
expect_eq "$p1..$p2" "$(jq -r .culprit.merge.merged_range "$T/out")" "merged range"
expect_eq 3 "$(jq -r .culprit.merge.merged_commits "$T/out")" "merged commits"
expect_eq 3 "$(git rev-list --count "$(jq -r .culprit.merge.merged_range "$T/out")")" \
	"the range is git revision syntax for the merged commits"
expect_eq "$p1..$p2" "$(jq -r '.culprits[0].merge.merged_range' "$T/out")" "culprits[] too"
expect_eq false "$(jq '[.steps[].commit] | any(. == "'"$p2"'")' "$T/out")" \
	"only the first-parent chain is bisected"

# The table says it in words.
expect_exit 0 "$PB" bisect --config "$T/placebisect.json" --good base --bad "$(rev "commit 9")" \
	--bench work -q
expect_grep "^First bad commit: $merge commit 6$" "$T/out"
expect_grep "^  It is a merge: the change came with the 3 commits it merged, $p1\.\.$p2$" "$T/out"

# A plain culprit: no merge object, no merge line.
expect_exit 0 "$PB" bisect --config "$T/placebisect.json" --good "$(rev "commit 8")" --bad HEAD \
	--bench work --json
expect_eq "$(rev "commit 12")" "$(jq -r .culprit.commit "$T/out")" "plain culprit"
expect_eq null "$(jq -c .culprit.merge "$T/out")" "no merge object for a plain commit"
expect_exit 0 "$PB" bisect --config "$T/placebisect.json" --good "$(rev "commit 8")" --bad HEAD \
	--bench work -q
expect_eq 0 "$(grep -c 'It is a merge' "$T/out")" "no merge line for a plain commit"

finish
