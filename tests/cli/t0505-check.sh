#!/usr/bin/env bash
# check: a git bisect run predicate: 0 good, 1 bad, 125 cannot build; and git bisect run with it.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 16 9 --effect 10 --noise 1 --broken 4
cd repo
echo 1 > "$T/counter"
cat > "$T/placebisect.json" <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 8, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 9$')
rev() { git log --format=%H --grep="^commit $1\$"; }

# A baseline: the bisect's result carries the good and bad samples.
expect_exit 0 "$PB" bisect --config "$T/placebisect.json" --good base --bad HEAD --bench work -o "$T/b.json" -q
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/b.json")" "bisect culprit"

expect_exit 0 "$PB" check --config "$T/placebisect.json" --rev "$(rev 3)" --bench work --baseline "$T/b.json" --json
expect_eq good "$(jq -r .verdict "$T/out")" "commit 3 is good"
expect_exit 1 "$PB" check --config "$T/placebisect.json" --rev "$(rev 12)" --bench work --baseline "$T/b.json" --json
expect_eq bad "$(jq -r .verdict "$T/out")" "commit 12 is bad"
expect_exit 125 "$PB" check --config "$T/placebisect.json" --rev "$(rev 4)" --bench work --baseline "$T/b.json" --json
expect_eq skip "$(jq -r .verdict "$T/out")" "commit 4 cannot be built"
expect_grep 'cannot be built: build.command failed \(exit 1\)' "$T/out"
expect_exit 2 "$PB" check --config "$T/placebisect.json" --rev "$(rev 3)" --bench work --baseline "$T/placebisect.json"
expect_grep "a baseline is a bisect result \(-o of bisect\) or a measurement \(-o of measure\), not ''" "$T/err"
expect_exit 2 "$PB" check --config "$T/placebisect.json" --rev nope --bench work --baseline "$T/b.json"
expect_grep "revision 'nope' not found" "$T/err"

# git bisect run drives it; the user runs it in their repository (git moves HEAD, not placebisect).
git bisect start HEAD base >/dev/null
git bisect run "$PB" check --config "$T/placebisect.json" --bench work --baseline "$T/b.json" -q >"$T/bisect.log" 2>&1
expect_grep "^$culprit is the first bad commit" "$T/bisect.log"
git bisect reset -q

finish
