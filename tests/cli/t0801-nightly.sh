#!/usr/bin/env bash
# nightly end to end: nightlies every three commits of a fixture repository with one regressing
# commit (11) between two of them, and a fix (19) later: exit codes 0 0 0 1 0 0 0, the culprit
# exact, the summary naming it, the regression listed as open until the level recovers; a rerun
# at the same commit measures nothing; history show prints the series and plots it; backfill
# seeds a history without alerting.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

# The fixture's counter makes its 1% noise a fixed sequence: the same values on every run.
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 21 11 --effect 8 --k2 19 --effect2 -8 --noise 1
cd repo
echo 1 > "$T/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 5, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
rev() { git log --format=%H --grep="^commit $1\$"; }
culprit=$(rev 11)

codes=""
for c in 3 6 9 12 15 18 21; do
	"$PB" nightly --bench work --history "$T/hist" --machine ci --rev "$(rev $c)" \
		--summary "$T/summary.md" -o "$T/n$c.json" >"$T/out$c" 2>"$T/err$c"
	codes="$codes $?"
	# The series before the fix, for history show below.
	[ $c = 18 ] && "$PB" history show --bench work --history "$T/hist" --svg "$T/series.svg" \
		>"$T/show18" 2>&1
done
expect_eq " 0 0 0 1 0 0 0" "$codes" "exit codes of the nightlies"

# The run at 12 found it: the two-sample verdict, bisected between the nightlies at 9 and 12.
expect_eq placebisect.nightly/1 "$(jq -r .schema "$T/n12.json")" "schema"
expect_eq true "$(jq -r .regression "$T/n12.json")" "regression at 12"
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/n12.json")" "culprit"
expect_eq "commit 11" "$(jq -r .culprit.subject "$T/n12.json")" "culprit subject"
expect_eq slower "$(jq -r .culprit.effect.verdict "$T/n12.json")" "culprit effect"
expect_eq slower "$(jq -r .baseline.verdict "$T/n12.json")" "two-sample verdict"
expect_eq 3 "$(jq -r .baseline.points "$T/n12.json")" "baseline points"
expect_eq "newest $(rev 9) $(rev 12) found" \
	"$(jq -r '.regressions[0] | "\(.found_by) \(.good) \(.bad) \(.bisect_status)"' "$T/n12.json")" "regression range"
expect_eq "$(rev 12)" "$(jq -r '.change_points[0].commit' "$T/n12.json")" "E-Divisive agrees"
bisect_json=$(jq -r .culprit.bisect "$T/n12.json")
expect_eq placebisect.bisect/1 "$(jq -r .schema "$bisect_json")" "bisect result written"
expect_eq "$culprit" "$(jq -r .culprit.commit "$bisect_json")" "bisect result culprit"
report=$(jq -r .report "$T/n12.json")
expect_eq "$T/hist/reports/work-ci-$(rev 12 | cut -c1-12).md" "$report" "report path"
expect_eq "$report" "$(jq -r .culprit.report "$T/n12.json")" "the culprit's report"
expect_grep "$culprit" "$report"
expect_grep "^NEW regression: \+[0-9.]+% between" "$T/out12"
expect_grep "^  report: $report$" "$T/out12"
expect_grep "^  culprit: $culprit commit 11" "$T/out12"

# Later runs: not alerted again, listed as open; the fix at 19 recovers it.
for c in 15 18; do
	expect_eq "false open $culprit" \
		"$(jq -r '"\(.regression) \(.regressions[0].status) \(.regressions[0].culprit.commit)"' "$T/n$c.json")" "open at $c"
done
expect_eq "false 0" "$(jq -r '"\(.regression) \(.regressions | length)"' "$T/n21.json")" "recovered at 21"
expect_eq recovered "$(jq -r '.alerts[0].status' "$T/hist/index.json")" "alert recovered in the index"
expect_eq 1 "$(jq '.alerts | length' "$T/hist/index.json")" "alerted once"
expect_eq 7 "$(jq '.entries | length' "$T/hist/index.json")" "seven points"
# Commits 3, 6 and 9 only changed the README: the same code, the same .text hash.
expect_eq 1 "$(jq '[.entries[0:3][].text_hash] | unique | length' "$T/hist/index.json")" "same .text"

