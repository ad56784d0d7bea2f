#!/usr/bin/env bash
# bisect on a deterministic metric (cachegrind instruction counts): each endpoint twice (the repeat
# check: the same count both times), one run per other commit, exact culprit.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 16 11 --effect 10 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions", "runs": 5 } },
  "measure": { "backend": "cachegrind" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 11$')
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit"
expect_eq cachegrind "$(jq -r .backend "$T/out")" "backend"
expect_eq instructions "$(jq -r .metric "$T/out")" "metric"
expect_eq '[2,2]' "$(jq -c '[.steps[:2][].runs]' "$T/out")" "each endpoint twice"
expect_eq '[1]' "$(jq -c '[.steps[2:][].runs] | unique' "$T/out")" "one run per other step"
expect_eq "$(jq '(.steps | length) + 2' "$T/out")" "$(jq .runs_total "$T/out")" "runs = steps + 2"
expect_eq true "$(jq .exact "$T/out")" "judged exactly"
expect_eq 0 "$(jq .repeat.spread "$T/out")" "the endpoints repeated"
expect_eq true "$(jq '.repeat.good[0] == .repeat.good[1] and .repeat.bad[0] == .repeat.bad[1]' "$T/out")" "the same count twice"
expect_eq 0 "$(grep -c 'two different counts' "$T/err")" "no repeat warning"
expect_eq same-or-slower "$(jq -r 'if .effect.ratio > 1.02 then "same-or-slower" else "no" end' "$T/out")" "10% more loop work"
expect_eq 0 "$(jq '[.steps[] | select(.verdict == "unknown" or .verdict == "skip")] | length' "$T/out")" "no undecided step"

finish
