#!/usr/bin/env bash
# Interrupting a bisect loses nothing: SIGINT stops it (exit 130, no benchmark process left) and
# SIGKILL at different moments; running the same command again reaches the same culprit.
# Every signal is sent once an observable state is reached (a measurement saved, more state
# written), never after a fixed delay, so a slow or busy machine only makes the test longer.
# labels: slow signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 40 23 --effect 8 --noise 2
cd repo
echo 1 > "$T/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "sleep 0.1; cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "sleep 0.03; exec {binary}", "metric": "stdout", "runs": 8,
                            "warmups": 0, "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 23$')
state=.git/placebisect

# How far the bisect got: journal lines + saved measurements + finished builds.
progress() {
	local j=0
	[ -e $state/journal ] && j=$(grep -c . $state/journal)
	echo $((j + $(find $state/measurements $state/builds \( -name '*.json' -a ! -name '*.tmp*' \) \
		2>/dev/null | wc -l)))
}
# reached PID TARGET: the bisect wrote at least TARGET records, or it ended.
reached() { [ "$(progress)" -ge "$2" ] || ! kill -0 "$1" 2>/dev/null; }
measured() { [ -n "$(find $state/measurements -name '*.json' ! -name '*.tmp*' 2>/dev/null)" ]; }

# SIGINT once a measurement is saved: exit 130, the message says how to resume, no benchmark left.
"$PB" bisect --good base --bad HEAD --bench work -q >"$T/out" 2>"$T/err" &
pid=$!
poll_until 120 measured
kill -INT $pid
wait $pid
expect_eq 130 $? "SIGINT exit code"
expect_grep "stopped; what was measured is kept, run the same command again to resume" "$T/err"
expect_no_process "$PWD/.git/placebisect/builds" "after SIGINT"

# SIGKILL five times, each after the bisect wrote 1 to 3 more records (so at different moments:
# while building, measuring, or writing the journal).
for more in 1 3 2 1 2; do
	target=$(($(progress) + more))
	"$PB" bisect --good base --bad HEAD --bench work -q >/dev/null 2>&1 &
	pid=$!
	poll_until 120 reached $pid $target
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
done
expect_no_process "$PWD/.git/placebisect/builds" "after SIGKILL"
# Every state file still parses (there is at least the one measurement saved above).
count=0
while IFS= read -r f; do
	count=$((count + 1))
	jq -e . "$f" >/dev/null || { echo "FAIL: $f does not parse"; fails=$((fails + 1)); }
done < <(find $state/measurements $state/builds -name '*.json' ! -name '*.tmp*')
expect_eq true "$([ $count -gt 0 ] && echo true)" "state files were written"
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "same culprit after interruptions"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"
expect_eq 0 "$(find $state/builds -maxdepth 2 -name '*.tmp' | wc -l)" "no half-built cache entry left"

finish
