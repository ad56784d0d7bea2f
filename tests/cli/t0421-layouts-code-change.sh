#!/usr/bin/env bash
# bisect --layouts on the fixture whose culprit does 30% more work: under every one of 4 random
# layouts (shuffled gold section order, -falign-functions via {cflags}, environment padding, ASLR)
# the culprit is slower, so the layouts say code-change, in the JSON, the table and the report.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"
command -v jq >/dev/null || skip "jq is not installed"
command -v ld.gold >/dev/null || skip "gold is not installed (binutils)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 6 4 --effect 30 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc $CFLAGS $LDFLAGS -o prog prog.c", "binary": "prog", "clean": "rm -f prog",
             "env": { "CFLAGS": "-O1" },
             "fix": { "format": "gold", "env": { "CFLAGS": "-O1 -ffunction-sections {cflags}",
                      "LDFLAGS": "-fuse-ld=gold -Wl,--section-ordering-file,{order}" } } },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions" } },
  "measure": { "backend": "cachegrind" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 4$')
parent=$(git rev-parse "$culprit^")

expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --layouts 4 -o "$T/r.json" \
	--report "$T/rep/R.md"
cp "$T/out" "$T/table"
r=$T/r.json
expect_eq "$culprit" "$(jq -r .culprit.commit "$r")" "culprit"
expect_eq 4 "$(jq .layouts.measured "$r")" "layouts measured"
expect_eq 4 "$(jq .layouts.slower "$r")" "k == N: slower in every layout"
expect_eq code-change "$(jq -r .layouts.verdict "$r")" "layouts verdict"
expect_eq code-change "$(jq -r .attribution.verdict "$r")" "attribution"
expect_eq true "$(jq '.layouts.range[0] > 1.15 and .layouts.range[1] < 1.25' "$r")" "+20% instructions (30% more loop work) in every layout"
expect_eq 1 "$(jq '[.attribution.reasons[0] | select(startswith("across 4 random layouts: slower in 4 of 4"))] | length' "$r")" "the layouts first among the reasons"
expect_grep '^Layouts \(--layouts\): across 4 random layouts: slower in 4 of 4, median \+(19|20)\.[0-9]%' "$T/table"
expect_grep '\.text\.main' "$(jq -r '.layouts.layouts[0].order' "$r")"
expect_grep '^## Layouts' "$T/rep/R.md"
expect_grep '^\| 4 \| ' "$T/rep/R.md"

# `fix` on the same pair ({cflags} is empty for it) and `report` of its result and of a layouts
# result: each file alone gives its section.
expect_exit 0 "$PB" fix --good "$culprit^" --bad "$culprit" --bench work -o "$T/fix.json"
expect_eq "CFLAGS=-O1 -ffunction-sections " "$(jq -r '.recipe[0]' "$T/fix.json")" "{cflags} empty in the fix"
expect_exit 0 "$PB" report "$T/fix.json" -o "$T/frep/F.md"
expect_grep '^# Layout fix: work$' "$T/frep/F.md"
expect_grep '^\| culprit\+fix \| ' "$T/frep/F.md"
expect_grep "^placebisect fix --good ${parent:0:10} --bad ${culprit:0:10} --bench work --backend cachegrind$" "$T/frep/F.md"
expect_exit 0 "$PB" layouts --good "$culprit^" --bad "$culprit" --bench work --layouts 2 -o "$T/l.json"
expect_eq '2 2 code-change' "$(jq -r '"\(.measured) \(.slower) \(.verdict)"' "$T/l.json")" "layouts alone"
expect_eq '0 4' "$(jq -r '"\(.builds) \(.builds_cached)"' "$T/l.json")" "the bisect's layouts 1 and 2 from the cache"
expect_exit 0 "$PB" report "$T/l.json" -o "$T/frep/L.md"
expect_grep '^# Layouts: work$' "$T/frep/L.md"
expect_grep '^\| 2 \| ' "$T/frep/L.md"
expect_grep "^placebisect layouts --good ${parent:0:10} --bad ${culprit:0:10} --bench work --backend cachegrind --layouts 2 --seed 1$" "$T/frep/L.md"

# A build.binary that is not ELF has no functions to shuffle: exit 2, saying so.
jq '.build.binary = "prog.c"' placebisect.json >"$T/noelf.json"
expect_exit 2 "$PB" layouts --config "$T/noelf.json" --good "$culprit^" --bad "$culprit" --bench work --layouts 1
expect_grep "build.binary .*prog.c cannot be read \(.*\): a random layout needs an ELF build.binary" "$T/err"

# layouts --layouts 0 is a usage error naming the option.
expect_exit 2 "$PB" layouts --good "$culprit^" --bad "$culprit" --bench work --layouts 0
expect_grep 'layouts' "$T/err"

finish
