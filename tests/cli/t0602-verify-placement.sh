#!/usr/bin/env bash
# bisect --verify-placement: parent and culprit rebuilt with build.layout_variants (own cache,
# worktree cleaned around them) and measured; the outcome is in the JSON, the verdict and the report.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 8 5 --effect 10 --noise 0
cd repo
config() { # VARIANTS CLEAN
	cat > placebisect.json <<JSON
{
  "build": { "command": "cc \$CFLAGS -o prog prog.c", "binary": "prog", "env": { "CFLAGS": "-O1" },
             $2 "layout_variants": $1 },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions" } },
  "measure": { "backend": "cachegrind" }
}
JSON
}
culprit=$(git log --format=%H --grep='^commit 5$')

# No variants configured: a usage error that shows what to add.
config '{}' '"clean": "rm -f prog",'
expect_exit 2 "$PB" bisect --good base --bad HEAD --bench work --verify-placement
expect_grep 'has no build.layout_variants \(e.g. "layout_variants"' "$T/err"

# A variant without build.clean cannot be trusted: recorded as the variant's error, not fatal.
config '{ "align4k": { "CFLAGS": "-O1 -falign-functions=4096" } }' ''
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --verify-placement -o "$T/noclean.json"
expect_grep 'build.layout_variants needs build.clean' "$T/noclean.json"
expect_eq false "$(jq .placement_check.confirmed "$T/noclean.json")" "not confirmed without clean"

# With clean: both builds of each variant are measured. The culprit adds 10% more loop work, so
# no variant removes it, and the verdict stays a code change whatever the variants say.
config '{ "align4k": { "CFLAGS": "-O1 -falign-functions=4096" }, "o0": { "CFLAGS": "-O0" } }' '"clean": "rm -f prog",'
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --verify-placement -o "$T/r.json" --report "$T/rep/R.md"
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/r.json")" "culprit"
expect_eq '["align4k","o0"]' "$(jq -c '[.placement_check.variants[].name]' "$T/r.json")" "variants"
expect_eq '[]' "$(jq -c '[.placement_check.variants[] | select(.error)]' "$T/r.json")" "no variant error"
expect_eq '[false,false]' "$(jq -c '[.placement_check.variants[].removes]' "$T/r.json")" "nothing removes a code change"
# -O0 runs more instructions in the parent: that "reproduces" a slowdown, but the culprit's code
# changed, so the verdict does not become placement.
expect_eq true "$(jq '.placement_check.variants[1].parent_ratio > 1.1' "$T/r.json")" "-O0 parent slower"
expect_eq code-change "$(jq -r .attribution.verdict "$T/r.json")" "verdict"
expect_eq 1 "$(jq '[.attribution.reasons[] | select(startswith("placement check (2 layout variants): o0 reproduces the slowdown in the parent"))] | length' "$T/r.json")" "check sentence"
# Each variant has its own build cache; the ordinary builds' cache is unchanged.

h=$(basename "$(dirname "$(dirname "$(jq -r .binaries.culprit "$T/r.json")")")")
expect_eq "$h $h-align4k $h-o0" "$(ls .git/placebisect/builds | grep "^$h" | tr '\n' ' ' | sed 's/ $//')" "build caches: ordinary, align4k, o0"
expect_grep '^### Placement check: placement confirmed$' "$T/rep/R.md"
expect_grep '^\| `align4k` \| `CFLAGS=-O1 -falign-functions=4096` \|' "$T/rep/R.md"
# The worktree was cleaned after the variants: no variant binary left for an ordinary build.
expect_eq "" "$(ls .git/placebisect/worktree/prog 2>/dev/null)" "worktree clean"
expect_eq "" "$(git status --porcelain --untracked-files=no)" "user's tree untouched"

# layout verify: the same check on any two revisions, from the caches bisect filled.
expect_exit 0 "$PB" layout verify --good "$culprit^" --bad "$culprit" --bench work --json
expect_eq placebisect.placement-check/1 "$(jq -r .schema "$T/out")" "schema"
expect_eq "$culprit" "$(jq -r .bad "$T/out")" "bad"
expect_eq '["align4k","o0"]' "$(jq -c '[.placement_check.variants[].name]' "$T/out")" "variants"
# (instruction counts of a run depend slightly on the environment's size: compare the outcomes)
expect_eq "$(jq -c '[.placement_check.variants[] | .reproduces, .removes]' "$T/r.json")" \
	"$(jq -c '[.placement_check.variants[] | .reproduces, .removes]' "$T/out")" "same outcomes as bisect's"
expect_eq true "$(jq '.placement_check.variants[1].parent_ratio > 1.1' "$T/out")" "-O0 good slower"
expect_exit 0 "$PB" layout verify --good "$culprit^" --bad "$culprit" --bench work
expect_grep '^o0 ' "$T/out"
expect_grep '^Placement confirmed' "$T/out"
expect_exit 2 "$PB" layout verify --good "$culprit^" --bench work
expect_grep 'layout verify: --good, --bad and --bench are required' "$T/err"
expect_exit 2 "$PB" layout verify --good nosuchrev --bad "$culprit" --bench work
expect_grep 'nosuchrev' "$T/err"

finish
