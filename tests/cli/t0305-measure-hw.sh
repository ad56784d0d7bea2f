#!/bin/bash
# t0305-measure-hw.sh: hardware counters end to end (--backend perf); skips with the reason where the machine has no PMU.
# labels: hw
. "$PB_SOURCE_DIR/tests/cli/lib.sh"

"$PB" system show --json >sys.json 2>/dev/null || { echo "FAIL: system show"; exit 1; }
if [ "$(jq -r .hardware_counters sys.json)" != true ]; then
	skip "no hardware counters: $(jq -r .hardware_counters_reason sys.json)"
fi
expect_exit 0 "$PB" measure --backend perf --events ipc --runs 3 --json -- true
expect_eq "perf" "$(jq -r .backend out)" "backend"
expect_eq "true" "$(jq '.runs[0].counters.instructions > 10000' out)" "instructions counted"
expect_eq "true" "$(jq '.derived.ipc > 0' out)" "ipc derived"
expect_exit 0 "$PB" measure --backend perf --metric instructions --runs 2 --json -- true
expect_eq "instructions" "$(jq -r .unit out)" "unit of an instruction count"
finish
