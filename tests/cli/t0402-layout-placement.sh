#!/bin/bash
# `layout BINARY`: alignment, line offset, lines, pages and L1i set pressure of functions placed
# 64 B vs 4 KiB apart; JCC-erratum sites and split loops; hot sets from --hot, --profile, .text.hot.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixtures"
command -v jq >/dev/null || skip "no jq to read the JSON"
[ "$(uname -m)" = x86_64 ] || skip "the fixtures are x86-64 code"

cat >f.c <<'C'
#ifndef ALIGN
#define ALIGN 64
#endif
#define F(n, a) __attribute__((noinline, aligned(a))) int f##n(int x) { return x * (n + 3) + n; }
F(0, 4096) F(1, ALIGN) F(2, ALIGN) F(3, ALIGN) F(4, ALIGN) F(5, ALIGN) F(6, ALIGN) F(7, ALIGN)
F(8, ALIGN) F(9, ALIGN) F(10, ALIGN) F(11, ALIGN)
int main(int argc, char **argv) { (void)argv; return f0(argc) + f11(argc); }
C
cc -O2 -fno-reorder-functions -DALIGN=64 -o near f.c || skip "cc cannot link a program"
cc -O2 -fno-reorder-functions -DALIGN=4096 -o far f.c
HOT=f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11

# Twelve one-line functions 4 KiB apart: every line maps to L1i set 0 of a 32K/8/64 cache.
expect_exit 0 "$PB" layout far --hot "$HOT" --l1i 32768,8,64 --json
cp out far.json
expect_eq "placebisect.layout/1" "$(jq -r .schema far.json)" "schema"
expect_eq "far" "$(jq -r .binary far.json)" "binary"
expect_eq "$(readelf -n far | awk '/Build ID/ {print $3}')" "$(jq -r .build_id far.json)" "build_id"
expect_eq 12 "$(jq '[.functions[] | select(.name | test("^f[0-9]+$"))] | length' far.json)" "functions"
expect_eq "[4096]" "$(jq -c '[.functions[] | select(.name | test("^f[0-9]+$")) | .align] | unique' far.json)" "align 4 KiB"
expect_eq "[0]" "$(jq -c '[.functions[] | select(.name | test("^f[0-9]+$")) | .line_offset] | unique' far.json)" "line_offset"
expect_eq "[1]" "$(jq -c '[.functions[] | select(.name | test("^f[0-9]+$")) | .cache_lines] | unique' far.json)" "cache_lines"
expect_eq "[1]" "$(jq -c '[.functions[] | select(.name | test("^f[0-9]+$")) | .pages] | unique' far.json)" "pages"
expect_eq ".text" "$(jq -r '.functions[] | select(.name == "f5") | .section' far.json)" "section"
expect_eq 12 "$(jq '.hot.functions | length' far.json)" "hot functions"
expect_eq "--hot" "$(jq -r '.hot.source' far.json)" "hot source"
expect_eq 12 "$(jq '.hot.cache_lines' far.json)" "hot lines"
expect_eq 12 "$(jq '.hot.pages' far.json)" "hot 4 KiB pages"
expect_eq 12 "$(jq '.hot.l1i_max_ways' far.json)" "l1i_max_ways, 4 KiB apart"
expect_eq 1 "$(jq '.hot.l1i_sets_over_ways' far.json)" "sets over associativity"
expect_eq 12 "$(jq '.hot.l1i_set_lines[0]' far.json)" "lines in set 0"
expect_eq 64 "$(jq '.l1i.sets' far.json)" "sets"
expect_eq "--l1i" "$(jq -r '.l1i.source' far.json)" "geometry source"
expect_eq "$(jq '[.functions[] | select(.name | test("^f[0-9]+$")) | .size] | add' far.json)" "$(jq '.hot.bytes' far.json)" "hot bytes"
expect_eq true "$(jq '[.sections[] | select(.name == ".text")] | length == 1' far.json)" "sections"

# The same functions on consecutive lines: twelve sets, one line each, one page.
expect_exit 0 "$PB" layout near --hot "$HOT" --l1i 32K,8,64 --json
cp out near.json
expect_eq "[0]" "$(jq -c '[.functions[] | select(.name | test("^f[0-9]+$")) | .line_offset] | unique' near.json)" "near line_offset"
expect_eq true "$(jq '[.functions[] | select(.name | test("^f[0-9]+$")) | .align % 64 == 0] | all' near.json)" "near align"
expect_eq 12 "$(jq '.hot.cache_lines' near.json)" "near hot lines"
expect_eq 1 "$(jq '.hot.pages' near.json)" "near hot pages"
expect_eq 1 "$(jq '.hot.l1i_max_ways' near.json)" "l1i_max_ways, 64 B apart"
expect_eq 0 "$(jq '.hot.l1i_sets_over_ways' near.json)" "near sets over"
expect_eq 12 "$(jq '[.hot.details[] | .l1i_set_first] | unique | length' near.json)" "twelve distinct sets"