# The summary: one section per run, the regression's row names the culprit.
expect_eq 7 "$(grep -c '^### placebisect nightly: work' "$T/summary.md")" "summary sections"
expect_grep "^\| work \| new \| \`${culprit:0:12}\` commit 11 \| \+[0-9.]+% \| (code-change|code-placement|inconclusive) \| \[report\]\(hist/reports/work-ci-$(rev 12 | cut -c1-12)\.md\) \|$" "$T/summary.md"
expect_eq 2 "$(grep -c "^| work | open | \`${culprit:0:12}\` commit 11" "$T/summary.md")" "listed open twice"

# The same commit again: nothing measured, nothing alerted.
before=$(cat "$T/counter")
expect_exit 0 "$PB" nightly --bench work --history "$T/hist" --machine ci --rev "$(rev 21)" --json
expect_eq false "$(jq -r .measured "$T/out")" "not measured again"
expect_eq "$before" "$(cat "$T/counter")" "no benchmark run"

# history show (after the nightly at 18): the series, its change point, an SVG that parses.
expect_grep "^History of work on ci \(metric stdout, backend time, config [0-9a-f]{16}\): 6 points, 1 change point\.$" "$T/show18"
expect_grep "^3  $(rev 12 | cut -c1-7) +[0-9.]+ k +5  change \+[0-9.]+%  commit 12$" "$T/show18"
if command -v xmllint >/dev/null; then
	xmllint --noout "$T/series.svg"
	expect_eq 0 $? "SVG parses"
fi
expect_eq 6 "$(grep -c '<circle' "$T/series.svg")" "a dot per point"
expect_eq 1 "$(grep -c 'stroke-dasharray' "$T/series.svg")" "a dashed line per change point"
expect_grep ">$(rev 12 | cut -c1-7)</text>" "$T/series.svg"
# After the fix, the bump (three points up, one down) is not significant for E-Divisive's t-test
# over seven points; the JSON has all seven.
expect_exit 0 "$PB" history show --bench work --history "$T/hist" --json
expect_eq 7 "$(jq '.points | length' "$T/out")" "points (JSON)"
expect_eq "$(rev 21)" "$(jq -r '.points[6].commit' "$T/out")" "newest point (JSON)"
expect_exit 2 "$PB" history show --bench nosuch --history "$T/hist"
expect_grep "no point of benchmark 'nosuch' in the history; it has work" "$T/err"
expect_exit 2 "$PB" history show --bench work --history "$T/nosuch"
expect_grep "no such history directory" "$T/err"

# Backfill: every third commit of base..HEAD seeds a new history; the change found is recorded
# as seeded, not alerted (exit 0), and the next nightly does not alert it either.
expect_exit 0 "$PB" nightly --bench work --history "$T/seeded" --machine ci --backfill base..HEAD~3 --every 3 --json
expect_eq 6 "$(jq -r .backfilled "$T/out")" "backfilled points"
expect_eq "false" "$(jq -r .regression "$T/out")" "backfill alerts nothing"
expect_eq seeded "$(jq -r '.alerts[0].status' "$T/seeded/index.json")" "seeded"
expect_eq "$(rev 12)" "$(jq -r '.alerts[0].bad' "$T/seeded/index.json")" "seeded change"
expect_exit 0 "$PB" nightly --bench work --history "$T/seeded" --machine ci --rev "$(rev 21)"

expect_exit 2 "$PB" nightly --bench work
expect_grep "nightly: --bench and --history are required" "$T/err"
expect_exit 2 "$PB" nightly --bench work --history "$T/h2" --backfill HEAD
expect_grep "expected a range A..B" "$T/err"

finish
