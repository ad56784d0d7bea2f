#!/usr/bin/env bash
# placebisect config: the effective configuration, and exact messages for bad files.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

git init -q repo
cat > repo/placebisect.json <<'JSON'
{
  "build": { "command": "make -j2", "binary": "demo" },
  "benchmarks": { "call_method": { "command": "{binary} call_method", "runs": 20 } },
  "stats": { "alpha": 0.05 }
}
JSON
mkdir -p repo/sub/dir

# Found at the repository's top from anywhere inside it; defaults filled in.
(cd repo/sub/dir && expect_exit 0 "$PB" config --json)
expect_eq 20 "$(jq '.benchmarks.call_method.runs' out)" "runs"
expect_eq 1 "$(jq '.benchmarks.call_method.warmups' out)" "default warmups"
expect_eq '"wall"' "$(jq '.benchmarks.call_method.metric' out)" "default metric"
expect_eq 0.05 "$(jq '.stats.alpha' out)" "alpha"
expect_eq 60 "$(jq '.stats.max_runs' out)" "default max_runs"
expect_eq '"auto"' "$(jq '.measure.backend' out)" "default backend"
expect_grep 'placebisect.json is valid' err
expect_exit 0 "$PB" config --repo repo -q -o eff.json
expect_eq "" "$(cat err)" "quiet"
expect_eq 20 "$(jq '.benchmarks.call_method.runs' eff.json)" "-o file"

# Errors name the file and the key path (or line:column), exit 2.
bad() { # CONTENT MESSAGE
	printf '%s' "$1" > bad.json
	expect_exit 2 "$PB" config --config bad.json
	expect_eq "placebisect: error: $2" "$(cat err)" "config $1"
}
bad '{"benchmarks": {"call_method": {"command": "x", "runs": 0}}}' \
	"bad.json: benchmarks.call_method.runs: expected a whole number from 1 to 100000, got 0"
bad '{"benchmarks": {"call_method": {"command": "x", "timeout": -5}}}' \
	"bad.json: benchmarks.call_method.timeout: expected a number from 0.001 to 1e+07, got -5"
bad '{"stats": {"max_runs": 1e999}}' "bad.json: stats.max_runs: number out of range"
bad '{"stats": {"alpha": 0.01},}' "bad.json:1:27: invalid JSON syntax"
bad '{"stats": {"alpha": 0.01}} {}' "bad.json:1:28: unexpected data after the JSON value"
bad '{"stats": {"alpha": 0.01, "alpha": 0.02}}' "bad.json: stats.alpha: duplicate key"
bad '{"stats": {"alpha": 0.0' "bad.json:1:24: unexpected end of JSON text (truncated?)"
bad '' "bad.json: empty document: expected a JSON value"
bad '{"stats": {"alpha": NaN}}' "bad.json:1:21: invalid JSON syntax"
bad '{"measure": {"backnd": "perf"}}' "bad.json: measure.backnd: unknown key (did you mean 'backend'?)"
bad '{"build": {"command": 7}}' "bad.json: build.command: expected a string, got a number"
printf '{"a": "\xff"}' > bad.json
expect_exit 2 "$PB" config --config bad.json
expect_eq "placebisect: error: bad.json:1:8: invalid UTF-8" "$(cat err)" "invalid UTF-8"
python3 -c 'print("[" * 300 + "]" * 300)' > bad.json
expect_exit 2 "$PB" config --config bad.json
expect_eq "placebisect: error: bad.json:1:257: nesting deeper than 256 levels" "$(cat err)" "deep nesting"

expect_exit 2 "$PB" config --config missing.json
expect_eq "placebisect: error: cannot open missing.json: No such file or directory" "$(cat err)" "missing file"
mkdir norepo
(cd norepo && expect_exit 2 "$PB" config --repo "$T/norepo")
expect_grep "is not inside a git repository" err
git init -q empty
(cd empty && expect_exit 2 "$PB" config)
expect_grep 'no configuration: create placebisect.json at the repository' err

# A near miss of a metric's name is refused with the suggestion; counter names pass to the backend.
echo '{ "benchmarks": { "b": { "command": "true", "metric": "wal" } } }' > m.json
expect_exit 2 "$PB" config --config m.json
expect_eq 'placebisect: error: m.json: benchmarks.b: metric: unknown metric "wal" (did you mean "wall"?); a metric is wall, cpu, instructions, cycles, est_cycles, stdout, pyperf, hyperfine, gbench or a counter'"'"'s name' "$(cat err)" "metric near miss"
for m in cycles:u L1-icache-load-misses INST_RETIRED context-switches est_cycles; do
	echo "{ \"benchmarks\": { \"b\": { \"command\": \"true\", \"metric\": \"$m\" } } }" > m.json
	expect_exit 0 "$PB" config --config m.json
done

finish
