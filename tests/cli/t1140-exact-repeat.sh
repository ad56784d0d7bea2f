#!/usr/bin/env bash
# labels: slow
# The exact backend proves it repeats. A benchmark whose instruction count changes run to run (it
# reads a counter file, loops (counter * 2654435761 >> 8) % 17 * 1000 extra times and increments
# the file: every run differs, deterministically, without any clock) bisected under cachegrind with
# a planted +30% culprit: the right culprit, exit 0, judged with statistics (exact false, the
# endpoints' two runs and their spread in the JSON, one warning naming them). The same fixture with
# a deterministic benchmark: exact, each endpoint twice and one run per other commit. `check` and
# `compare --rev` of the varying benchmark fall back to statistics too, with the same warning.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"
command -v jq >/dev/null || skip "no jq"

git init -q repo && cd repo || exit 1
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
export GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z"
cat > prog.c <<'C'
/* work.h's WORK iterations, plus a varying amount when given a counter file. */
#include <stdio.h>
#include "work.h"

static volatile unsigned long sink;

int main(int argc, char **argv)
{
	unsigned long i, work = WORK, c = 0;
	FILE *f;

	if (argc > 1 && (f = fopen(argv[1], "r+"))) {
		if (fscanf(f, "%lu", &c) != 1)
			c = 0;
		rewind(f);
		fprintf(f, "%lu\n", c + 1);
		fclose(f);
		work += (c * 2654435761UL >> 8) % 17 * 1000;
	}
	for (i = 0; i < work; i++)
		sink += i;
	return 0;
}
C
work=300000
for i in $(seq 0 12); do
	[ "$i" -eq 7 ] && work=$((work * 13 / 10))
	echo "#define WORK ${work}UL" > work.h
	echo "note $i" > NOTES
	git add prog.c work.h NOTES
	git commit -q -m "commit $i"
done
git tag base HEAD~12
culprit=$(git log --format=%H --grep='^commit 7$')
echo 0 > "$T/counter"
cat > "$T/vary.json" <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary} $T/counter", "metric": "instructions", "runs": 5 } },
  "measure": { "backend": "cachegrind" },
  "stats": { "max_runs": 30 }
}
JSON
sed "s|{binary} $T/counter|{binary}|" "$T/vary.json" > "$T/same.json"

# Varying: statistics over repeated runs, the right culprit, the warning once.
expect_exit 0 "$PB" bisect --config "$T/vary.json" --good base --bad HEAD --bench work -o "$T/vary-res.json"
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/vary-res.json")" "culprit (varying counts)"
expect_eq false "$(jq .exact "$T/vary-res.json")" "not exact"
expect_eq true "$(jq '.repeat.spread > 0' "$T/vary-res.json")" "spread > 0 ($(jq -c .repeat "$T/vary-res.json"))"
expect_eq true "$(jq '.repeat.good[0] != .repeat.good[1] or .repeat.bad[0] != .repeat.bad[1]' "$T/vary-res.json")" "two different runs"
expect_eq true "$(jq '[.steps[:2][].runs] | min >= 8' "$T/vary-res.json")" "endpoints grown to 8 blocks"
expect_eq 1 "$(grep -c 'warning: cachegrind gave two different counts for' "$T/err")" "the warning, once"
expect_grep 'so it is judged with statistics over repeated runs, not exactly\. To make it exact, remove the source of variation \(for Lua: -Dluai_makeseed\(L\)=0u\)' "$T/err"
expect_grep "(good|bad) commit [0-9a-f]{7} \([0-9,]+ vs [0-9,]+, [0-9.]+%\)" "$T/err"
expect_eq 0 "$(grep -c '(exact:' "$T/out")" "a fallback culprit is not printed as exact"
expect_exit 0 "$PB" report "$T/vary-res.json" -o "$T/vary.md"
expect_grep '^- \*\*judged\*\*: with statistics over repeated runs, not exactly' "$T/vary.md"

# Deterministic: exact; each endpoint twice, every other step once.
expect_exit 0 "$PB" bisect --config "$T/same.json" --good base --bad HEAD --bench work --reset -o "$T/same-res.json"
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/same-res.json")" "culprit (deterministic)"
expect_eq true "$(jq .exact "$T/same-res.json")" "exact"
expect_eq 0 "$(jq .repeat.spread "$T/same-res.json")" "spread 0"
expect_eq '[2,2,1,1,1]' "$(jq -c '[.steps[].runs]' "$T/same-res.json")" "runs per step"
expect_eq 7 "$(jq .runs_total "$T/same-res.json")" "runs: 3 steps + the endpoints twice"
expect_eq 0 "$(grep -c 'two different counts' "$T/err")" "no warning"
expect_grep '\(exact: ' "$T/out"
expect_exit 0 "$PB" report "$T/same-res.json" -o "$T/same.md"
expect_grep '^- \*\*judged\*\*: exactly: each endpoint gave the same value twice \(good [0-9,]+, bad [0-9,]+\)' "$T/same.md"

# check against the varying bisect's result: two runs differ, statistics, the culprit is bad.
expect_exit 1 "$PB" check --config "$T/vary.json" --rev "$culprit" --bench work --baseline "$T/vary-res.json" --json
expect_eq bad "$(jq -r .verdict "$T/out")" "check: the culprit is bad"
expect_eq false "$(jq .exact "$T/out")" "check: not exact"
expect_eq true "$(jq '.runs >= 3' "$T/out")" "check: more than the two runs ($(jq .runs "$T/out"))"
expect_grep 'warning: cachegrind gave two different counts for commit [0-9a-f]{7}' "$T/err"
# ... against the deterministic one's (no spread): it cannot judge values that do not repeat.
expect_exit 125 "$PB" check --config "$T/vary.json" --rev "$culprit" --bench work --baseline "$T/same-res.json" --json
expect_grep 'unstable: cachegrind counts of commit [0-9a-f]{7} .* are not repeatable' "$T/out"
# The deterministic benchmark: exact, on the bisect's cached run and two measured now (a cached run
# is another invocation's: the repeat check compares runs of this one).
expect_exit 1 "$PB" check --config "$T/same.json" --rev "$culprit" --bench work --baseline "$T/same-res.json" --json
expect_eq "true 3" "$(jq -r '"\(.exact) \(.runs)"' "$T/out")" "check: exact on the cached run and two now"

# compare --rev: B once more; different: statistics over 8 blocks, with the warning.
expect_exit 0 "$PB" compare --config "$T/vary.json" --rev "$culprit~1" --rev "$culprit" --bench work --json
expect_eq slower "$(jq -r .verdict "$T/out")" "compare: slower"
expect_eq "8 9" "$(jq -r '"\(.a.n) \(.b.n)"' "$T/out")" "compare: 8 blocks (B once more)"
expect_grep 'warning: cachegrind gave two different counts for B \([0-9a-f]{7}\)' "$T/err"
expect_exit 0 "$PB" compare --config "$T/same.json" --rev "$culprit~1" --rev "$culprit" --bench work --json
expect_eq "1 2" "$(jq -r '"\(.a.n) \(.b.n)"' "$T/out")" "compare: exact on A once, B twice"
expect_eq 0 "$(grep -c 'two different counts' "$T/err")" "compare: no warning"

finish
