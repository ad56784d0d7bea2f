#!/usr/bin/env bash
# Region of interest for exact metrics: a baseline command's counts are subtracted (baseline{} and the net value in the result); without one, heavy start-up is warned about with both numbers.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

# A program with heavy start-up: 1500 function pointers into a shared library, each a symbol the
# dynamic loader looks up before main; then `work(M)`: M iterations of UNIT table calls. Two
# builds differ only in UNIT (the loop's cost), their start-up is the same.
python3 - <<'PY'
N = 1500
with open('lib.c', 'w') as f:
    for i in range(N):
        f.write(f"int f{i}(int x) {{ return x + {i}; }}\n")
with open('tbl.c', 'w') as f:
    for i in range(N):
        f.write(f"int f{i}(int);\n")
    f.write("int (*const tbl[])(int) = {" + ",".join(f"f{i}" for i in range(N)) + "};\n")
    f.write(f"const int ntbl = {N};\n")
PY
cat >prog.c <<'C'
#include <stdlib.h>
extern int (*const tbl[])(int);
extern const int ntbl;
static volatile unsigned sink;
static void __attribute__((noinline)) work(long m)
{
	for (long i = 0; i < m; i++)
		for (int k = 0; k < UNIT; k++)
			sink += (unsigned)tbl[(i + k) % ntbl](k);
}
int main(int argc, char **argv)
{
	work(argc > 1 ? atol(argv[1]) : 0);
	return 0;
}
C
gcc -O2 -shared -fPIC lib.c -o libstart.so &&
	gcc -O2 -DUNIT=1 prog.c tbl.c -o prog1 -L. -lstart -Wl,-rpath,'$ORIGIN' &&
	gcc -O2 -DUNIT=2 prog.c tbl.c -o prog2 -L. -lstart -Wl,-rpath,'$ORIGIN' || { echo "FAIL: fixture build"; exit 1; }

m() { "$PB" measure --backend cachegrind --metric Ir --json "$@"; }

# Without a region: the warning, with the start-up's count and the total.
expect_exit 0 m -- ./prog1 20000
cp out g1.json
expect_grep '^placebisect: warning: start-up is [0-9]+% of the counted work: [0-9,]+ of [0-9,]+ instructions \(Ir\) are the dynamic loader, C runtime and static initialisers, the benchmark.s own work at most [0-9,]+; .*baseline' err
start=$(sed -nE 's/.*counted work: ([0-9,]+) of ([0-9,]+) instructions.*/\1/p' err | head -1 | tr -d ,)
total=$(sed -nE 's/.*counted work: ([0-9,]+) of ([0-9,]+) instructions.*/\2/p' err | head -1 | tr -d ,)
expect_eq "$total" "$(jq .summary.median g1.json)" "the warning's total is the measured Ir"
expect_eq true "$([ "$start" -gt $((total / 2)) ] && echo true)" "start-up $start > half of $total"
expect_eq true "$(jq '.warnings | any(test("start-up is [0-9]+% of the counted work"))' g1.json)" "warning in the result"
expect_eq null "$(jq .baseline g1.json)" "no baseline{} without one"
expect_exit 0 m -- ./prog2 20000
cp out g2.json

# With a baseline (the same program, zero iterations): measured once, subtracted, said.
expect_exit 0 m --baseline './prog1 0' -- ./prog1 20000
cp out n1.json
expect_grep "Ir is net of the baseline \`./prog1 0\`" err
n=$((n + 1))
if grep -q 'start-up is' err; then echo "FAIL: start-up warning despite a baseline"; fails=$((fails + 1)); fi
b1=$(jq .baseline.value n1.json)
expect_eq "./prog1 0" "$(jq -r .baseline.command n1.json)" "baseline.command"
expect_eq "$b1" "$(jq '.baseline.counters.Ir' n1.json)" "baseline.counters.Ir"
# cachegrind is exact: net = gross - baseline, to the instruction.
expect_eq "$(($(jq .summary.median g1.json) - b1))" "$(jq .summary.median n1.json)" "net = gross - baseline"
expect_exit 0 m --baseline './prog2 0' -- ./prog2 20000
cp out n2.json
# The change between the builds is the loop's: the same difference, now not diluted by start-up.
expect_eq "$(($(jq .summary.median g2.json) - $(jq .summary.median g1.json)))" \
	"$(($(jq .summary.median n2.json) - $(jq .summary.median n1.json)))" "the change is the loop's"
expect_eq true "$(jq -n --slurpfile a g1.json --slurpfile b g2.json '$b[0].summary.median / $a[0].summary.median < 1.3')" "gross ratio diluted"
expect_eq true "$(jq -n --slurpfile a n1.json --slurpfile b n2.json '$b[0].summary.median / $a[0].summary.median > 1.5')" "net ratio is the loop's"
# Twice the iterations, twice the net count (start-up out; the baseline runs as `exec ./prog1 0`
# under the shell, whose environment differs from a direct run's by a few hundred instructions).
expect_exit 0 m --baseline './prog1 0' -- ./prog1 40000
expect_eq true "$(jq --slurpfile a n1.json '(.summary.median / $a[0].summary.median - 2) | fabs < 0.01' out)" "net is linear in the loop"
expect_exit 0 "$PB" compare n1.json n2.json --json
expect_eq slower "$(jq -r .verdict out)" "compare of the net counts"

# A baseline that fails: named, with how it ended (exit 2).
expect_exit 2 m --baseline 'sh -c "exit 3"' -- ./prog1 10
expect_grep "error: baseline \`sh -c \"exit 3\"\` failed \(exit 3\): it must run the benchmark's start-up and exit 0" err

# From the config: benchmarks.NAME.baseline, placeholders expanded like the command's.
git init -q repo && cp prog1 libstart.so repo/ && cd repo || exit 1
cat >placebisect.json <<'JSON'
{ "benchmarks": { "loop": { "command": "{worktree}/prog1 20000", "baseline": "{worktree}/prog1 0", "metric": "Ir" } },
  "measure": { "backend": "cachegrind" } }
JSON
expect_exit 0 "$PB" measure --bench loop --json
expect_eq "$PWD/prog1 0" "$(jq -r .baseline.command "$T/out")" "config baseline, expanded"
expect_eq true "$(jq --slurpfile a "$T/n1.json" '(.summary.median / $a[0].summary.median - 1) | fabs < 0.01' "$T/out")" "the net count of --baseline"
# Other backends leave start-up in, and say so.
expect_exit 0 "$PB" measure --bench loop --backend time --metric wall --runs 1 --warmups 0 --json
expect_grep "baseline \`$PWD/prog1 0\` not used: it is subtracted from exact \(cachegrind\) counts only" "$T/err"
finish