# The text output: a sections table, the hot functions and the footprint.
expect_exit 0 "$PB" layout far --hot "$HOT" --l1i 32768,8,64
expect_grep "^\.text +0x[0-9a-f]+ +[0-9]+ +[0-9]+ +AX$" out
expect_grep "^f11 +0x[0-9a-f]+000 " out
expect_grep "at most 12 lines in one set \(8 ways\); 1 of 64 sets over associativity" out
# -o writes the JSON atomically and still prints the table.
expect_exit 0 "$PB" layout far --hot "$HOT" --l1i 32768,8,64 -o far2.json
expect_grep "^Hot functions \(--hot\): 12$" out
expect_eq 12 "$(jq '.hot.l1i_max_ways' far2.json)" "-o file"

# A profile picks the heaviest functions covering 90% of the samples: 50+30+15 of 101.
cat >prof.json <<'J'
{"schema": "placebisect.profile/1", "event": "cpu-clock", "samples": 101, "lost": 0,
 "functions": [{"name": "f9", "object": "far", "samples": 5, "share": 0.0495},
               {"name": "f3", "object": "far", "samples": 50, "share": 0.495},
               {"name": "memcpy", "object": "libc.so.6", "samples": 1, "share": 0.0099},
               {"name": "f7", "object": "far", "samples": 15, "share": 0.1485},
               {"name": "f5", "object": "far", "samples": 30, "share": 0.297}]}
J
expect_exit 0 "$PB" layout far --profile prof.json --l1i 32768,8,64 --json
expect_eq '["f3","f5","f7"]' "$(jq -c .hot.functions out)" "profile hot set"
expect_eq profile "$(jq -r .hot.source out)" "profile source"
expect_eq 3 "$(jq .hot.l1i_max_ways out)" "profile l1i_max_ways"
printf '{"schema": "placebisect.compare/1"}' >cmp.json
expect_exit 2 "$PB" layout far --profile cmp.json
expect_grep "error: cmp.json: schema: \"placebisect.compare/1\" is not a profile; expected \"placebisect.profile/1\"" err
printf '{"schema": "placebisect.profile/1", "functions": [{"name": "f1", "samples": "x"}]}' >bad.json
expect_exit 2 "$PB" layout far --profile bad.json
expect_grep "error: bad.json: functions\[0\]\.samples: expected a number >= 0" err

# Usage errors name the option and the fix.
expect_exit 2 "$PB" layout far --hot f1,nosuch
expect_grep "error: --hot: far has no function 'nosuch'" err
expect_exit 2 "$PB" layout far --hot f11,f1x
expect_grep "did you mean 'f1[01]?'\?" err
expect_exit 2 "$PB" layout far --hot f1 --profile prof.json
expect_grep "error: layout: --hot and --profile both name the hot functions; give one of them" err
expect_exit 2 "$PB" layout far --l1i 32768,8
expect_grep "error: --l1i: expected SIZE,WAYS,LINE in bytes \(e.g. 32768,8,64 or 32K,8,64\), got '32768,8'" err
expect_exit 2 "$PB" layout far --l1i 32768,8,48
expect_grep "error: --l1i '32768,8,48': the line size must be a power of two" err
expect_exit 2 "$PB" layout
expect_grep "error: layout: expected BINARY or 'diff GOOD BAD'" err

# JCC erratum: a fused cmp+jne crossing a 32 B boundary, a jmp ending on one; a 14-byte loop split
# over two lines.
cat >j.c <<'C'
__asm__(".text\n.globl jcc_fn\n.type jcc_fn,@function\n.p2align 6\njcc_fn:\n"
	".fill 30,1,0x90\n"  /* 0..29 */
	"cmp %edi,%esi\n"    /* 30..31, fuses with: */
	"jne 1f\n"           /* 32..33 */
	"1: xor %eax,%eax\n" /* 34..35 */
	".fill 20,1,0x90\n"  /* 36..55 */
	"2: inc %eax\n"      /* 56..57: loop head */
	"cmp %edi,%eax\n"    /* 58..59 */
	".fill 2,1,0x90\n"   /* 60..61 */
	"jmp 3f\n"           /* 62..63: ends on the boundary at 64 */
	"3: .fill 4,1,0x90\n"/* 64..67 */
	"jl 2b\n"            /* 68..69: back edge to 56 */
	"ret\n"              /* 70 */
	".size jcc_fn,.-jcc_fn\n");
