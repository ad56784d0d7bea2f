#!/usr/bin/env bash
# `fix` on the demo, cachegrind backend (deterministic): placebisect orders the culprit's functions
# from its own callgrind call graph (C3), the culprit rebuilt with that order as a GNU ld script
# fragment (beside minivm's own linker script) gets its I1 misses back within 2x of the parent's
# and recovers at least 90% of the est_cycles regression, with the same instruction count.
# labels: slow
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the demo"
command -v make >/dev/null || skip "make is not installed"
command -v valgrind >/dev/null || skip "valgrind is not installed (cachegrind and callgrind)"
command -v jq >/dev/null || skip "jq is not installed"
unset CFLAGS LDFLAGS MAKEFLAGS

expect_exit 0 bash "$PB_SOURCE_DIR/scripts/make-demo-repo.sh" demo
cd demo || exit 1
culprit=e0d12e30c64e571374701cbaf74241a200abffdb

# Without build.fix: what to add, exit 2.
expect_exit 2 "$PB" fix --good "$culprit^" --bad "$culprit" --bench call_method_small --backend cachegrind
expect_grep "has no build.fix: say how to build with an ordering file" "$T/err"

# The demo's config plus the recipe: minivm's Makefile appends its own -T script to LDFLAGS.
jq '.build.fix = {"format": "ld", "env": {"LDFLAGS": "-Wl,-T,{order}"}}' placebisect.json >"$T/fix.json"
expect_exit 0 "$PB" fix --config "$T/fix.json" --good "$culprit^" --bad "$culprit" \
	--bench call_method_small --backend cachegrind -o "$T/result.json"
cp "$T/out" "$T/table"
r=$T/result.json
expect_eq placebisect.fix/1 "$(jq -r .schema "$r")" "schema"
expect_eq "$culprit" "$(jq -r .culprit "$r")" "culprit"
expect_eq true "$(jq .exact "$r")" "exact (cachegrind)"
expect_eq ld "$(jq -r .order.format "$r")" "format"
expect_grep '^INSERT BEFORE \.text;' "$(jq -r .order.file "$r")"
expect_eq vm_run "$(jq -r '.hot[0]' "$r")" "the hottest function"
expect_eq true "$(jq '.order.functions | index("vm_run") < 3' "$r")" "vm_run near the start of the order"
expect_eq "LDFLAGS=-Wl,-T,$(jq -r .order.file "$r")" "$(jq -r '.recipe[0]' "$r")" "recipe"

read -r i1_p i1_c i1_f < <(jq -r '.builds | [.parent.i1_misses, .culprit.i1_misses,
	."culprit+fix".i1_misses] | @tsv' "$r")
expect_eq true "$(jq -n "$i1_c > 100 * $i1_p")" "the culprit misses the L1i (parent $i1_p, culprit $i1_c)"
expect_eq true "$(jq -n "$i1_f <= 2 * $i1_p")" "culprit+fix I1 misses within 2x of the parent's ($i1_f vs $i1_p)"
expect_eq true "$(jq '.recovered.value >= 0.9' "$r")" "at least 90% recovered ($(jq .recovered.value "$r"))"
expect_eq false "$(jq .instructions.code_changed "$r")" "the fix moved code only"
expect_eq true "$(jq '.regression.ratio > 1.2' "$r")" "the regression is there"
expect_eq true "$(jq '.builds."culprit+fix".footprint.l1i_max_ways <= 8' "$r")" "no L1i set over its 8 ways"
expect_eq 16 "$(jq '.builds.culprit.footprint.l1i_max_ways' "$r")" "the culprit's over-full set"
expect_eq 64 "$(jq '.builds.culprit.footprint.set_lines | length' "$r")" "64 sets"
expect_grep "^culprit\+fix +[0-9,]+ +\+0\.[0-9]%" "$T/table"
expect_grep "^The layout fix recovers (9[0-9]|100)\.[0-9]% \(exact: deterministic metric\) of the regression" "$T/table"

# The fix builds are cached under their own key: a second run builds nothing.
expect_exit 0 "$PB" fix --config "$T/fix.json" --good "$culprit^" --bad "$culprit" \
	--bench call_method_small --backend cachegrind --json
# (the counts may move by a few instructions: the runs' temporary directories differ)
expect_eq "$(jq -c '.builds | map_values({binary, footprint})' "$r")" \
	"$(jq -c '.builds | map_values({binary, footprint})' "$T/out")" "the same builds again"
if grep -q "building" "$T/err"; then
	echo "FAIL: the second fix built again:"; sed 's/^/  /' "$T/err" | head; fails=$((fails + 1))
fi

# bisect --fix: the same fix after the search (its builds come from the cache), in the JSON, the
# table, the verdict's reasons and the report's Fix section with its L1i set plot.
expect_exit 0 "$PB" bisect --config "$T/fix.json" --good v1.0 --bad v1.1 --bench call_method_small \
	--backend cachegrind --fix -o "$T/bisect.json" --report "$T/rep/REPORT.md"
b=$T/bisect.json
expect_eq "$culprit" "$(jq -r .culprit.commit "$b")" "the culprit"
expect_eq "$culprit" "$(jq -r .fix.culprit "$b")" "fixed"
expect_eq true "$(jq '.fix.recovered.value >= 0.9' "$b")" "bisect --fix: at least 90% recovered"
expect_eq code-placement "$(jq -r .attribution.verdict "$b")" "verdict"
expect_eq true "$(jq '[.attribution.reasons[] | select(startswith("the layout fix recovers"))] | length == 1' "$b")" "the fix among the reasons"
expect_grep "^Fix \(--fix\): the layout fix recovers" "$T/out"
expect_grep "^## Fix" "$T/rep/REPORT.md"
expect_grep "^\| culprit\+fix \| " "$T/rep/REPORT.md"
expect_grep "REPORT-fix-l1i-sets.svg" "$T/rep/REPORT.md"
[ -s "$T/rep/REPORT-fix-l1i-sets.svg" ] || { echo "FAIL: no fix L1i plot"; fails=$((fails + 1)); }

# --fix without build.fix is refused before anything is measured.
expect_exit 2 "$PB" bisect --good v1.0 --bad v1.1 --bench call_method_small --backend cachegrind --fix
expect_grep "has no build.fix" "$T/err"

finish
