#!/bin/bash
# `annotate --diff`: the demo's parent and culprit (e0d12e3, which only adds cold code) side by
# side: every hot function that `layout diff` says moved with the same code has each of its
# instructions aligned as the same code, none on one side only; the moved op_load_0 shows the
# culprit's I1 misses on its first line and the new L1i set; with --function, no costs needed.
# labels: slow
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the demo"
command -v make >/dev/null || skip "make is not installed"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v valgrind >/dev/null || skip "valgrind is not installed (scripts/install-deps.sh installs it)"
[ "$(uname -m)" = x86_64 ] || skip "the demo's placement story is x86-64 code"
unset CFLAGS LDFLAGS MAKEFLAGS

expect_exit 0 bash "$PB_SOURCE_DIR/scripts/make-demo-repo.sh" demo
culprit=e0d12e30c64e571374701cbaf74241a200abffdb
git clone -q demo scratch
for r in "$culprit^" "$culprit"; do
	name=$([ "$r" = "$culprit" ] && echo culprit || echo parent)
	git -C scratch checkout -q "$r" && make -C scratch -s clean >/dev/null 2>&1
	make -C scratch -s -j2 >build.log 2>&1 || { cat build.log; exit 1; }
	cp scratch/minivm "$name"
	valgrind --tool=callgrind --dump-instr=yes --cache-sim=yes --I1=32768,8,64 \
		--callgrind-out-file="$name.cg" "./$name" call_method 20000 >/dev/null 2>cg.log ||
		{ cat cg.log; exit 1; }
done

expect_exit 0 "$PB" annotate --diff parent culprit --callgrind parent.cg --callgrind-bad culprit.cg \
	--l1i 32768,8,64 --top 20 -o d.json
cp out d.txt
expect_eq "placebisect.annotate-diff/1" "$(jq -r .schema d.json)" "schema"
expect_eq 18 "$(jq '.functions | length' d.json)" "the culprit's hot functions (90% of its Ir)"
expect_exit 0 "$PB" layout diff parent culprit --json
jq -r '.hot[] | select(.same_code and .good_addr != .bad_addr) | .name' out | sort >moved.txt
jq -r '.functions[].name' d.json | sort >annotated.txt
comm -12 moved.txt annotated.txt >check.txt
echo "moved with the same code and annotated: $(wc -l <check.txt | tr -d ' ')"
expect_eq 16 "$(wc -l <check.txt | tr -d ' ')" "hot functions that moved with the same code"
while read -r f; do
	expect_eq "true 0 0" "$(jq -r --arg f "$f" '.functions[] | select(.name == $f)
		| "\(.same_code) \(.only_good) \(.only_bad)"' d.json)" "$f aligned as the same code"
	expect_eq true "$(jq --arg f "$f" '.functions[] | select(.name == $f)
		| .aligned == ([.rows[] | select(.status != "padding")] | length) and .aligned > 0' d.json)" \
		"every instruction of $f aligned"
	expect_eq true "$(jq --arg f "$f" '.functions[] | select(.name == $f) | .good.addr != .bad.addr' d.json)" \
		"$f moved"
done <check.txt
# op_load_0: 8 instructions; its first line misses in the culprit, in L1i set 1 (0x4040 / 64 % 64).
expect_eq "8 0x4040 1" "$(jq -r '.functions[] | select(.name == "op_load_0")
	| "\(.aligned) \(.bad.addr | tostring) \(.rows[0].bad.set)"' d.json | awk '{ printf "%s 0x%x %s", $1, $2, $3 }')" \
	"op_load_0 in the culprit"
expect_eq true "$(jq '.functions[] | select(.name == "op_load_0") | .rows[0].bad.i1_misses > 10 * (.rows[0].good.i1_misses + 1)' d.json)" \
	"the culprit's I1 misses on op_load_0's first line"
expect_grep '^op_load_0: good 0x[0-9a-f]+, bad 0x4040 \(moved\): 8 instructions aligned as the same code, 0 only in good, 0 only in bad' d.txt
expect_grep ' = ' d.txt

# From the revisions: both built (cached) and run under callgrind by placebisect itself.
expect_exit 0 "$PB" annotate --repo demo --diff --good "$culprit^" --bad "$culprit" --bench call_method_small \
	--function op_load_0 --l1i 32768,8,64 --json
expect_eq "true 8" "$(jq -r '.functions[0] | "\(.same_code) \(.aligned)"' out)" "op_load_0 from the revisions"
expect_eq true "$(jq '.functions[0].rows[0] | .bad.i1_misses > 10 * (.good.i1_misses + 1)' out)" \
	"the culprit's misses, from the revisions"
expect_exit 2 "$PB" annotate --repo demo --diff --good "$culprit^" --bench call_method_small
expect_grep "both revisions and the benchmark" err

# Without costs: --function names the functions.
expect_exit 0 "$PB" annotate --diff parent culprit --function op_load_0,op_add --json
expect_eq "op_load_0 true op_add true" "$(jq -r '[.functions[] | "\(.name) \(.same_code)"] | join(" ")' out)" \
	"named functions, same code"
expect_exit 2 "$PB" annotate --diff parent culprit
expect_grep "give the hot functions with --function NAME, or the costs of both builds" err

finish
