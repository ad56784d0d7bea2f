#!/bin/bash
# `annotate`: a program whose hot loop is known, run under callgrind: the loop's instructions carry
# >= 90% of the run's Ir; every instruction's 64 B line, 32 B window, L1i set and boundary marks
# equal what its address gives (and exact values for the function's first line, from nm); source
# lines from DWARF; a fused cmp+jne placed across a 32 B boundary is marked JCC; BINARY
# --callgrind FILE gives the same costs as the run; bad input is exit 2 with the fix.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v nm >/dev/null || skip "no nm to cross-check addresses"
command -v valgrind >/dev/null || skip "valgrind is not installed (scripts/install-deps.sh installs it)"
[ "$(uname -m)" = x86_64 ] || skip "the fixture is x86-64 code"

cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) unsigned long hot(unsigned long x, long n)
{
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + (x >> 7); /* HOT LOOP */
	return x;
}
/* A loop whose fused cmp+jne starts 30 bytes into a 32 B window: it crosses the boundary. */
__attribute__((noinline)) long jcc_site(long n)
{
	long i = 0;
	__asm__ volatile(".p2align 5\n\t.skip 27, 0x90\n"
			 "1:\n\tinc %0\n\tcmp %1, %0\n\tjne 1b\n"
			 : "+r"(i) : "r"(n) : "cc");
	return i;
}
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	printf("%lu %ld\n", hot(1, n), jcc_site(100));
	return 0;
}
C
cc -O1 -g -o prog prog.c || skip "cc cannot build the fixture"
cc -O1 -o prog-nog prog.c || skip "cc cannot build the fixture"
hot_line=$(grep -n 'HOT LOOP' prog.c | cut -d: -f1)
hot_addr=$((0x$(nm prog | awk '$3 == "hot" { print $1 }')))

# 2 KiB, 2-way, 64 B lines: 16 sets, so that sets are not the addresses' bits 6-11 by accident.
expect_exit 0 "$PB" annotate --l1i 2048,2,64 -o a.json -- ./prog 1000000
cp out a.txt
expect_eq "placebisect.annotate/1" "$(jq -r .schema a.json)" "schema"
expect_eq "$PWD/prog" "$(jq -r .binary a.json)" "the object annotated: the program (most Ir)"
expect_eq "Ir" "$(jq -r .unit a.json)" "unit"
expect_eq 16 "$(jq .l1i.sets a.json)" "L1i sets from --l1i"
expect_eq "hot" "$(jq -r '.functions[0].name' a.json)" "hottest function"
expect_eq 1 "$(jq '.functions[0].calls' a.json)" "hot is called once (callgrind's call counts)"
expect_eq "$hot_addr" "$(jq '.functions[0].addr' a.json)" "hot's address (nm)"
expect_eq "$hot_addr" "$(jq '.functions[0].insns[0].addr' a.json)" "first instruction at hot's address"
# The loop: its instructions carry >= 90% of the run's instructions (exact: 1000000 iterations).
loop_ir=$(jq '[.functions[0].insns[] | select(.loop != null) | .cost] | add' a.json)
total=$(jq .total a.json)
echo "loop Ir $loop_ir of $total"
expect_eq true "$(jq -n "$loop_ir >= 0.9 * $total")" "the loop carries >= 90% of the heat"
expect_eq 1 "$(jq '.functions[0].loops | length' a.json)" "one loop in hot"
expect_eq "$loop_ir" "$(jq '.functions[0].loops[0].cost' a.json)" "the loop's cost is its instructions'"
expect_eq true "$(jq '[.functions[0].insns[] | select(.loop != null) | .cost] | all(. == 1000000)' a.json)" \
	"each loop instruction ran 1000000 times"
expect_eq "$hot_line" "$(jq '[.functions[0].insns[] | select(.asm | startswith("imul")) | .line][0]' a.json)" \
	"the multiply's source line (DWARF)"
