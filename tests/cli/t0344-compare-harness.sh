#!/usr/bin/env bash
# compare reads other harnesses' files directly: pyperf (checked-in files the real tool wrote), hyperfine --export-json and Google Benchmark JSON (made here by the real tools), and a mixed pair.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
D=$PB_SOURCE_DIR/tests/data/pyperf

# same_vs_same WHAT: the comparison in out of a file with itself.
same_vs_same() {
	expect_eq "1 1" "$(jq -r '"\(.ratio) \(.p_value)"' out)" "$1 same vs same: ratio, p"
	expect_eq "$(jq -r 'if .ci95[0] >= 1 - .min_effect and .ci95[1] <= 1 + .min_effect then "same" else "unknown" end' out)" \
		"$(jq -r .verdict out)" "$1 same vs same: verdict"
}

# ---- pyperf: mult_list_py36.json and mult_list_py37.json come from pyperf's own test data
# (pyperf 2.0.1 on CPython 3.6 and 3.7, see tests/data/pyperf/README.md). Three benchmarks each.
expect_exit 2 "$PB" compare "$D/mult_list_py36.json" "$D/mult_list_py37.json"
expect_grep "mult_list_py36.json: 3 benchmarks in the file \('\[1\]\*1000', '\[1,2\]\*1000', '\[1,2,3\]\*1000'\): choose one with --select NAME" err
expect_exit 2 "$PB" compare "$D/mult_list_py36.json" "$D/mult_list_py37.json" --select nope
expect_grep "no benchmark named 'nope'; the file has '\[1\]\*1000'" err

expect_exit 0 "$PB" compare "$D/mult_list_py36.json" "$D/mult_list_py37.json" --select '[1,2]*1000' --json
cp out py.json
expect_eq slower "$(jq -r .verdict py.json)" "pyperf py36 → py37 verdict"
expect_eq wall "$(jq -r .metric py.json)" "pyperf metric"
expect_eq ns "$(jq -r .unit py.json)" "pyperf unit (seconds converted)"
expect_eq pyperf "$(jq -r .a.backend py.json)" "a.backend"
# One sample per worker process: 21 runs[] entries, the first a calibration run without values.
expect_eq 20 "$(jq .a.n py.json)" "a.n = processes"
expect_eq 20 "$(jq .b.n py.json)" "b.n = processes"
# The median of the 20 per-process means, in ns, computed from the file with jq.
want=$(jq '[.benchmarks[] | select(.metadata.name == "[1,2]*1000") | .runs[] | select(.values)
	| (.values | add / length) * 1e9] | sort | (.[9] + .[10]) / 2' "$D/mult_list_py36.json")
expect_eq true "$(jq --argjson w "$want" '(.a.median - $w | fabs) < 1e-6' py.json)" "a.median = $want"
expect_eq true "$(jq '.ratio > 1.4 and .ratio < 1.45' py.json)" "ratio 5.26 µs / 3.70 µs"

expect_exit 0 "$PB" compare "$D/mult_list_py36.json" "$D/mult_list_py36.json" --select '[1,2]*1000' --json
expect_eq "same 1 1" "$(jq -r '"\(.verdict) \(.ratio) \(.p_value)"' out)" "pyperf same vs same"

# ---- hyperfine: sleep 0.02 vs sleep 0.06, no shell (-N): wall time is robust to load here.
if command -v hyperfine >/dev/null; then
	hyperfine -N --runs 10 --export-json h2.json 'sleep 0.02' >/dev/null 2>&1
	hyperfine -N --runs 10 --export-json h6.json 'sleep 0.06' >/dev/null 2>&1
	expect_exit 0 "$PB" compare h2.json h6.json --json
	cp out hf.json
	expect_eq slower "$(jq -r .verdict hf.json)" "hyperfine verdict"
	expect_eq 10 "$(jq .a.n hf.json)" "hyperfine a.n = times"
	expect_eq hyperfine "$(jq -r .b.backend hf.json)" "hyperfine backend"
	expect_eq "sleep 0.06" "$(jq -r .b.benchmark hf.json)" "hyperfine command"
	want=$(jq '[.results[0].times[] * 1e9] | sort | (.[4] + .[5]) / 2' h2.json)
	expect_eq true "$(jq --argjson w "$want" '(.a.median - $w | fabs) < 1e-3' hf.json)" "hyperfine a.median = $want ns"
	# Same vs same: p = 1, ratio 1, never slower or faster; "same" exactly when the bootstrap CI
	# of the ratio lies inside ±min_effect, else "unknown" (a loaded machine's samples can spread).
	expect_exit 0 "$PB" compare h6.json h6.json --min-effect 0.5 --json
	same_vs_same hyperfine

	# Mixed: a placebisect measurement (wall, ns) against a hyperfine export.
	expect_exit 0 "$PB" measure --backend time --runs 10 --warmups 0 -o m2.json -- sleep 0.02
	expect_exit 0 "$PB" compare m2.json h6.json --json
	expect_eq slower "$(jq -r .verdict out)" "placebisect vs hyperfine verdict"
	expect_eq "time hyperfine" "$(jq -r '.a.backend + " " + .b.backend' out)" "mixed backends"
