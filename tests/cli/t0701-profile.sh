#!/bin/bash
# `profile`: a program that spends 8/10 of its loop iterations in hot_function (called by hot_caller),
# 1/10 in warm_function and 1/10 in lib_work of its own shared library: sampled with cpu-clock, the
# shares come out as built, the stacks name the caller, the SVG is XML, the library function is
# the library's; cachegrind gives the exact split; layout --profile and --hot with mangled names.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v xmllint >/dev/null || skip "no xmllint to check the SVG (scripts/install-deps.sh installs it)"

# Every function runs the same loop, so time shares are iteration shares: 80%, 10%, 10%.
# A volatile local puts each leaf on the stack, and GCC then sets up its frame pointer: without
# it the kernel's frame-pointer walk from a leaf skips the leaf's caller.
cat >lib.c <<'C'
unsigned long lib_work(unsigned long x, long n)
{
	volatile long keep = 0;
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x + keep;
}
C
cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
unsigned long lib_work(unsigned long x, long n);
#define SPIN(x, n) for (long i = 0; i < (n); i++) x = x * 6364136223846793005UL + 1442695040888963407UL
__attribute__((noinline)) unsigned long hot_function(unsigned long x, long n)
{
	volatile long keep = 0;
	SPIN(x, 8 * n);
	return x + keep;
}
__attribute__((noinline)) unsigned long warm_function(unsigned long x, long n)
{
	volatile long keep = 0;
	SPIN(x, n);
	return x + keep;
}
__attribute__((noinline)) unsigned long hot_caller(unsigned long x, long rounds, long n)
{
	for (long r = 0; r < rounds; r++) {
		x = hot_function(x, n);
		x = warm_function(x, n);
		x = lib_work(x, n);
	}
	return x;
}
int main(int argc, char **argv)
{
	printf("%lu\n", hot_caller(1, argc > 1 ? atol(argv[1]) : 1000, 100000));
	return 0;
}
C
FLAGS="-O1 -fno-omit-frame-pointer -fno-inline"
cc $FLAGS -fPIC -shared -o libwork.so lib.c || skip "cc cannot build a shared library"
cc $FLAGS -o prog prog.c -L. -lwork -Wl,-rpath,'$ORIGIN' || skip "cc cannot link the fixture"

# About 1.5 s of CPU at 999 Hz: some 1500 samples, whatever the load (cpu-clock counts CPU time).
expect_exit 0 "$PB" profile --folded folded.txt --svg flame.svg -o p.json --top 5 -- ./prog 1200
if grep -q "cannot sample" err; then
	skip "perf_event sampling is not available here: $(cat err)"
fi
cp out table.txt
expect_eq "placebisect.profile/1" "$(jq -r .schema p.json)" "schema"
expect_eq "./prog 1200" "$(jq -r .command p.json)" "command"
expect_grep '^(cycles|cpu-clock)$' <(jq -r .event p.json)
expect_eq "true" "$(jq '.samples >= 400' p.json)" "enough samples ($(jq .samples p.json))"
expect_eq "$(jq .samples p.json)" "$(jq '[.functions[].samples] | add' p.json)" "self samples add up"
expect_eq "true" "$(jq '[.functions[].share] | . == (sort | reverse)' p.json)" "sorted by share"
# hot_function first, with (about) the share it was built with.
expect_eq "hot_function" "$(jq -r '.functions[0].name' p.json)" "hottest function"
expect_eq "$PWD/prog" "$(jq -r '.functions[0].object' p.json)" "its object"
share=$(jq '.functions[0].share' p.json)
echo "hot_function share: $share (built: 0.80)"
expect_eq "true" "$(jq -n "$share > 0.70 and $share < 0.88")" "hot_function's share"
# The shared library's function is the library's.
expect_eq "$PWD/libwork.so" "$(jq -r '.functions[] | select(.name == "lib_work") | .object' p.json)" "lib_work's object"
lib=$(jq '.functions[] | select(.name == "lib_work") | .share' p.json)
expect_eq "true" "$(jq -n "$lib > 0.05 and $lib < 0.16")" "lib_work's share ($lib)"
# The table, like perf report: share, samples, function, object.
expect_grep '^ +share +samples +function +object$' table.txt
expect_grep '^ *[0-9.]+% +[0-9]+ +hot_function +prog$' table.txt
expect_grep 'libwork\.so$' table.txt
expect_grep "samples of (cycles|cpu-clock) at 999 Hz" table.txt

