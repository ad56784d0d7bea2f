#!/usr/bin/env bash
# bisect on a deterministic metric (cachegrind instruction counts): one run per commit, exact culprit.
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
expect_eq '[1]' "$(jq -c '[.steps[].runs] | unique' "$T/out")" "one run per step"
expect_eq "$(jq '.steps | length' "$T/out")" "$(jq .runs_total "$T/out")" "runs = steps"
expect_eq same-or-slower "$(jq -r 'if .effect.ratio > 1.02 then "same-or-slower" else "no" end' "$T/out")" "10% more loop work"
expect_eq 0 "$(jq '[.steps[] | select(.verdict == "unknown" or .verdict == "skip")] | length' "$T/out")" "no undecided step"

finish
