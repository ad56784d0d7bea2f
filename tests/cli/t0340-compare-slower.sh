#!/usr/bin/env bash
# compare: a clear slowdown with counters (the seed's perf stat pair): verdict, p-value, CI, counter deltas, exit codes.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

# mk FILE COMMIT WALL_NS... : a measurement whose runs have these wall times, cycles = 3.44 per ns
# rounded, instructions fixed per side, and L1 icache misses proportional to the wall time.
mk() {
	local file=$1 commit=$2 sep="" w
	shift 2
	{
		printf '{"schema": "placebisect.measurement/1", "benchmark": "call_method", "commit": "%s",\n' "$commit"
		printf ' "backend": "perf", "metric": "wall", "unit": "ns", "system": {}, "runs": ['
		for w in "$@"; do
			printf '%s\n  {"wall_ns": %s, "user_ns": %s, "sys_ns": 0, "maxrss_kb": 9000, "exit": 0,' "$sep" "$w" "$w"
			printf ' "counters": {"cycles": %s, "instructions": 30000000000, "L1-icache-load-misses": %s}}' \
				"$((w * 344 / 100))" "$((w / 100))"
			sep=","
		done
		printf '\n]}\n'
	} >"$file"
}

mk fast.json 678fe178da0d 3775067668 3780064486 3772000000 3779000000 3776500000 3771000000
mk slow.json 1ce50f7027c1 6020490449 5915402403 5990000000 6001000000 5950000000 5987000000

expect_exit 0 "$PB" compare fast.json slow.json
expect_grep '^A: fast.json \(call_method @ 678fe178da0d\)' out
expect_grep '^  median +3\.78 s +5\.99 s +1\.586$' out
expect_grep '^  min \.\. max +3\.77 s \.\. 3\.78 s +5\.92 s \.\. 6\.02 s$' out
expect_grep '^  L1-icache-load-misses +37\.76 M +59\.88 M +1\.586$' out
expect_grep '^  ipc +2\.31' out
expect_grep '^verdict: slower: ' out

# JSON: 6 vs 6 without overlap: exact Mann-Whitney p = 2 / C(12, 6) = 2 / 924 (closed form); the
# exact two-sample KS p is the same (only the two extreme orderings reach D = 1); p_value is the
# smaller of the two doubled (Bonferroni): 4 / 924.
expect_exit 0 "$PB" compare fast.json slow.json --json
cp out cmp.json
expect_eq slower "$(jq -r .verdict cmp.json)" verdict
expect_eq placebisect.compare/1 "$(jq -r .schema cmp.json)" schema
expect_eq true "$(jq '(.p_value - 4/924 | fabs) < 1e-12' cmp.json)" "p_value = 4/924"
expect_eq true "$(jq '(.p_values.mwu - 2/924 | fabs) < 1e-12 and (.p_values.ks - 2/924 | fabs) < 1e-12' cmp.json)" "MWU and KS p"
# ratio of medians: 5988500000 / 3775783834 (the medians are means of the middle two runs).
expect_eq true "$(jq '(.ratio - 5988500000 / 3775783834 | fabs) < 1e-12' cmp.json)" ratio
expect_eq true "$(jq '.ci95 | length == 2 and .[0] <= .[1] and .[0] > 1.5 and .[1] < 1.6' cmp.json)" ci95
expect_eq 6 "$(jq .a.n cmp.json)" "a.n"
expect_eq 3775783834 "$(jq .a.median cmp.json)" "a.median"
expect_eq fast.json "$(jq -r .a.file cmp.json)" "a.file"
expect_eq 1ce50f7027c1 "$(jq -r .b.commit cmp.json)" "b.commit"
expect_eq 30000000000 "$(jq '.counters.instructions.b' cmp.json)" "counters.instructions.b"
expect_eq 1 "$(jq '.counters.instructions.ratio' cmp.json)" "instructions unchanged"
expect_eq true "$(jq '.counters.cycles.ratio > 1.5' cmp.json)" "cycles ratio"
expect_eq true "$(jq '.derived.ipc.a > .derived.ipc.b' cmp.json)" "ipc drops"
expect_eq 0.01 "$(jq .alpha cmp.json)" "default alpha"
expect_eq 0.02 "$(jq .min_effect cmp.json)" "default min_effect"

# --fail-on-regression: 1 when B is slower, 0 the other way round (faster).
expect_exit 1 "$PB" compare fast.json slow.json --fail-on-regression
expect_exit 0 "$PB" compare slow.json fast.json --fail-on-regression --json
expect_eq faster "$(jq -r .verdict out)" "reverse verdict"

# -o writes the JSON and still prints the table; -o with --json prints the JSON too.
expect_exit 0 "$PB" compare fast.json slow.json -o result.json
expect_grep '^verdict: slower' out
expect_eq slower "$(jq -r .verdict result.json)" "-o file"

finish
