#!/usr/bin/env bash
# Benchmarks that misbehave, measured through the configuration: one that segfaults on some runs,
# hangs, leaves a setsid daemon behind, writes 1 GB to stdout, exits 0 without printing its metric,
# writes no or a broken pyperf file, or will not overwrite it under another metric; a pinned CPU that does not exist; perf_event without a PMU
# (with and without the fallback). Each: the exit code and the message; no process left behind.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

git init -q repo
cd repo
cat > placebisect.json <<JSON
{ "benchmarks": {
    "flaky": { "command": "n=\$(cat $T/n 2>/dev/null || echo 0); echo \$((n + 1)) > $T/n; [ \$((n % 2)) = 0 ] && kill -SEGV \$\$; echo value: 5",
               "runs": 4, "warmups": 0 },
    "hang": { "command": "sleep 35.5", "runs": 2, "warmups": 0, "timeout": 0.5 },
    "daemon": { "command": "setsid sleep 36.5 & echo started", "runs": 3, "warmups": 0 },
    "flood": { "command": "echo value: 42; head -c 1000000000 /dev/zero", "runs": 1, "warmups": 0,
               "metric": "stdout", "parse": { "regex": "value: ([0-9.]+)" } },
    "late": { "command": "head -c 1100000 /dev/zero | tr '\\\\0' x; echo; echo value: 42", "runs": 1, "warmups": 0,
              "metric": "stdout", "parse": { "regex": "value: ([0-9.]+)" } },
    "silent": { "command": "echo done", "runs": 2, "warmups": 0,
                "metric": "stdout", "parse": { "regex": "value: ([0-9.]+)" } },
    "nofile": { "command": "true", "runs": 2, "warmups": 0, "metric": "pyperf", "parse": { "file": "bench.json" } },
    "badfile": { "command": "echo '{\"benchmarks\": [' > bench.json", "runs": 1, "warmups": 0,
                 "metric": "pyperf", "parse": { "file": "bench.json" } },
    "noclobber": { "command": "test -e bench.json && { echo exists; exit 1; }; echo '{}' > bench.json", "runs": 2,
                   "warmups": 0, "metric": "pyperf", "parse": { "file": "bench.json" } } },
  "measure": { "backend": "time" } }
JSON
m=("$PB" measure --json)
gone() { # SLEEP_ARG WHAT
	expect_eq "" "$(pgrep -f "sleep $1" || true)" "$2: no process left"
}

# Segfaults on every other run: those runs are failed and counted, the others summarized.
expect_exit 0 "${m[@]}" --bench flaky
expect_eq "[139,0,139,0]" "$(jq -c '[.runs[].exit]' "$T/out")" "flaky: exit statuses"
expect_eq 2 "$(jq .summary.n "$T/out")" "flaky: summary over the good runs"
expect_grep "^placebisect: warning: 2 of 4 runs failed: killed by SIGSEGV \(first: run 1\); failed runs are not in the summary$" "$T/err"

# Hangs: each run is killed at its timeout (the whole process group); all failed is exit 2.
expect_exit 2 "${m[@]}" --bench hang
expect_grep "^placebisect: warning: 2 of 2 runs failed: timed out after 0.5 s \(first: run 1\); failed runs are not in the summary$" "$T/err"
expect_grep "^placebisect: error: measure: all 2 runs failed \(see the warnings above\); nothing to summarize$" "$T/err"
gone 35.5 "hang"

# Daemonizes a setsid grandchild: killed after each run, said once, the runs count.
expect_exit 0 "${m[@]}" --bench daemon
expect_eq 3 "$(jq .summary.n "$T/out")" "daemon: runs ok"
expect_eq 1 "$(grep -c 'left 1 process running after it exited' "$T/err")" "daemon: warned once"
expect_grep "^placebisect: warning: the benchmark left 1 process running after it exited \(a daemon\?\); killed, as after every run$" "$T/err"
expect_eq '["the benchmark left 1 process running after it exited (a daemon?); killed, as after every run"]' \
	"$(jq -c .warnings "$T/out")" "daemon: the warning is in the measurement"
