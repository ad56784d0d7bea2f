#!/bin/bash
# t0304-system.sh: `system show` reports the machine; tune/reset change and restore knobs (on a fake /sys and /proc tree) and need root.
. "$PB_SOURCE_DIR/tests/cli/lib.sh"

expect_exit 0 "$PB" system show --json
for key in hardware_counters perf_event_paranoid governor boost smt aslr isolcpus nohz_full cache cpu_model kernel presets advice; do
	expect_eq "true" "$(jq "has(\"$key\")" out)" "system show has $key"
done
expect_eq "boolean" "$(jq -r '.hardware_counters | type' out)" "hardware_counters is a bool"
expect_eq "boolean" "$(jq -r '.presets.ipc.opens | type' out)" "presets say whether they open"
expect_exit 0 "$PB" system show
expect_grep "hardware counters" out
expect_grep "perf_event_paranoid" out
expect_exit 0 "$PB" system
expect_exit 2 "$PB" system frobnicate
expect_grep "unknown action 'frobnicate'" err

# tune/reset on a fake tree: one CPU with cpufreq, no boost knob.
R=$T/root
mkdir -p "$R/sys/devices/system/cpu/cpu0/cpufreq" "$R/proc/sys/kernel"
echo powersave > "$R/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"
echo 12500 > "$R/proc/sys/kernel/perf_event_max_sample_rate"
expect_exit 0 "$PB" system tune --root "$R" --state "$T/state.json" --json
expect_eq "performance" "$(cat "$R/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")" "governor after tune"
expect_eq "100000" "$(cat "$R/proc/sys/kernel/perf_event_max_sample_rate")" "sample rate after tune"
expect_eq "skipped" "$(jq -r '.knobs[] | select(.knob == "boost") | .status' out)" "boost: no knob here"
expect_grep "no boost/turbo knob on this machine" out
expect_eq "powersave" "$(jq -r '.knobs[] | select(.name == "governor cpu0") | .value' state.json)" "saved governor"
expect_exit 0 "$PB" system reset --root "$R" --state "$T/state.json"
expect_eq "powersave" "$(cat "$R/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")" "governor after reset"
expect_eq "12500" "$(cat "$R/proc/sys/kernel/perf_event_max_sample_rate")" "sample rate after reset"
expect_exit 2 "$PB" system reset --root "$R" --state "$T/state.json"
expect_grep "nothing to reset" err

# Without root: a clear message and exit 3 (checked by dropping to nobody when we are root).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	expect_exit 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" system tune --state /nonexistent/s.json
	expect_grep "system tune needs root" err
elif [ "$(id -u)" != 0 ]; then
	expect_exit 3 "$PB" system tune --state "$T/s.json"
	expect_grep "system tune needs root" err
fi

finish
