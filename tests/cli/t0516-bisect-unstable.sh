#!/usr/bin/env bash
# A benchmark with no steady level (issue #15, Bad input): runs that alternate between two modes,
# or every run slower than the last, get "unstable: ..." and exit 4, not a verdict; what was
# measured stays cached, and a steady benchmark afterwards bisects from it. `measure` warns, and
# `compare` of alternating runs says unknown, not slower.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 6 4 --effect 8 --noise 0
cd repo
# The wrapper scales the program's value by the count of runs so far (a counter file): every other
# run AMP (1.3) times slower (alternate), or each run 3% slower than the one before (drift), or
# not at all.
cat > "$T/wrap.sh" <<'SH'
#!/usr/bin/env bash
n=$(cat "$COUNTER"); echo $((n + 1)) > "$COUNTER"
"$1" | awk -v n="$n" -v mode="$MODE" -v amp="${AMP:-1.3}" '{ f = 1
	if (mode == "alternate" && n % 2) f = amp
	if (mode == "drift") f = 1 + 0.03 * n
	printf "value: %.3f\n", $2 * f }'
SH
chmod +x "$T/wrap.sh"
config() { # MODE [AMP]
	cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "$T/wrap.sh {binary}", "metric": "stdout", "runs": 10,
                            "warmups": 0, "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "COUNTER": "$T/counter", "MODE": "$1", "AMP": "${2:-1.3}" } } },
  "measure": { "backend": "time" }
}
JSON
	echo 0 > "$T/counter"
}

config alternate
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq unstable "$(jq -r .status "$T/out")" "status of an alternating benchmark"
expect_eq "the runs alternate between two modes, every other run 30.0% slower (20 runs, spread within a mode 0.0%)" \
	"$(jq -r .unstable "$T/out")" "the pattern, with its numbers"
expect_eq null "$(jq -r .culprit "$T/out")" "no culprit"
expect_eq "placebisect: warning: unstable: the runs alternate between two modes, every other run 30.0% slower (20 runs, spread within a mode 0.0%); no commit was judged (exit 4), the runs are kept" \
	"$(grep warning "$T/err")" "said on stderr"
expect_eq 20 "$(jq -r .runs_total "$T/out")" "the endpoints' blocks only"

config drift
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work --remeasure
# a clear slowdown stops the endpoints' first blocks after 16 runs: the pattern is looked for there
expect_grep '^unstable: every run is slower than the last \(15 of 15 in a row\), \+[0-9.]+% from the first third of the 16 runs to the last; ' "$T/out"
expect_grep '^Attribution: inconclusive — the benchmark is unstable$' "$T/out"

# Nothing measured is lost: the same runs come from the cache (no benchmark run) ...
echo 0 > "$T/counter"
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work --json -q
expect_eq 0 "$(cat "$T/counter")" "a second bisect runs nothing: cached"
expect_eq unstable "$(jq -r .status "$T/out")" "the cached runs say the same"
expect_eq 0 "$(jq -r .runs_measured "$T/out")" "runs_measured"
# ... and a report says it.
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work -q --report "$T/r.md"
expect_grep '^\*\*The benchmark is unstable\*\*: every run is slower than the last' "$T/r.md"

# measure says so (a warning: it gives no verdict); compare of such runs is unknown, not slower.
config alternate 1.05
expect_exit 0 "$PB" measure --rev base --bench work -o "$T/a.json"
expect_eq "placebisect: warning: unstable: the runs alternate between two modes, every other run 5.0% slower (10 runs, spread within a mode 0.0%); these runs are no sample of one level, so a comparison with them means little (is there state one run leaves to the next, or heat?)" \
	"$(grep warning "$T/err")" "measure's warning"
expect_exit 0 "$PB" measure --rev HEAD --bench work -o "$T/b.json" -q
expect_exit 0 "$PB" compare "$T/a.json" "$T/b.json" --json
expect_eq unknown "$(jq -r .verdict "$T/out")" "compare of alternating runs"
expect_eq "$T/a.json's runs alternate between two modes (every other run 5.0% slower (10 runs, spread within a mode 0.0%)): unstable, not a sample of one level" \
	"$(jq -r .safety.why "$T/out")" "why"

# A steady benchmark is not unstable: the culprit, exit 0.
config steady
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json --remeasure
expect_eq found "$(jq -r .status "$T/out")" "a steady benchmark"
expect_eq "commit 4" "$(jq -r .culprit.subject "$T/out")" "its culprit"

finish