gone 36.5 "daemon"

# 1 GB on stdout: read to the end without keeping it (the capture is capped), the value parsed.
expect_exit 0 "${m[@]}" --bench flood
expect_eq 42 "$(jq '.runs[0].value' "$T/out")" "flood: value"

# Exits 0 without printing the metric: the run failed, saying why.
expect_exit 2 "${m[@]}" --bench silent
expect_grep "^placebisect: warning: 2 of 2 runs failed: no match for parse.regex 'value: \(\[0-9.\]\+\)' in the benchmark's output \(first: run 1\); failed runs are not in the summary$" "$T/err"
# The metric printed after the capture limit (1 MiB): the message says the output was cut there.
expect_exit 2 "${m[@]}" --bench late
expect_grep "^placebisect: warning: 1 of 1 runs failed: no match for parse.regex 'value: \(\[0-9.\]\+\)' in the benchmark's output, which was cut at 1048576 bytes \(placebisect keeps the first 1048576 bytes of stdout\): print the metric within them, or send the rest of the output to stderr or a file \(first: run 1\)" "$T/err"
expect_exit 2 "${m[@]}" --bench nofile
expect_grep "^placebisect: warning: 2 of 2 runs failed: the benchmark wrote no pyperf file at $PWD/bench.json \(first: run 1\)" "$T/err"
expect_exit 2 "${m[@]}" --bench badfile
expect_grep "^placebisect: warning: 1 of 1 runs failed: $PWD/bench.json:2:1: unexpected end of JSON text \(truncated\?\) \(first: run 1\)" "$T/err"
# parse.file is removed before each run whatever the metric: a harness that will not overwrite
# its output (pyperf -o) runs under --metric wall too, though badfile left bench.json behind.
expect_exit 0 "${m[@]}" --bench noclobber --metric wall
expect_eq 2 "$(jq .summary.n "$T/out")" "noclobber: both runs ok under --metric wall"

# A pinned CPU that does not exist (on the command line and in the configuration).
online=$(cat /sys/devices/system/cpu/online)
expect_exit 2 "${m[@]}" --bench flaky --cpus 1023
expect_eq "placebisect: error: --cpus: CPU 1023 does not exist or is offline (online: $online)" "$(cat "$T/err")" "--cpus 1023"
expect_exit 2 "${m[@]}" --bench flaky --cpus 4095
expect_eq "placebisect: error: --cpus: CPU 4095 does not exist or is offline (online: $online)" "$(cat "$T/err")" "--cpus 4095"
sed -i 's/"backend": "time"/"backend": "time", "cpus": "0,1023"/' placebisect.json
expect_exit 2 "${m[@]}" --bench flaky
expect_grep "CPU 1023 does not exist or is offline \(online: $online\)$" "$T/err"

# perf_event without a PMU (the unit tests mock ENOENT, EACCES and EOPNOTSUPP; this is the machine).
cd "$T"
if [ "$("$PB" system show --json | jq -r .hardware_counters)" = false ]; then
	expect_exit 3 "$PB" measure --backend perf --runs 1 -- true
	expect_grep "^placebisect: error: --backend perf: no hardware counter opens here \(cycles: .*\); use --backend cachegrind for exact simulated counts, or --backend time$" "$T/err"
	expect_exit 0 "$PB" measure --backend auto --runs 1 --warmups 0 --json -- true
	expect_eq "perf (software events only)" "$(jq -r .backend "$T/out")" "auto falls back to software events"
	expect_grep "^placebisect: warning: no hardware counters here \(cycles: .*\); counting software events and clocks only; .--backend cachegrind. gives exact simulated instruction and cache counts$" "$T/err"
	expect_exit 3 "$PB" measure --backend auto --metric cycles --runs 1 -- true
	expect_grep "^placebisect: error: metric 'cycles' needs hardware counters, which this machine does not have" "$T/err"
else
	echo "SKIP (part): this machine has hardware counters; perf_event failures are covered by the mocked unit tests"
fi
finish