else
	echo "note: hyperfine not installed (scripts/install-deps.sh): its part skipped"
fi

# ---- Google Benchmark: a tiny program, SPIN units per iteration; cpu_time, 10 repetitions.
if [ -f /usr/include/benchmark/benchmark.h ] && command -v g++ >/dev/null; then
	cat >gb.cc <<'EOF'
#include <benchmark/benchmark.h>
#include <cstdlib>
static int spin(int n) { volatile int x = 0; for (int i = 0; i < n; i++) x += i; return x; }
static void BM_spin(benchmark::State &st)
{
	int n = std::atoi(std::getenv("SPIN"));
	for (auto _ : st)
		benchmark::DoNotOptimize(spin(n));
}
BENCHMARK(BM_spin);
static void BM_other(benchmark::State &st) { for (auto _ : st) benchmark::DoNotOptimize(spin(10)); }
BENCHMARK(BM_other);
BENCHMARK_MAIN();
EOF
	g++ -O2 gb.cc -o gb -lbenchmark -lpthread || { echo "FAIL: cannot build a Google Benchmark program"; exit 1; }
	gbrun() { SPIN=$1 ./gb --benchmark_format=json --benchmark_repetitions=10 --benchmark_min_time=0.005 2>/dev/null; }
	gbrun 1000 >g1.json
	gbrun 8000 >g8.json
	expect_exit 2 "$PB" compare g1.json g8.json
	expect_grep "g1.json: 2 benchmarks in the file \('BM_spin', 'BM_other'\)" err
	expect_exit 0 "$PB" compare g1.json g8.json --select BM_spin --time cpu_time --json
	cp out gb.json
	expect_eq slower "$(jq -r .verdict gb.json)" "gbench verdict"
	expect_eq cpu "$(jq -r .metric gb.json)" "gbench cpu_time → metric cpu"
	# 10 repetitions: the iteration entries; the mean/median/stddev/cv aggregates are not samples.
	expect_eq 10 "$(jq .a.n gb.json)" "gbench a.n = repetitions"
	expect_eq gbench "$(jq -r .a.backend gb.json)" "gbench backend"
	want=$(jq '[.benchmarks[] | select(.name == "BM_spin" and .run_type == "iteration") | .cpu_time] | sort | (.[4] + .[5]) / 2' g1.json)
	expect_eq true "$(jq --argjson w "$want" '(.a.median - $w | fabs) < 1e-6' gb.json)" "gbench a.median = $want ns"
	expect_exit 0 "$PB" compare g8.json g8.json --select BM_spin --time cpu_time --min-effect 0.5 --json
	same_vs_same gbench
	expect_exit 0 "$PB" compare g8.json g8.json --select BM_spin --json
	expect_eq "wall 1 1" "$(jq -r '"\(.metric) \(.ratio) \(.p_value)"' out)" "gbench default real_time → wall"
	if [ -f h6.json ]; then
		# Mixed: one --select serves both (the hyperfine file has one command).
		expect_exit 0 "$PB" compare g1.json h6.json --select BM_spin --json
		expect_eq slower "$(jq -r .verdict out)" "gbench (µs) vs hyperfine (60 ms)"
	fi
else
	echo "note: libbenchmark-dev not installed (scripts/install-deps.sh): its part skipped"
fi

# time_unit: a Google Benchmark file in microseconds reads as ns.
cat >us.json <<'EOF'
{"context": {"date": "x"}, "benchmarks": [
 {"name": "BM_a", "run_name": "BM_a", "run_type": "iteration", "real_time": 2.5, "cpu_time": 2.0, "time_unit": "us"},
 {"name": "BM_a", "run_name": "BM_a", "run_type": "iteration", "real_time": 3.5, "cpu_time": 3.0, "time_unit": "us"},
 {"name": "BM_a_mean", "run_name": "BM_a", "run_type": "aggregate", "aggregate_name": "mean", "real_time": 3.0, "cpu_time": 2.5, "time_unit": "us"}]}
EOF
expect_exit 0 "$PB" compare us.json us.json --json
expect_eq 3000 "$(jq .a.median out)" "us → ns"
expect_eq 2 "$(jq .a.n out)" "aggregate skipped"

# Neither placebisect nor a known harness.
echo '{"foo": 1}' >x.json
expect_exit 2 "$PB" compare x.json us.json
expect_grep "x.json: not a measurement file: no placebisect \"schema\", and not pyperf" err

finish
