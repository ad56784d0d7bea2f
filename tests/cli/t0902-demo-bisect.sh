#!/usr/bin/env bash
# The demo end to end on the cachegrind backend: bisect v1.0..v1.1 of the generated minivm finds
# exactly the cold-code commit; its counters against its parent show I1 misses up 10x or more at
# the same instruction count (within 0.1%), and layout diff of the two cached builds shows every
# hot function with the same code, moved into one over-full L1i set.
# labels: slow
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the demo"
command -v make >/dev/null || skip "make is not installed"
command -v valgrind >/dev/null || skip "valgrind is not installed (the cachegrind backend)"
command -v jq >/dev/null || skip "jq is not installed"
# The demo's Makefile takes the optimisation flags from CFLAGS in the environment.
unset CFLAGS LDFLAGS MAKEFLAGS

expect_exit 0 bash "$PB_SOURCE_DIR/scripts/make-demo-repo.sh" demo
cd demo || exit 1
# The commit that adds the error reporters (t0901 checks the generated history itself).
culprit=$(git log --format=%H --grep='^errors: one reporter per opcode and per runtime function' v1.0..v1.1)
expect_eq e0d12e30c64e571374701cbaf74241a200abffdb "$culprit" "the cold-code commit"

expect_exit 0 "$PB" bisect --good v1.0 --bad v1.1 --bench call_method_small --backend cachegrind \
	-o result.json --report report/REPORT.md
expect_eq found "$(jq -r .status result.json)" "status"
expect_eq "$culprit" "$(jq -r .culprit.commit result.json)" "culprit"
expect_eq "$(git rev-parse "$culprit^")" "$(jq -r .culprit.parent result.json)" "its parent"
expect_eq 1 "$(jq '.culprits | length' result.json)" "one culprit explains the regression"

read -r ir_p ir_c i1_p i1_c < <(jq -r '[.counters.parent.Ir, .counters.culprit.Ir,
	.counters.parent.I1mr, .counters.culprit.I1mr] | @tsv' result.json)
expect_eq 1 $((i1_p > 0 && i1_c >= 10 * i1_p)) "I1 misses $i1_p -> $i1_c: 10x or more"
expect_eq 1 $((ir_c * 1000 <= ir_p * 1001 && ir_c * 1001 >= ir_p * 1000)) \
	"instructions $ir_p -> $ir_c: within 0.1%"

# The hot functions: everything src/minivm.ld places in the interpreter core (.vm.*, not .slow).
hot=$(grep -v '\.slow ' src/minivm.ld | grep -o '\*(\.text\.[a-z_0-9]*' | sed 's/.*\.text\.//' |
	paste -sd, -)
nhot=$(echo "$hot" | tr , '\n' | wc -l | tr -d ' ')
expect_eq 1 $((nhot >= 30)) "at least 30 hot functions ($nhot)"
expect_exit 0 "$PB" layout diff "$(jq -r .binaries.parent result.json)" \
	"$(jq -r .binaries.culprit result.json)" --hot "$hot" --l1i 32768,8,64 -o diff.json
expect_eq "$nhot" "$(jq '[.hot[] | select(.same_code == true)] | length' diff.json)" \
	"hot functions with the same code"
expect_eq '[]' "$(jq -c '[.hot[] | select(.same_code != true) | .name]' diff.json)" \
	"hot functions whose code changed"
expect_eq 1 "$(jq '.footprint.good.l1i_max_ways <= 8 and .footprint.bad.l1i_max_ways > 8 |
	if . then 1 else 0 end' diff.json)" "hot lines in one L1i set: within 8 ways before, over after"

# The attribution bisect made by itself (hot set from cachegrind's per-function costs).
expect_eq code-placement "$(jq -r .attribution.verdict result.json)" "verdict"
expect_eq '[]' "$(jq -c '[.layout.hot[] | select(.same_code != true) | .name]' result.json)" \
	"bisect's own hot set: no code changed"
expect_eq 1 "$(jq '[.attribution.reasons[] | select(test("^every one of the [0-9]+ hot functions kept identical code"))] | length' result.json)" \
	"reason: identical hot code"
expect_eq 1 "$(jq '[.attribution.reasons[] | select(test("^I1 misses ×[0-9]+ "))] | length' result.json)" \
	"reason: I1 misses up"
expect_eq 1 "$(jq '[.attribution.reasons[] | select(test("^instructions [+-]0\\.[0-9]+% .*within the 0\\.1%"))] | length' result.json)" \
	"reason: same instructions"
expect_grep '^\*\*code-placement\*\*$' report/REPORT.md
expect_grep "^- \\*\\*culprit\\*\\*: \`$culprit\`" report/REPORT.md
expect_exit 0 xmllint --noout report/REPORT-l1i-sets.svg
# What to try: the ordering flag of the linker that linked the demo (GNU ld: none; a linker script).
case $(jq -r .layout.bad.linker result.json) in
ld) expect_grep 'GNU ld \(the linker of these builds\) takes no ordering file' report/REPORT.md ;;
gold) expect_grep '`-Wl,--section-ordering-file=hot.txt` \(gold' report/REPORT.md ;;
*) expect_grep '`-Wl,--symbol-ordering-file=hot.txt`' report/REPORT.md ;;
esac
# The hottest functions side by side: the same code in both builds.
expect_grep '^## Hot code, side by side$' report/REPORT.md
hot1=$(jq -r '.attribution.hot_functions[0].name' result.json)
expect_grep "^$hot1: good 0x[0-9a-f]+, bad 0x[0-9a-f]+ \((not )?moved\): [0-9]+ instructions aligned as the same code, 0 only in good, 0 only in bad" report/REPORT.md

finish
