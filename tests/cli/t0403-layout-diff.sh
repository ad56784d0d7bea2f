#!/bin/bash
# `layout diff GOOD BAD`: cold code that grows moves the hot functions with the same code; a body
# that changes is "changed"; a changed constant is "loose-equal"; the upstream shift names the cause.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixtures"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v nm >/dev/null || skip "no nm to cross-check addresses"
[ "$(uname -m)" = x86_64 ] || skip "the fixtures are x86-64 code"

cat >d.c <<'C'
#ifndef K
#define K 7
#endif
#ifndef C
#define C 5
#endif
#define STR(x) #x
#define XSTR(x) STR(x)
volatile int sink;
/* Cold code laid out before the hot code; PAD bytes of int3 make it grow. */
__attribute__((cold, noinline)) void cold_pad(void) {
	sink = 1;
	__asm__ volatile(".rept " XSTR(PAD) "\n int3\n .endr");
}
__attribute__((hot, noinline)) int hot_a(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * K + sink; return s; }
__attribute__((hot, noinline)) int hot_b(int x) { return hot_a(x) + sink; }
__attribute__((hot, noinline)) int hot_c(int x) { return x + C; }
__attribute__((noinline)) int plain(int x) { return x + 1; }
int main(int argc, char **argv) { (void)argv; if (argc > 5) cold_pad(); return hot_b(argc) + hot_c(argc) + plain(argc); }
C
cc -O2 -DPAD=16 -o good d.c || skip "cc cannot link a program"
cc -O2 -DPAD=4000 -o bad d.c
cc -O2 -DPAD=4000 -DK=9 -o bad_body d.c
cc -O2 -DPAD=16 -DC=6 -o bad_const d.c
HOT=hot_a,hot_b,hot_c

