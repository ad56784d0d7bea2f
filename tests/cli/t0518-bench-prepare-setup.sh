#!/usr/bin/env bash
# benchmarks.NAME.prepare (before every run, warm-ups included, not timed) and .setup (once per
# revision before its runs): placeholders expanded and shell-quoted like `command`, run in
# interleaved rounds before each run of each revision, failures named with the command's output,
# validated like `command`.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

# A directory with a space and a quote: placeholders must stay one word.
mkdir "my repo's"
cd "my repo's"
git init -q .
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
for work in 1000 2000; do
	printf 'int main(void) { volatile unsigned long s = 0; for (unsigned long i = 0; i < %dUL; i++) s += i; return 0; }\n' $work > prog.c
	git add prog.c
	git commit -q -m "work $work"
done
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary} && echo \"run \$(grep -o '[0-9]*UL' prog.c)\" >> $T/log",
                            "setup": "echo \"setup \$(grep -o '[0-9]*UL' prog.c)\" >> $T/log && grep -o '[0-9]*UL' prog.c > {worktree}/../setup-ran",
                            "prepare": "test -x {binary} && echo \"prepare \$(grep -o '[0-9]*UL' prog.c)\" >> $T/log",
                            "runs": 3, "warmups": 1 } },
  "measure": { "backend": "time" }
}
JSON
expect_exit 0 "$PB" config
expect_exit 0 "$PB" measure --rev HEAD --bench work --json
expect_eq 3 "$(jq '.summary.n' "$T/out")" "3 runs, none failed"
expect_eq "setup 2000UL
prepare 2000UL
run 2000UL
prepare 2000UL
run 2000UL
prepare 2000UL
run 2000UL
prepare 2000UL
run 2000UL" "$(cat "$T/log")" "setup once, prepare before each of 1 warm-up and 3 runs"

# Interleaved blocks of two revisions: each revision's setup once, before its first run, and
# every run right after a prepare of the same revision.
rm -f "$T/log"
expect_exit 0 "$PB" compare --rev HEAD~1 --rev HEAD --bench work --runs 4 --json
expect_eq 1 "$(grep -c '^setup 1000UL$' "$T/log")" "setup of HEAD~1 once"
expect_eq 1 "$(grep -c '^setup 2000UL$' "$T/log")" "setup of HEAD once"
expect_eq "$(grep -c '^run ' "$T/log")" "$(grep -c '^prepare ' "$T/log")" "a prepare per run"
expect_eq "" "$(awk '/^run / { if (prev != "prepare " $2) print NR": "$0" after "prev } { prev = $1 " " $2 }' "$T/log")" "each run right after its revision's prepare"
expect_eq true "$(awk '/^run 1000UL/ { a = 1 } /^run 2000UL/ { b = 1 } /^run/ && a && b { print "true"; exit }' "$T/log")" "both revisions ran"

# A failing prepare: every run fails, by name, with what it printed.
jq '.benchmarks.work.prepare = "echo no fixture data >&2; exit 3"' placebisect.json > p.json && mv p.json placebisect.json
expect_exit 2 "$PB" measure --rev HEAD --bench work --runs 2 -o "$T/failed.json"
expect_grep "warning: 2 of 2 runs failed: benchmarks.work.prepare \`echo no fixture data >&2; exit 3\` failed: exit 3: no fixture data \(first: run 1\)" "$T/err"
# The runs that did not happen record the prepare's exit status; the file reads back.
expect_eq "false 3 false 3" "$(jq -r '[.runs[] | (.ok, .exit)] | join(" ")' "$T/failed.json")" "failed runs in the JSON"
expect_exit 0 "$PB" report "$T/failed.json" -o "$T/failed.md"
# A failing setup: every run of that revision fails with it (setup ran once).
jq '.benchmarks.work.prepare = null | .benchmarks.work.setup = "echo setting up >> '"$T"'/setups; echo missing dataset; exit 1"' placebisect.json > p.json && mv p.json placebisect.json
rm -f "$T/setups"
expect_exit 2 "$PB" measure --rev HEAD --bench work --runs 3
expect_grep "3 of 3 runs failed: benchmarks.work.setup \`.*\` failed: exit 1: missing dataset \(first: run 1\)" "$T/err"
expect_eq 1 "$(wc -l < "$T/setups")" "a failed setup is run once"

# measure -- CMD takes them as options (hyperfine's --prepare/--setup).
rm -f "$T/log2"
expect_exit 0 "$PB" measure --runs 2 --warmups 0 --backend time --setup "echo s >> $T/log2" --prepare "echo p >> $T/log2" -- sh -c "echo r >> $T/log2"
expect_eq "s p r p r" "$(tr '\n' ' ' < "$T/log2" | sed 's/ $//')" "measure -- CMD: setup, then prepare before each run"

# Validation: like `command`.
jq '.benchmarks.work.setup = null | .benchmarks.work.prepare = "rm -f {bin}"' placebisect.json > p.json && mv p.json placebisect.json
expect_exit 2 "$PB" config
expect_grep "benchmarks.work.prepare: unknown placeholder \{bin\}" "$T/err"
jq '.benchmarks.work.prepare = 3' placebisect.json > p.json && mv p.json placebisect.json
expect_exit 2 "$PB" config
expect_grep "benchmarks.work.prepare: expected a string" "$T/err"
jq '.benchmarks.work.prepare = null | .benchmarks.work.setup = ""' placebisect.json > p.json && mv p.json placebisect.json
expect_exit 2 "$PB" config
expect_grep "benchmarks.work.setup: must not be empty" "$T/err"
jq '.benchmarks.work.setup = null | .benchmarks.work.prepar = "x"' placebisect.json > p.json && mv p.json placebisect.json
expect_exit 2 "$PB" config
expect_grep "benchmarks.work.prepar: unknown key \(did you mean 'prepare'\?\)" "$T/err"
finish
