#!/usr/bin/env bash
# nightly on a deterministic metric (cachegrind: one run per commit): the newest value against
# its baseline's level decides at once, even when the baseline's commits differ by a few
# instructions (the benchmark also greps README, which grows a line a commit); exit codes
# 0 0 0 1 0, the culprit exact and attributed to a change of the code (30% more loop work).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 10 7 --effect 30 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary} && grep -c change README", "metric": "instructions" } },
  "measure": { "backend": "cachegrind" }
}
JSON
rev() { git log --format=%H --grep="^commit $1\$"; }
codes=""
for c in 2 4 6 8 10; do
	"$PB" nightly --bench work --history "$T/hist" --machine m --rev "$(rev $c)" -q \
		-o "$T/n$c.json" >"$T/out$c" 2>"$T/err$c"
	codes="$codes $?"
done
expect_eq " 0 0 0 1 0" "$codes" "exit codes"
expect_eq true "$(jq '[.entries[0:3][].median] | unique | length > 1' "$T/hist/index.json")" "the baseline's values differ"
expect_eq "cachegrind instructions 1" "$(jq -r '"\(.backend) \(.metric) \(.runs)"' "$T/n8.json")" "one exact run"
expect_eq "slower 0" "$(jq -r '"\(.baseline.verdict) \(.baseline.p_value)"' "$T/n8.json")" "decided exactly"
expect_eq "$(rev 7)" "$(jq -r .culprit.commit "$T/n8.json")" "culprit"
expect_eq code-change "$(jq -r .culprit.verdict "$T/n8.json")" "attribution"
expect_eq "open $(rev 7)" "$(jq -r '"\(.regressions[0].status) \(.regressions[0].culprit.commit)"' "$T/n10.json")" "open at 10"

finish
