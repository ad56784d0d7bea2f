#!/usr/bin/env bash
# labels: signals
# compare checks that the runs are comparable: values that trend with run order are unstable, not
# a level; two files measured apart under different load are not called slower or faster. Runs
# record their start, other work and steal time, and the load average.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

# Every run slower than the last (thermal drift) on B, A flat: unknown, the warning names tau.
mk() {
	local file=$1 sep="" v t=0
	shift
	{
		printf '{"schema": "placebisect.measurement/1", "backend": "time", "metric": "wall", "runs": ['
		for v in "$@"; do
			printf '%s{"wall_ns": %s}' "$sep" "$v"
			sep=", "
		done
		printf ']}\n'
	} >"$file"
}
mk a.json 1000 1001 999 1000 1002 998 1001 1000 999 1001
mk b.json 1010 1020 1030 1040 1050 1060 1070 1080 1090 1100
expect_exit 0 "$PB" compare a.json b.json --json --fail-on-regression
expect_eq unknown "$(jq -r .verdict out)" "drifting B"
expect_eq "true slower" "$(jq -r '"\(.safety.downgraded) \(.safety.verdict_before)"' out)" "downgraded from slower"
expect_eq 1 "$(jq -r .safety.trend.b out)" "tau of B"
expect_exit 0 "$PB" compare a.json b.json
expect_grep "^warning: the runs would say slower, but b.json's runs drift with run order \(Kendall tau \+1.00, p = " out
# A drift of 1% inside B cannot make a 3x difference: the verdict stands (beyond twice the drift).
mk b3.json 3000 3003 3006 3009 3012 3015 3018 3021 3024 3027
expect_exit 0 "$PB" compare a.json b3.json --json
expect_eq "slower false" "$(jq -r '"\(.verdict) \(.safety.downgraded)"' out)" "3x beyond a 1% drift"

# The same program measured twice, the second time beside a CPU hog on its CPU: not slower.
cat > spin.c <<'C'
int main(void) { volatile unsigned long x = 0; for (unsigned long i = 0; i < 30000000UL; i++) x += i; return 0; }
C
cc -O1 -o spin spin.c || skip "no C compiler"
expect_exit 0 "$PB" measure --runs 6 --warmups 0 --backend time --cpus 0 -o a.json -q -- ./spin
expect_eq true "$(jq '[.runs[] | has("start_mono_ns") and has("start_real_us") and has("load1")] | all' a.json)" "run times and load recorded"
expect_eq true "$(jq '[.runs[] | .user_ns + .sys_ns > 0 and .other_busy_ns >= 0 and .steal_ns >= 0] | all' a.json)" "cpu, other work and steal recorded"
taskset -c 0 sh -c 'while :; do :; done' &
hog=$!
trap 'kill "$hog" 2>/dev/null; rm -rf "$T"' EXIT
expect_exit 0 "$PB" measure --runs 6 --warmups 0 --backend time --cpus 0 -o b.json -q -- ./spin
kill "$hog"
wait "$hog" 2>/dev/null
expect_exit 0 "$PB" compare a.json b.json --json
v=$(jq -r .verdict out)
[ "$v" != slower ] && [ "$v" != faster ]
expect_eq 0 $? "same binary under changed load is not slower/faster (got $v: $(jq -c .safety out))"
expect_eq apart "$(jq -r .safety.windows out)" "measured apart"

finish
