#!/bin/bash
# t0301-measure-runs.sh: `measure -- CMD` with the time backend: exit codes, failed runs counted, stdout metric, CPUs, --rev.
. "$PB_SOURCE_DIR/tests/cli/lib.sh"

# A plain command: 0, the measurement schema, every run ok.
expect_exit 0 "$PB" measure --backend time --runs 3 --warmups 1 --json -- true
expect_eq "placebisect.measurement/1" "$(jq -r .schema out)" "schema"
expect_eq "3" "$(jq '.runs | length' out)" "recorded runs (warmups not recorded)"
expect_eq "0" "$(jq '[.runs[] | select(.ok | not)] | length' out)" "failed runs"
expect_eq "time" "$(jq -r .backend out)" "backend"
expect_eq "wall" "$(jq -r .metric out)" "metric"
expect_eq "true" "$(jq -r .command out)" "command"

# The human table goes to stdout, the JSON to -o atomically.
expect_exit 0 "$PB" measure --backend time --runs 2 -o m.json -- true
expect_grep "wall: median" out
expect_eq "2" "$(jq '.summary.n' m.json)" "summary.n in -o file"

# A segfaulting benchmark: recorded and counted as failed, never averaged in; all failed -> exit 2.
expect_exit 2 "$PB" measure --backend time --runs 2 -o seg.json -- sh -c 'kill -SEGV $$'
expect_eq "2" "$(jq '[.runs[] | select(.ok | not)] | length' seg.json)" "failed runs recorded"
expect_eq "139" "$(jq '.runs[0].exit' seg.json)" "exit of a SIGSEGV run"
expect_grep "2 of 2 runs failed: killed by SIGSEGV" err
expect_grep "all 2 runs failed" err

# Some runs fail: exit 0, the summary over the others.
cat > flaky.sh <<'SH'
n=$(cat n 2>/dev/null || echo 0); echo $((n + 1)) > n
[ $((n % 2)) = 0 ] || { echo "bench: odd run $n" >&2; echo 'out of luck' >&2; exit 7; }
SH
expect_exit 0 "$PB" measure --backend time --runs 4 --warmups 0 --json -- sh flaky.sh
expect_eq "2" "$(jq '.summary.n' out)" "summary over the ok runs"
expect_eq "[0,7,0,7]" "$(jq -c '[.runs[].exit]' out)" "exit statuses"
expect_grep "2 of 4 runs failed: exit 7: out of luck \\(first: run 2\\)" err

# metric stdout through the config; a run without the number fails with the reason.
git init -q repo && cd repo || exit 1
cat > placebisect.json <<'JSON'
{ "benchmarks": {
    "parse": { "command": "n=$(cat n 2>/dev/null || echo 0); echo $((n + 1)) > n; [ $n = 1 ] && echo nothing || echo \"time: 4$n.25 ms\"",
               "runs": 3, "warmups": 0, "metric": "stdout", "parse": { "regex": "time: ([0-9.]+) ms" } } },
  "measure": { "backend": "time", "cpus": "auto" } }
JSON
expect_exit 0 "$PB" measure --bench parse --json
expect_eq "[40.25,null,42.25]" "$(jq -c '[.runs[].value]' "$T/out")" "parsed values"
expect_eq "41.25" "$(jq '.summary.median' "$T/out")" "median of the parsed values"
expect_grep "1 of 3 runs failed: no match for parse.regex" "$T/err"
expect_grep "\"cpus\"" "$T/out"
cd "$T" || exit 1

# CPUs: a nonexistent one is a usage error naming it.
expect_exit 2 "$PB" measure --backend time --cpus 4095 -- true
expect_grep "4095" err
expect_exit 0 "$PB" measure --backend time --runs 1 --cpus 0 -- true

# Usage errors.
expect_exit 2 "$PB" measure --backend time -- ./no-such-program
expect_grep "cannot run './no-such-program'" err
expect_exit 2 "$PB" measure --backend time
expect_grep "what to run" err
expect_exit 2 "$PB" measure --rev HEAD --bench x
expect_grep "not inside a git repository: run placebisect from your project.s checkout, or pass --repo DIR" err
expect_exit 2 "$PB" measure --backend warp -- true
expect_grep "unknown backend 'warp'" err
expect_exit 2 "$PB" measure --backend time --metric stdout -- true
expect_grep "parse.regex" err
expect_exit 2 "$PB" measure --backend time --metric instructions -- true
expect_grep "needs counters" err

finish
