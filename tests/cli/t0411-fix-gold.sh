#!/usr/bin/env bash
# `fix` with a gold recipe and a noisy metric (stdout): blocks of the four builds, the recovered
# share with its 95% CI from the blocked comparisons. The benchmark prints how far apart its two
# hot functions are (plus a jitter): the culprit puts a 4 KiB-aligned cold function between them,
# the C3 order puts them (and main, their caller) next to each other again.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc)"
command -v git >/dev/null || skip "no git"
command -v jq >/dev/null || skip "no jq"
command -v valgrind >/dev/null || skip "no valgrind (callgrind makes the call graph)"
command -v ld.gold >/dev/null || skip "no gold linker (binutils)"
cc -fuse-ld=gold -x c -o gold-probe - <<<'int main(void){return 0;}' 2>/dev/null || skip "cc cannot link with gold"
unset CFLAGS LDFLAGS

git init -q repo && cd repo || exit 1
git config user.name t && git config user.email t@example.com
cat >p.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#define NI __attribute__((noinline))
volatile int sink;
NI int a(int x) { return x * 3 + 1; }
#ifdef COLD
NI __attribute__((aligned(4096))) void cold(void) { sink = 7; }
#endif
NI int b(int x) { return x ^ 5; }
int main(int argc, char **argv)
{
	long d = labs((long)((char *)(void *)b - (char *)(void *)a));
	int s = 0;
	(void)argv;
	for (int i = 0; i < 20000; i++)
		s += a(i) + b(i);
	sink = s;
	if (argc > 1 && argv[1][0] == 'c')
		return 0;
	printf("distance %ld\n", 1000 + d + getpid() % 5);
	return 0;
}
C
cat >placebisect.json <<'JSON'
{
  "build": { "command": "cc -O2 -fno-toplevel-reorder -ffunction-sections $LDFLAGS -o prog p.c",
             "binary": "prog", "clean": "rm -f prog",
             "fix": { "format": "gold", "env": { "LDFLAGS": "-fuse-ld=gold -Wl,--section-ordering-file,{order}" } } },
  "benchmarks": { "dist": { "command": "{binary}", "runs": 12, "warmups": 0,
                            "metric": "stdout", "parse": { "regex": "distance ([0-9]+)" } } },
  "measure": { "backend": "time" }
}
JSON
git add -A && git commit -qm parent
sed -i 's/^#ifdef COLD$/#if 1/' p.c
git commit -qam "culprit: a cold function between a and b"

expect_exit 0 "$PB" fix --good HEAD~1 --bad HEAD --bench dist -o "$T/r.json"
r=$T/r.json
cp "$T/out" "$T/table"
expect_eq false "$(jq .exact "$r")" "a noisy metric"
expect_eq 12 "$(jq .blocks "$r")" "blocks"
expect_eq gold "$(jq -r .order.format "$r")" "format"
# C3: a and b join main's cluster (their caller), next to each other (crt's functions may follow).
expect_eq 1 "$(jq '.order.functions | (index("a") - index("b")) | fabs' "$r")" "a and b adjacent in the order"
expect_eq 0 "$(jq '.order.functions | [index("a"), index("b"), index("main")] | min' "$r")" "main's cluster first"
expect_grep '^\.text\.a$' "$(jq -r .order.file "$r")"
expect_eq true "$(jq '.regression.ratio > 3' "$r")" "the culprit's functions are 4 KiB apart"
expect_eq true "$(jq '.residual.ratio < 1.01' "$r")" "the fix puts them together again"
expect_eq true "$(jq '.recovered.value > 0.97 and .recovered.value < 1.03' "$r")" "recovered ($(jq -c .recovered "$r"))"
expect_eq 2 "$(jq '.recovered.ci95 | length' "$r")" "a 95% CI"
expect_eq true "$(jq '.recovered.ci95[0] <= .recovered.value and .recovered.value <= .recovered.ci95[1]' "$r")" "the CI holds the value"
expect_eq faster "$(jq -r .fix_effect.verdict "$r")" "the fix is faster than the culprit (p $(jq .fix_effect.p_value "$r"))"
expect_eq true "$(jq '.builds."parent+fix".median < 1100' "$r")" "the control: the parent with the order"
expect_grep "^The layout fix recovers [0-9.]+% \(95% CI [-0-9.]+% to [0-9.]+%\) of the regression \(stdout \+[0-9.]+% → [-+]0\.[0-9]% against the parent\)\.$" "$T/table"
expect_eq "" "$(git status --porcelain --untracked-files=no)" "the user's tree untouched"

# A recipe that changes code, not only its place (-O0 on the compiler's line): under cachegrind the
# instruction count says so.
jq '.build.fix.env.LDFLAGS = "-O0 -fuse-ld=gold -Wl,--section-ordering-file,{order}"' placebisect.json >"$T/o0.json"
expect_exit 0 "$PB" fix --config "$T/o0.json" --good HEAD~1 --bad HEAD --bench dist --backend cachegrind \
	--metric instructions --json
expect_eq true "$(jq .instructions.code_changed "$T/out")" "code changed"
expect_grep "it changed code, not only placement" "$T/out"

# A recipe that breaks the build: the culprit with the fix cannot be built, exit 4 with the log.
jq '.build.fix.env.LDFLAGS = "-Wl,--no-such-flag,{order}"' placebisect.json >"$T/bad.json"
expect_exit 4 "$PB" fix --config "$T/bad.json" --good HEAD~1 --bad HEAD --bench dist
expect_grep 'built with build.fix failed: build.command failed \(exit 1\), its last line "collect2: error: ld returned 1 exit status"; see .*/logs/build-[0-9a-f]+-fix-[0-9a-f]+\.log$' "$T/err"

finish