expect_eq "prog.c" "$(jq -r '.functions[0].loops[0].file | split("/") | last' a.json)" "the loop's file"
# Every instruction: line, window, set and marks are what its address gives.
bad=$(jq '[.functions[] | .insns as $v | range(0; $v | length) as $i | $v[$i] as $x
	| select($x.cache_line != ($x.addr - $x.addr % 64)
		or $x.window != ($x.addr - $x.addr % 32)
		or $x.set != (($x.addr / 64 | floor) % 16)
		or $x.crosses_line != (($x.addr / 64 | floor) != (($x.addr + $x.size - 1) / 64 | floor))
		or $x.crosses_window != (($x.addr / 32 | floor) != (($x.addr + $x.size - 1) / 32 | floor))
		or $x.new_line != ($i == 0 or (($v[$i - 1].addr / 64 | floor) != ($x.addr / 64 | floor)))
		or $x.new_window != ($i == 0 or (($v[$i - 1].addr / 32 | floor) != ($x.addr / 32 | floor))))
	| $x.addr] | length' a.json)
expect_eq 0 "$bad" "instructions whose line, window, set or marks disagree with their address"
# Exact values for hot's first line, computed here from nm's address.
line=$((hot_addr / 64 * 64)) set=$(((hot_addr / 64) % 16))
expect_eq "$set" "$(jq '.functions[0].insns[0].set' a.json)" "hot's first L1i set"
expect_grep "── 64 B line 0x$(printf %x $line) · L1i set $set ──" a.txt
expect_grep "^hot  [0-9.]+% of the run, 7,000,006 Ir, [0-9,]+ I1 misses, called 1 time$" a.txt
expect_grep "Loops of hot" a.txt
expect_eq 0 "$(grep -c $'\033' a.txt)" "no colour when stdout is not a terminal"

# The JCC site: cmp at 30 bytes into a 32 B window, fused with the jne after it.
expect_exit 0 "$PB" annotate --function jcc_site -o j.json -- ./prog 10
cmp_addr=$(jq '.functions[0].insns[] | select(.asm | startswith("cmp")) | .addr' j.json)
expect_eq 30 "$((cmp_addr % 32))" "the cmp's place in its window"
expect_eq "true true" "$(jq -r '[.functions[0].insns[] | select(.asm | startswith("cmp") or startswith("jne")) | .jcc] | join(" ")' j.json)" \
	"cmp and jne marked JCC"
expect_eq true "$(jq '.functions[0].insns[] | select(.asm | startswith("jne")) | .fused' j.json)" "jne fused"
expect_eq "jcc_site+0x$(printf %x $((cmp_addr - 3 - $(jq '.functions[0].addr' j.json))))" \
	"$(jq -r '.functions[0].insns[] | select(.asm | startswith("jne")) | .target_name' j.json)" "the jne's target"
expect_exit 0 "$PB" annotate --function jcc_site -- ./prog 10
expect_grep "jne .*JCC \(crosses 32 B\)" out
# No branch in the listings is marked unless it (with its fused compare) crosses or ends on 32 B.
bad=$(jq '[.functions[] | .insns as $v | range(0; $v | length) as $i | $v[$i] as $x
	| select($x.kind != "other")
	| (if $x.fused then $v[$i - 1].addr else $x.addr end) as $s | ($x.addr + $x.size) as $e
	| select($x.jcc != ((($s / 32 | floor) != (($e - 1) / 32 | floor)) or $e % 32 == 0))] | length' a.json j.json | jq -s add)
expect_eq 0 "$bad" "branches whose JCC mark disagrees with their bytes"

# BINARY --callgrind FILE: the same costs, nothing run.
valgrind --tool=callgrind --dump-instr=yes --cache-sim=yes --I1=2048,2,64 --callgrind-out-file=cg.out \
	./prog 1000000 >/dev/null 2>cg.log || { cat cg.log; exit 1; }
expect_exit 0 "$PB" annotate prog --callgrind cg.out --l1i 2048,2,64 --json
expect_eq "$(jq -c '[.functions[0].insns[] | [.addr, .cost, .i1_misses]]' a.json)" \
	"$(jq -c '[.functions[0].insns[] | [.addr, .cost, .i1_misses]]' out)" "costs from the file = the run's"

