#!/usr/bin/env bash
# compare: too few runs to be significant is "unknown"; --alpha and the config's stats.alpha change that.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

mk() {
	local file=$1 sep="" v
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

# 3 vs 3 without overlap: the exact Mann-Whitney p is 2 / C(6, 3) = 0.1 at best (closed form),
# KS the same (p_value doubles the smaller: 0.2); never <= 0.01, and the CI is far outside +-2%: unknown however far apart.
mk a.json 100 101 102
mk b.json 200 201 202
expect_exit 0 "$PB" compare a.json b.json --json --fail-on-regression
expect_eq unknown "$(jq -r .verdict out)" verdict
expect_eq true "$(jq '(.p_value - 0.2 | fabs) < 1e-12' out)" "p_value = 0.2"
expect_eq true "$(jq '(.p_values.mwu - 0.1 | fabs) < 1e-12 and (.p_values.ks - 0.1 | fabs) < 1e-12' out)" "MWU and KS"
expect_eq true "$(jq '(.ratio - 201/101 | fabs) < 1e-12' out)" ratio
expect_exit 0 "$PB" compare a.json b.json
expect_grep '^verdict: unknown: not significant \(p 0\.2 > alpha\)' out
expect_grep '^note: A has only 3 runs' out

# --alpha 0.2 accepts p = 0.2: slower, and --fail-on-regression exits 1.
expect_exit 1 "$PB" compare a.json b.json --alpha 0.2 --fail-on-regression --json
expect_eq slower "$(jq -r .verdict out)" "alpha 0.2"
expect_eq 0.2 "$(jq .alpha out)" "alpha echoed"

# The same through the configuration's stats.alpha; the flag still wins over the file.
printf '{"stats": {"alpha": 0.2, "min_effect": 0.05}}\n' >pb.json
expect_exit 1 "$PB" compare a.json b.json --config pb.json --fail-on-regression --json
expect_eq "slower 0.2 0.05" "$(jq -r '"\(.verdict) \(.alpha) \(.min_effect)"' out)" "config alpha"
expect_exit 0 "$PB" compare a.json b.json --config pb.json --alpha 0.05 --json
expect_eq "unknown 0.05" "$(jq -r '"\(.verdict) \(.alpha)"' out)" "flag over config"

finish
