#!/usr/bin/env bash
# compare: the same distribution is "same"; deterministic (zero-spread) metrics are compared exactly.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

# mk FILE METRIC BACKEND VALUE... : runs carrying the metric as a counter and as wall_ns.
mk() {
	local file=$1 metric=$2 backend=$3 sep="" v
	shift 3
	{
		printf '{"schema": "placebisect.measurement/1", "backend": "%s", "metric": "%s", "runs": [' "$backend" "$metric"
		for v in "$@"; do
			printf '%s{"wall_ns": %s, "exit": 0, "counters": {"Ir": %s, "I1mr": 1000}}' "$sep" "$v" "$v"
			sep=", "
		done
		printf ']}\n'
	} >"$file"
}

# The same twelve values in another order: U = n1 n2 / 2 and D = 0, so both p-values are 1.
mk a.json wall time 1000 1010 990 1005 995 1002 998 1001 999 1003 997 1000
mk b.json wall time 1003 997 1000 1000 1010 990 1005 995 1002 998 1001 999
expect_exit 0 "$PB" compare a.json b.json --json --fail-on-regression
expect_eq same "$(jq -r .verdict out)" verdict
expect_eq 1 "$(jq .p_value out)" p_value
expect_eq 1 "$(jq .ratio out)" ratio
expect_eq true "$(jq '.ci95[0] >= 0.98 and .ci95[1] <= 1.02' out)" "CI inside +-2%"
expect_eq false "$(jq .deterministic out)" deterministic
expect_exit 0 "$PB" compare a.json b.json
expect_grep '^verdict: same: B is within \+-2% of A' out

# Cachegrind: one run each, identical Ir: same, exactly.
mk ga.json Ir cachegrind 5000000
mk gb.json Ir cachegrind 5000000
expect_exit 0 "$PB" compare ga.json gb.json --json
expect_eq same "$(jq -r .verdict out)" "deterministic same"
expect_eq true "$(jq .deterministic out)" "deterministic flag"
expect_eq "null 1 null" "$(jq -r '"\(.p_value) \(.ratio) \(.ci95)"' out)" "deterministic: no p or CI, ratio 1"

# 10% more instructions, one run each: slower, exactly (no p-value, no CI: the values are the answer).
mk gc.json Ir cachegrind 5500000
expect_exit 1 "$PB" compare ga.json gc.json --json --fail-on-regression
expect_eq slower "$(jq -r .verdict out)" "deterministic slower"
expect_eq "null 1.1 null" "$(jq -r '"\(.p_value) \(.ratio) \(.ci95)"' out)" "deterministic numbers"
expect_eq true "$(jq '.counters.I1mr.ratio == 1' out)" "I1mr delta"
expect_exit 0 "$PB" compare ga.json gc.json
expect_grep '^exact: 5,000,000 -> 5,500,000 \(no spread on either side: no p-value or CI\)' out
expect_no_grep 'p-value:' out

# 1% more: inside min_effect 2%, so the same; with --min-effect 0.005 it is slower.
mk gd.json Ir cachegrind 5050000
expect_exit 0 "$PB" compare ga.json gd.json --json --fail-on-regression
expect_eq same "$(jq -r .verdict out)" "small deterministic change"
expect_exit 1 "$PB" compare ga.json gd.json --json --fail-on-regression --min-effect 0.005
expect_eq slower "$(jq -r .verdict out)" "small change with a smaller min effect"

finish