addr() { echo $((16#$(nm "$1" | awk -v n="$2" '$3 == n {print $1}'))); }
# Functions whose address differs, from nm, to check the summary against.
moved=$(join <(nm good | awk '$2 ~ /^[tT]$/ {print $3, $1}' | sort) \
	     <(nm bad | awk '$2 ~ /^[tT]$/ {print $3, $1}' | sort) | awk '$2 != $3' | wc -l)

expect_exit 0 "$PB" layout diff good bad --hot "$HOT" --json
cp out d.json
expect_eq "placebisect.layout-diff/1" "$(jq -r .schema d.json)" "schema"
expect_eq "$moved" "$(jq .summary.moved d.json)" "summary.moved (nm)"
expect_eq "$moved" "$(jq .summary.same_code_moved d.json)" "summary.same_code_moved"
expect_eq 1 "$(jq .summary.code_changed d.json)" "summary.code_changed (cold_pad)"
expect_eq '[{"name":"cold_pad","code":"changed","hot":false}]' "$(jq -c .changed d.json)" "changed list"
expect_eq 0 "$(jq .summary.added d.json)" "added"
expect_eq 0 "$(jq .summary.removed d.json)" "removed"
expect_eq '["hot_a","hot_b","hot_c"]' "$(jq -c '[.hot[].name]' d.json)" "hot entries"
for f in hot_a hot_b hot_c; do
	expect_eq '{"class":"moved","same_code":true,"code":"strict-equal"}' \
		"$(jq -c --arg f $f '.hot[] | select(.name == $f) | {class, same_code, code}' d.json)" "$f moved with the same code"
	expect_eq "$(addr good $f)" "$(jq --arg f $f '.hot[] | select(.name == $f) | .good_addr' d.json)" "$f good_addr"
	expect_eq "$(addr bad $f)" "$(jq --arg f $f '.hot[] | select(.name == $f) | .bad_addr' d.json)" "$f bad_addr"
	expect_eq "$(( $(addr good $f) % 64 ))" "$(jq --arg f $f '.hot[] | select(.name == $f) | .good_line_offset' d.json)" "$f good_line_offset"
	expect_eq "$(( $(addr bad $f) % 64 ))" "$(jq --arg f $f '.hot[] | select(.name == $f) | .bad_line_offset' d.json)" "$f bad_line_offset"
done
shift_b=$(( $(addr bad hot_a) - $(addr good hot_a) ))
expect_eq "$shift_b" "$(jq .upstream.shift d.json)" "upstream.shift"
expect_eq '{"name":"cold_pad","delta":3984}' "$(jq -c '.upstream.functions[0] | {name, delta}' d.json)" "the upstream function that grew"
expect_eq 3984 "$(jq '.upstream.bad_bytes_before - .upstream.good_bytes_before' d.json)" "bytes before the hot code"
expect_eq "$(jq .footprint.good.bytes d.json)" "$(jq .footprint.bad.bytes d.json)" "footprint bytes unchanged"
expect_eq true "$(jq '.footprint.good | has("l1i_max_ways") and has("cache_lines") and has("pages")' d.json)" "footprint keys"

# The text form: summary, hot table, footprint, upstream shift.
expect_exit 0 "$PB" layout diff good bad --hot "$HOT" --l1i 32768,8,64
expect_grep "functions matched: [0-9]+ at the same address, $moved moved \($moved with the same code\), 1 with changed code" out
expect_grep "^hot_a +0x[0-9a-f]+ +0x[0-9a-f]+ +\+$shift_b .* strict-equal" out
expect_grep "^L1i max lines in a set +[0-9]+ +[0-9]+ " out
expect_grep "^Upstream shift: the hot code starts at 0x[0-9a-f]+ in good and 0x[0-9a-f]+ in bad \(\+$shift_b B\)" out
expect_grep "^    cold_pad: [0-9]+ -> [0-9]+ B \(\+3984\)" out

# A hot body that changes.
expect_exit 0 "$PB" layout diff good bad_body --hot "$HOT" --json
expect_eq '{"class":"changed","same_code":false,"code":"changed"}' \
	"$(jq -c '.hot[] | select(.name == "hot_a") | {class, same_code, code}' out)" "hot_a changed"
expect_eq '{"class":"moved","same_code":true,"code":"strict-equal"}' \
	"$(jq -c '.hot[] | select(.name == "hot_b") | {class, same_code, code}' out)" "hot_b still the same"
expect_eq 2 "$(jq .summary.code_changed out)" "two changed (cold_pad, hot_a)"

# A constant that changes: same mnemonics, different operand.
expect_exit 0 "$PB" layout diff good bad_const --hot "$HOT" --json
expect_eq '{"class":"changed","same_code":false,"code":"loose-equal"}' \
	"$(jq -c '.hot[] | select(.name == "hot_c") | {class, same_code, code}' out)" "hot_c loose-equal"
expect_eq 1 "$(jq .summary.loose_equal out)" "one loose-equal"
expect_eq 0 "$(jq .summary.moved out)" "nothing moved"
expect_eq 0 "$(jq .upstream.shift out)" "no upstream shift"

# A binary against itself: everything at the same address with the same code.
expect_exit 0 "$PB" layout diff good good --json
expect_eq "$(jq .summary.matched out)" "$(jq .summary.same_address out)" "self diff: same address"
expect_eq 0 "$(jq '.summary.moved + .summary.code_changed + .summary.added + .summary.removed' out)" "self diff: nothing else"
expect_eq false "$(jq .upstream.valid out)" "no upstream without a hot set"

# Added and removed functions.
sed 's/^__attribute__((noinline)) int plain/__attribute__((noinline)) int plain2/; s/plain(argc)/plain2(argc)/' d.c >e.c
cc -O2 -DPAD=16 -o renamed e.c
expect_exit 0 "$PB" layout diff good renamed --json
expect_eq '1 1' "$(jq -r '"\(.summary.added) \(.summary.removed)"' out)" "added and removed"

# Short and near forms of one jump compare equal; NOP padding is ignored; a changed target is not.
cat >j.c <<'C'
#ifndef BODY
#define BODY "jne 1f\n"
#endif
__asm__(".text\n.globl jfn\n.type jfn,@function\n.p2align 4\njfn:\n"
	"cmp %edi,%esi\n" BODY "mov $1,%eax\nret\n1: xor %eax,%eax\nret\n"
	".size jfn,.-jfn\n");
int jfn(int a, int b);
int main(int argc, char **argv) { (void)argv; return jfn(argc, 2); }
C
cc -O1 -o j_short j.c
cc -O1 -DBODY='"{disp32} jne 1f\n"' -o j_near j.c
cc -O1 -DBODY='"nop\n.byte 0x0f,0x1f,0x44,0,0\njne 1f\n"' -o j_nops j.c
cc -O1 -DBODY='"jne 2f\n2: nop\n"' -o j_other j.c
fsize() { echo $((16#$(nm -S "$1" | awk -v n="$2" '$4 == n {print $2}'))); }
expect_eq 4 "$(( $(fsize j_near jfn) - $(fsize j_short jfn) ))" "the near jne is 4 bytes longer"
expect_exit 0 "$PB" layout diff j_short j_near --hot jfn --json
expect_eq strict-equal "$(jq -r '.hot[0].code' out)" "short vs near jne"
expect_exit 0 "$PB" layout diff j_short j_nops --hot jfn --json
expect_eq strict-equal "$(jq -r '.hot[0].code' out)" "NOP padding ignored"
expect_exit 0 "$PB" layout diff j_short j_other --hot jfn --json
expect_eq loose-equal "$(jq -r '.hot[0].code' out)" "another jump target, same mnemonics"

# Two file-local functions with one name: matched by order and size, so only the edited one changed.
printf 'static __attribute__((noinline)) int helper(int x) { return x * 3; }\nint one(int x) { return helper(x); }\n' >one.c
printf 'static __attribute__((noinline)) int helper(int x) { return x ^ X; }\nint two(int x) { return helper(x); }\n' >two.c
printf 'int one(int); int two(int);\nint main(int c, char **v) { (void)v; return one(c) + two(c); }\n' >m.c
cc -O2 -DX=5 -o dup_good m.c one.c two.c
cc -O2 -DX='(x >> 3) * 5 + 1' -o dup_bad m.c one.c two.c
expect_eq 2 "$(nm dup_good | grep -c ' t helper$')" "two local helpers"
expect_exit 0 "$PB" layout diff dup_good dup_bad --hot helper --json
expect_eq '[{"name":"helper","code":"changed","hot":true}]' "$(jq -c .changed out)" "one helper changed"
expect_eq '["strict-equal","changed"]' "$(jq -c '[.hot[].code]' out)" "the other is the same"
expect_eq 0 "$(jq '.summary.added + .summary.removed' out)" "both matched"

# Errors: a --hot name in neither build, a malformed input on either side.
expect_exit 2 "$PB" layout diff good bad --hot hot_a,nosuch
expect_grep "error: --hot: neither good nor bad has a function 'nosuch'" err
printf 'text\n' >t.txt
expect_exit 2 "$PB" layout diff good t.txt
expect_grep "error: t.txt: not an ELF file" err
finish
