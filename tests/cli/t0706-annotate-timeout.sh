#!/usr/bin/env bash
# annotate --rev/--bench runs the benchmark under callgrind, some 50 times slower than alone: the
# benchmark's own timeout (set for the program alone) stretches with it, as for the cachegrind
# backend. Found on Lua: a 0.3 s benchmark with the default 60 s timeout was killed under callgrind.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind"

git init -q repo
cd repo
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
# About 20 ms alone; 100 M instructions take seconds under callgrind, past the 1 s timeout.
cat > prog.c <<'C'
static volatile unsigned long sink;
int main(void) { for (unsigned long i = 0; i < 20000000UL; i++) sink += i; return 0; }
C
git add prog.c
git commit -q -m "work"
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -g -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "wall", "runs": 3, "timeout": 1 } }
}
JSON
expect_exit 0 "$PB" annotate --rev HEAD --bench work --top 1 --json
expect_eq main "$(jq -r '.functions[0].name' "$T/out")" "the hot function, from a run longer than 1 s"
expect_eq true "$(jq '.functions[0].cost >= 100000000' "$T/out")" "its 20 M iterations counted"
finish