int jcc_fn(int a, int b);
int main(int argc, char **argv) { (void)argv; return jcc_fn(argc, 3); }
C
cc -O1 -o jcc j.c
expect_exit 0 "$PB" layout jcc --hot jcc_fn --l1i 32768,8,64 --json
cp out jcc.json
expect_eq 71 "$(jq '.hot.details[0].size' jcc.json)" "jcc_fn size"
expect_eq true "$(jq '.hot.code_checks' jcc.json)" "code checks ran"
expect_eq 4 "$(jq '.hot.details[0].branches' jcc.json)" "jumps and returns (jne, jmp, jl, ret)"
expect_eq 2 "$(jq '.hot.details[0].jcc_32b | length' jcc.json)" "JCC sites"
expect_eq '{"off":30,"size":4,"boundary":"crosses","fused":true}' \
	"$(jq -c '.hot.details[0] as $f | $f.jcc_32b[0] | {off: (.addr - $f.addr), size, boundary, fused}' jcc.json)" "fused jne"
expect_eq '{"off":62,"size":2,"boundary":"ends","fused":false}' \
	"$(jq -c '.hot.details[0] as $f | $f.jcc_32b[1] | {off: (.addr - $f.addr), size, boundary, fused}' jcc.json)" "jmp"
expect_eq 1 "$(jq '.hot.details[0].back_edges' jcc.json)" "back edges"
expect_eq '{"head":56,"end":70,"lines":2,"min_lines":1}' \
	"$(jq -c '.hot.details[0] as $f | $f.split_loops[0] | {head: (.head - $f.addr), end: (.end - $f.addr), lines, min_lines}' jcc.json)" "split loop"
expect_exit 0 "$PB" layout jcc --hot jcc_fn --l1i 32768,8,64
expect_grep "^jcc_fn +0x[0-9a-f]+ +71 +[0-9]+ +0 +2 +1 +[0-9]+-[0-9]+ +2 +1$" out

# .text.hot membership, when the linker keeps the prefix as a section (lld).
if command -v ld.lld >/dev/null; then
	cat >h.c <<'C'
__attribute__((hot, noinline)) int hot_a(int x) { return x * 7; }
__attribute__((hot, noinline)) int hot_b(int x) { return hot_a(x) + 1; }
__attribute__((noinline)) int plain(int x) { return x + 1; }
int main(int argc, char **argv) { (void)argv; return hot_b(argc) + plain(argc); }
C
	if cc -O2 -ffunction-sections -fuse-ld=lld -Wl,-z,keep-text-section-prefix -o hot h.c 2>/dev/null; then
		expect_exit 0 "$PB" layout hot --json
		expect_eq ".text.hot" "$(jq -r .hot.source out)" ".text.hot source"
		expect_eq '["hot_a","hot_b"]' "$(jq -c .hot.functions out)" ".text.hot members"
		expect_eq ".text.hot" "$(jq -r '.functions[] | select(.name == "hot_a") | .section' out)" "hot_a section"
		expect_eq true "$(jq '.text_order | index(".text.hot") != null and index(".text") != null' out)" "text_order names .text.hot and .text"
		expect_eq "$(jq -c '[.sections[] | select(.flags | test("X")) | .name]' out)" "$(jq -c .text_order out)" "text_order is the address order of the code sections"
	else
		echo "note: cc cannot link with lld -z keep-text-section-prefix; .text.hot part not run"
	fi
fi
# Symbol names that need JSON escaping stay valid JSON.
printf '.text\n.globl "we\\"ird\\\\name"\n.type "we\\"ird\\\\name",@function\n"we\\"ird\\\\name":\n ret\n.size "we\\"ird\\\\name",1\n.section .note.GNU-stack,"",@progbits\n' >w.s
printf 'int main(void) { return 0; }\n' >wm.c
if cc -o weird wm.c w.s 2>/dev/null; then
	expect_exit 0 "$PB" layout weird --json
	expect_eq 1 "$(jq '[.functions[] | select(.name == "we\"ird\\name")] | length' out)" "escaped name"
	expect_exit 0 "$PB" layout weird --hot 'we"ird\name' --json
	expect_eq '["we\"ird\\name"]' "$(jq -c .hot.functions out)" "escaped hot name"
fi

# No hot set at all: every function, and the checks that need one are skipped.
expect_exit 0 "$PB" layout near --json
expect_eq "all functions" "$(jq -r .hot.source out)" "fallback hot source"
expect_eq "$(jq '.functions | length' out)" "$(jq '.hot.functions | length' out)" "every function hot"
expect_eq false "$(jq .hot.code_checks out)" "no code checks without a hot set"
finish
