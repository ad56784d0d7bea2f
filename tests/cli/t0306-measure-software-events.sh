#!/usr/bin/env bash
# Counters as asked: every requested software event is counted (kernel-side ones as perf stat counts them) or refused with a reason; the backend says what ran.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

# A benchmark that sleeps three times: it is switched out at least three times.
expect_exit 0 "$PB" measure --runs 2 --warmups 0 --events cpu-migrations,minor-faults,context-switches --json \
	-- sh -c 'for i in 1 2 3; do sleep 0.01; done'
cp out m.json
for ev in cpu-migrations minor-faults context-switches; do
	expect_eq 2 "$(jq --arg e "$ev" '[.runs[] | .counters[$e] | select(type == "number" and . >= 0)] | length' m.json)" \
		"$ev counted in both runs"
done
expect_eq true "$(jq '[.runs[].counters["context-switches"]] | min > 0' m.json)" "context-switches > 0 for a sleeping benchmark"
expect_eq true "$(jq '[.runs[].counters["minor-faults"]] | min > 0' m.json)" "minor-faults > 0"

if [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ] && [ "$(id -u)" -ne 0 ]; then
	# Kernel-side counting refused: user-only, and said so.
	expect_grep "event context-switches: counted in user mode only" err
fi

if "$PB" system show --json 2>/dev/null | jq -e '.pmu == "none"' >/dev/null 2>&1 ||
	! "$PB" measure --backend perf --runs 1 --warmups 0 -- true >/dev/null 2>&1; then
	# No hardware PMU here: the backend says so, and an asked-for hardware event is refused by name.
	expect_eq "perf (software events only)" "$(jq -r .backend m.json)" "backend label"
	expect_exit 0 "$PB" measure --runs 1 --warmups 0 --events cycles,context-switches --json -- true
	expect_grep "warning: not counted: cycles: hardware event, and this machine has no hardware counters" err
	expect_eq true "$(jq '.warnings | any(test("not counted: cycles"))' out)" "refusal in the result's warnings"
	expect_eq false "$(jq '.runs[0].counters | has("cycles")' out)" "cycles not faked"
else
	expect_eq perf "$(jq -r .backend m.json)" "backend label with a PMU"
fi
finish
