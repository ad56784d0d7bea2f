#!/usr/bin/env bash
# bisect's confirmations stop as soon as the fresh blocks decide (Wald's SPRT on the blocks' signs,
# measure/seqtest.h): with a regression far above the noise every block adds the bet's largest step,
# log(1 + tanh(1.1)) = 0.588, so the culprit against its parent (at 0.8 alpha = 0.008 before any
# restart) takes ceil(log(125) / 0.588) = 9 blocks and good against bad (at alpha = 0.01)
# ceil(log(100) / 0.588) = 8 — not a fixed count, and never fewer than the level allows.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 24 15 --effect 8 --noise 2
cd repo
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 10, "warmups": 1,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 15$')

expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit"
expect_eq true "$(jq -r .confirmation.confirmed "$T/out")" "confirmed"
expect_eq slower "$(jq -r .confirmation.culprit.verdict "$T/out")" "culprit vs parent"
expect_eq 9 "$(jq -r .confirmation.culprit.blocks "$T/out")" "culprit vs parent: blocks"
expect_eq slower "$(jq -r .confirmation.endpoints.verdict "$T/out")" "good vs bad again"
expect_eq 8 "$(jq -r .confirmation.endpoints.blocks "$T/out")" "good vs bad again: blocks"
expect_eq 0 "$(jq -r .confirmation.restarts "$T/out")" "no restart"