# Stripped (only .dynsym): the hot loop is listed as a region from its first costed instruction.
if command -v strip >/dev/null; then
	strip -o prog-stripped prog
	valgrind --tool=callgrind --dump-instr=yes --cache-sim=yes --callgrind-out-file=cgs.out \
		./prog-stripped 1000000 >/dev/null 2>cg.log || { cat cg.log; exit 1; }
	expect_exit 0 "$PB" annotate prog-stripped --callgrind cgs.out --json
	expect_grep "prog-stripped is stripped" err
	expect_eq true "$(jq '.functions[0].region' out)" "a region, not a symbol"
	expect_grep '^\[prog-stripped\+0x[0-9a-f]+\]$' <(jq -r '.functions[0].name' out)
	expect_eq true "$(jq --argjson h "$hot_addr" '.functions[0] | .addr <= $h and $h < .addr + .size' out)" \
		"the region holds hot"
	expect_eq null "$(jq '.functions[0].calls' out)" "no call count for a region"
	# The loop, found in the region's code (hot is not reached from the region's start).
	expect_eq "$(jq -c '[.functions[0].insns[] | select(.loop != null) | [.addr, .cost]]' a.json)" \
		"$(jq -c '[.functions[0] | .insns[] | select(.cost == 1000000) | [.addr, .cost]]' out)" \
		"the loop's instructions and costs as with symbols"
	expect_eq true "$(jq '[.functions[0].insns[] | select(.cost == 1000000) | .loop != null] | all' out)" \
		"they form a loop in the region"
fi

# Sampled instead (cpu-clock where there is no PMU): the loop holds >= 90% of the object's samples.
"$PB" annotate --backend perf -o s.json -- ./prog 300000000 >/dev/null 2>s.err
rc=$?
if [ $rc -ne 0 ] && grep -q "cannot sample" s.err; then
	echo "note: sampling not available here, --backend perf not checked: $(cat s.err)"
else
	expect_eq 0 "$rc" "annotate --backend perf exit ($(cat s.err))"
	expect_eq "samples hot" "$(jq -r '"\(.unit) \(.functions[0].name)"' s.json)" "unit and hottest function"
	expect_eq null "$(jq '.functions[0].i1_misses' s.json)" "no I1 misses from samples"
	in_loop=$(jq '[.functions[0].insns[] | select(.loop != null) | .cost] | add' s.json)
	echo "sampled: $in_loop of $(jq .object.cost s.json) samples in the loop"
	expect_eq true "$(jq --argjson l "$in_loop" '$l >= 0.9 * .object.cost and .object.cost >= 50' s.json)" \
		"the loop holds >= 90% of the samples"
fi
expect_exit 2 "$PB" annotate --backend perf prog --callgrind cg.out
expect_grep "backend perf samples a run" err

# Without -g: no source lines, and a note that says how to get them.
expect_exit 0 "$PB" annotate --json -- ./prog-nog 1000
expect_grep "no DWARF line table: build it with -g" err
expect_eq false "$(jq .source_lines out)" "source_lines"

# Bad input.
expect_exit 2 "$PB" annotate prog
expect_grep "what to annotate\? BINARY --callgrind FILE" err
valgrind --tool=cachegrind --cachegrind-out-file=cachegrind.out ./prog 10 >/dev/null 2>&1
expect_exit 2 "$PB" annotate prog --callgrind cachegrind.out
expect_grep "record with valgrind --tool=callgrind --dump-instr=yes" err
expect_exit 2 "$PB" annotate prog --callgrind cg.out --function hto
expect_grep "has no function 'hto' \(did you mean 'hot'\?\)" err
expect_exit 2 "$PB" annotate prog --callgrind cg.out --object libnothere.so
expect_grep "no costs in libnothere.so" err
expect_exit 2 "$PB" annotate --diff prog
expect_grep "takes two binaries" err
expect_exit 2 "$PB" annotate -- sh -c 'exit 3'
expect_grep "annotate: 'sh -c exit 3' failed under callgrind \(exit 3: the warning above says why\)" err

finish
