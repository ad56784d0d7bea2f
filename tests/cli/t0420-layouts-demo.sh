#!/usr/bin/env bash
# `layouts` on the demo, cachegrind backend (deterministic): parent and culprit rebuilt under 4
# seeded random layouts (shuffled function order as a GNU ld fragment, -falign-functions through
# {cflags}, environment padding, ASLR off/on): the culprit's +45% vanishes in them, so the effect
# is where the code landed: code-placement. The seeds rebuild the same layouts from the cache.
# labels: slow
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the demo"
command -v make >/dev/null || skip "make is not installed"
command -v valgrind >/dev/null || skip "valgrind is not installed (cachegrind)"
command -v jq >/dev/null || skip "jq is not installed"
unset CFLAGS LDFLAGS MAKEFLAGS

expect_exit 0 bash "$PB_SOURCE_DIR/scripts/make-demo-repo.sh" demo
cd demo || exit 1
culprit=e0d12e30c64e571374701cbaf74241a200abffdb

# Without build.fix: what to add, exit 2, before anything is built.
expect_exit 2 "$PB" layouts --good "$culprit^" --bad "$culprit" --bench call_method_small --backend cachegrind
expect_grep 'has no build.fix: a random layout is built through it' "$T/err"

jq '.build.fix = {"format": "ld", "env": {"CFLAGS": "-O2 {cflags}", "LDFLAGS": "-Wl,-T,{order}"}}' \
	placebisect.json >"$T/fix.json"
expect_exit 0 "$PB" layouts --config "$T/fix.json" --good "$culprit^" --bad "$culprit" \
	--bench call_method_small --backend cachegrind --layouts 4 -o "$T/l.json"
cp "$T/out" "$T/table"
r=$T/l.json
expect_eq placebisect.layouts/1 "$(jq -r .schema "$r")" "schema"
expect_eq "$culprit" "$(jq -r .culprit "$r")" "culprit"
expect_eq 4 "$(jq .n "$r")" "layouts asked"
expect_eq 4 "$(jq .measured "$r")" "layouts measured"
expect_eq '[1,2,3,4]' "$(jq -c '[.layouts[].seed]' "$r")" "seeds"
expect_eq 0 "$(jq .slower "$r")" "k: the culprit is slower in none of the random layouts"
expect_eq code-placement "$(jq -r .verdict "$r")" "verdict"
expect_eq true "$(jq '.range[1] < 1.02' "$r")" "no layout keeps the +45%"
expect_eq '[]' "$(jq -c '[.layouts[] | select(.error)]' "$r")" "no layout failed"
# What each seed drew is recorded, and the recipe names its order file.
expect_eq true "$(jq '[.layouts[] | .cflags | test("^-falign-functions=(1|16|64)$")] | all' "$r")" "alignments"
expect_eq true "$(jq '[.layouts[] | .env_pad >= 0 and .env_pad <= 4096 and .env_pad % 16 == 0] | all' "$r")" "env pads"
expect_eq "LDFLAGS=-Wl,-T,$(jq -r '.layouts[0].order' "$r")" "$(jq -r '.layouts[0].recipe[1]' "$r")" "recipe"
expect_grep '^INSERT BEFORE \.text;' "$(jq -r '.layouts[0].order' "$r")"
expect_grep 'random layout \(seed 1\)' "$(jq -r '.layouts[0].order' "$r")"
expect_grep '^Across 4 random layouts: slower in 0 of 4, median \+0\.0%' "$T/table"

# The same seeds again: the same orders and settings, the builds from their caches.
expect_exit 0 "$PB" layouts --config "$T/fix.json" --good "$culprit^" --bad "$culprit" \
	--bench call_method_small --backend cachegrind --layouts 2 --seed 3 --json
expect_eq "$(jq -c '.layouts[2:] | map({seed, cflags, env_pad, aslr, order})' "$r")" \
	"$(jq -c '.layouts | map({seed, cflags, env_pad, aslr, order})' "$T/out")" "seeds 3 and 4 again"
expect_eq 8 "$(jq .builds "$r")" "the first run built 4 layouts x 2"
expect_eq '0 4' "$(jq -r '"\(.builds) \(.builds_cached)"' "$T/out")" "the second built nothing"

finish