# Folded stacks: root first, the caller right below hot_function; counts add up to the samples.
expect_grep '(^|;)main;hot_caller;hot_function [0-9]+$' folded.txt
expect_grep '(^|;)hot_caller;lib_work [0-9]+$' folded.txt
expect_eq "$(jq .samples p.json)" "$(awk '{ n += $NF } END { print n }' folded.txt)" "folded counts"
# The flame graph is XML, with names and shares in its tooltips.
expect_exit 0 xmllint --noout flame.svg
expect_grep '<title>hot_function: [0-9]+ samples \([0-9.]+%\)</title>' flame.svg
expect_grep '<title>hot_caller: [0-9]+ samples' flame.svg

# --json prints the same document on stdout.
expect_exit 0 "$PB" profile --json --freq 499 -q -- ./prog 200
expect_eq "499" "$(jq .freq out)" "--freq"
expect_eq "hot_function" "$(jq -r '.functions[0].name' out)" "--json hottest"

# A benchmark from placebisect.json, by name.
cat >pb.json <<'JSON'
{ "benchmarks": { "spin": { "command": "{config_dir}/prog 300" } } }
JSON
expect_exit 0 "$PB" profile --config pb.json --bench spin -o b.json -q
expect_eq "spin" "$(jq -r .benchmark b.json)" "benchmark"
expect_eq "hot_function" "$(jq -r '.functions[0].name' b.json)" "benchmark's hottest"

# --rev: the revision is built in the private worktree (no shared library there: one file).
mkdir repo
sed -e 's/^unsigned long lib_work.*//' -e 's/x = lib_work(x, n);//' prog.c >repo/hot.c
cat >repo.json <<'JSON'
{ "build": { "command": "cc -O1 -fno-omit-frame-pointer -fno-inline -o hot hot.c", "binary": "hot" },
  "benchmarks": { "spin": { "command": "{binary} 300" } } }
JSON
(cd repo && git init -q . && git add hot.c && git -c user.name=t -c user.email=t@t commit -q -m hot) || exit 1
head=$(git -C repo rev-parse HEAD)
(cd repo && "$PB" profile --config ../repo.json --rev HEAD --bench spin -o ../r.json -q) >out 2>err
expect_eq 0 $? "profile --rev: $(cat err)"
expect_eq "$head" "$(jq -r .commit r.json)" "commit profiled"
expect_eq "hot_function" "$(jq -r '.functions[0].name' r.json)" "--rev hottest"
expect_eq "" "$(git -C repo status --porcelain)" "user tree untouched"

# layout --profile: the hot set is what covers 90% of the samples.
expect_exit 0 "$PB" layout prog --profile p.json --json
expect_eq "profile" "$(jq -r .hot.source out)" "hot source"
expect_eq "true" "$(jq '.hot.functions | index("hot_function") != null' out)" "hot_function is hot"

# cachegrind: exact instruction counts per function, the same split.
if command -v valgrind >/dev/null; then
	expect_exit 0 "$PB" profile --backend cachegrind -o c.json -- ./prog 3
	expect_eq "Ir" "$(jq -r .event c.json)" "cachegrind event"
	expect_eq "hot_function" "$(jq -r '.functions[0].name' c.json)" "cachegrind hottest"
	expect_eq "true" "$(jq '.functions[0].Ir >= 2400000 and .functions[0].I1mr >= 0' c.json)" "Ir and I1mr"
	cshare=$(jq '.functions[0].share' c.json)
	expect_eq "true" "$(jq -n "$cshare > 0.75 and $cshare < 0.81")" "cachegrind share ($cshare)"
	expect_eq "$(jq '.functions[] | select(.name == "warm_function") | .Ir' c.json)" \
		"$(jq '.functions[] | select(.name == "lib_work") | .Ir' c.json)" "warm and lib equal Ir"
	expect_exit 2 "$PB" profile --backend cachegrind --svg x.svg -- ./prog 1
	expect_grep "cachegrind records no call stacks" err
fi

# Usage errors.
expect_exit 2 "$PB" profile
expect_grep "what to run" err
expect_exit 2 "$PB" profile --freq 0 -- ./prog 1
expect_exit 2 "$PB" profile --backend time -- ./prog 1
expect_grep "expected perf \(sampling\) or cachegrind" err
expect_exit 2 "$PB" profile --rev HEAD -- ./prog 1
expect_grep "\-\-rev needs --bench" err

# layout --hot takes C++ names as the symbol table spells them (mangled), as profiles write them.
if command -v c++ >/dev/null; then
	printf 'namespace ns { __attribute__((noinline)) int twice(int x) { return 2 * x; } }\nint main(int c, char **) { return ns::twice(c); }\n' >m.cc
	c++ -O1 -o mprog m.cc
	expect_exit 0 "$PB" layout mprog --hot _ZN2ns5twiceEi --json
	expect_eq '["_ZN2ns5twiceEi"]' "$(jq -c .hot.functions out)" "mangled --hot"
fi

finish
