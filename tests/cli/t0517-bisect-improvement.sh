#!/usr/bin/env bash
# bisect --improvement finds the exact commit that made a benchmark faster (--old/--new as git's
# terms); --runs/--warmups override the config, are recorded in the JSON and the report's Reproduce
# line; --runs is not part of the measurement cache key, --warmups is. The System section names
# the endpoints' git describe and the compiler and flags of their binaries.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

# 16 commits; commit 11 does 8% less work.
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 16 11 --effect -8 --noise 2
cd repo
echo 1 > "$T/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -g -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 10, "warmups": 1,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
faster=$(git log --format=%H --grep='^commit 11$')
git tag v1.0 HEAD~3

# Without --improvement it is a regression bisect, and there is none: exit 4.
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work --runs 6 --warmups 0 --json
expect_eq not-reproduced "$(jq -r .status "$T/out")" "no regression between base and HEAD"
expect_eq regression "$(jq -r .direction "$T/out")" "direction recorded"
expect_eq faster "$(jq -r .endpoints.verdict "$T/out")" "the endpoints say faster"

expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 6 --warmups 0 \
	--json --report "$T/rep/improvement.md"
expect_eq "$faster" "$(jq -r .culprit.commit "$T/out")" "the commit that made it faster"
expect_eq found "$(jq -r .status "$T/out")" "status"
expect_eq improvement "$(jq -r .direction "$T/out")" "direction"
expect_eq faster "$(jq -r .effect.verdict "$T/out")" "effect verdict"
expect_eq true "$(jq '.effect.ratio < 0.95 and .effect.ratio > 0.85' "$T/out")" "effect ratio about 0.92"
expect_eq faster "$(jq -r .confirmation.culprit.verdict "$T/out")" "confirmation"
expect_eq true "$(jq '.effect.bad_median < .effect.good_median' "$T/out")" "medians in the metric's terms"
expect_eq 6 "$(jq -r .runs "$T/out")" "--runs recorded"
expect_eq 0 "$(jq -r .warmups "$T/out")" "--warmups recorded"
expect_grep "^# Improvement report: work" "$T/rep/improvement.md"
expect_grep "made \`work\` [0-9.]+% faster on stdout" "$T/rep/improvement.md"
expect_grep "^placebisect bisect --good [0-9a-f]{10} --bad [0-9a-f]{10} --bench work .* --runs 6 --warmups 0 --improvement$" "$T/rep/improvement.md"
# System: git describe of both endpoints, the compiler from .comment, the flags from DWARF.
expect_eq base "$(jq -r .toolchain.good.describe "$T/out")" "good's describe"
expect_eq "v1.0-3-g$(git rev-parse --short=7 HEAD)" "$(jq -r .toolchain.bad.describe "$T/out")" "bad's describe"
expect_eq "$(readelf -p .comment .git/placebisect/builds/*/"$(git rev-parse HEAD)"/prog | sed -n 's/^ *\[ *[0-9a-f]*\] *//p' | sort -u | paste -sd';' | sed 's/;/; /g')" \
	"$(jq -r .toolchain.bad.compiler "$T/out" | tr ';' '\n' | sed 's/^ //' | sort -u | paste -sd';' | sed 's/;/; /g')" "compiler: the .comment strings"
expect_eq true "$(jq '.toolchain.bad.compiler | length > 0' "$T/out")" "a compiler was recorded"
expect_grep "^- bad: \`[0-9a-f]{10}\` \(git describe: \`v1.0-3-g[0-9a-f]{7}\`\)$" "$T/rep/improvement.md"
if cc --version | grep -q 'Free Software Foundation'; then
	expect_grep ' -g -O1' <(jq -r .toolchain.bad.producer "$T/out")
	expect_grep "^- compiler \(good and bad\): GCC: .*; flags: GNU C.* -g -O1" "$T/rep/improvement.md"
fi
expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 6 --warmups 0 -q
expect_grep "^First improving commit: $faster commit 11$" "$T/out"
expect_grep "^Bisected 16 commits between [0-9a-f]{7} \(old, slow\) and [0-9a-f]{7} \(new, fast\) for an improvement" "$T/out"

# --runs asks for more samples of the same measurement: the cached runs are reused (same key).
ls .git/placebisect/measurements > "$T/keys.before"
expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 8 --warmups 0 --json
expect_eq "$faster" "$(jq -r .culprit.commit "$T/out")" "--runs 8: same commit"
expect_eq 8 "$(jq -r .runs "$T/out")" "--runs 8 recorded"
ls .git/placebisect/measurements > "$T/keys.after"
cmp -s "$T/keys.before" "$T/keys.after"; expect_eq 0 $? "--runs keeps the measurement cache key"
# --warmups changes what a recorded run is: a key of its own.
expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 6 --warmups 2 --json
expect_eq 2 "$(jq -r .warmups "$T/out")" "--warmups 2 recorded"
expect_eq "$(($(wc -l < "$T/keys.before") + 1))" "$(ls .git/placebisect/measurements | wc -l)" "--warmups 2: a new cache key"
# The config's warm-ups given as --warmups is the same key as none given.
expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 6 --warmups 1 --json
expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 6 --json
expect_eq "$(($(wc -l < "$T/keys.before") + 2))" "$(ls .git/placebisect/measurements | wc -l)" "--warmups 1 = the config's"
expect_eq 0 "$(jq -r .runs_measured "$T/out")" "same key as --warmups 1: nothing measured again"

# check as git bisect run's predicate for an improvement: a bisect --improvement result carries the
# direction in its samples; with a measurement baseline, --improvement makes "bad" mean faster.
rev() { git log --format=%H --grep="^commit $1\$"; }
expect_exit 0 "$PB" bisect --old base --new HEAD --bench work --improvement --runs 6 --warmups 0 -q -o "$T/imp.json"
expect_exit 0 "$PB" check --rev "$(rev 8)" --bench work --baseline "$T/imp.json" --json
expect_eq good "$(jq -r .verdict "$T/out")" "commit 8 is like the old, slow revision"
expect_exit 1 "$PB" check --rev "$(rev 13)" --bench work --baseline "$T/imp.json" --json
expect_eq bad "$(jq -r .verdict "$T/out")" "commit 13 is like the new, fast revision"
expect_exit 0 "$PB" measure --rev base --bench work -q -o "$T/base.json"
expect_exit 1 "$PB" check --rev "$(rev 13)" --bench work --baseline "$T/base.json" --improvement
expect_exit 0 "$PB" check --rev "$(rev 13)" --bench work --baseline "$T/base.json"

# Bad values are usage errors naming the option.
expect_exit 2 "$PB" bisect --old base --new HEAD --bench work --runs 0
expect_grep "bisect: --runs expects a whole number from 1 to 100000, got '0'" "$T/err"
expect_exit 2 "$PB" bisect --old base --new HEAD --bench work --improvement --verify-placement
expect_grep "cannot be combined with --improvement" "$T/err"
finish
