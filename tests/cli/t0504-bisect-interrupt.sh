#!/usr/bin/env bash
# Interrupting a bisect loses nothing: SIGINT stops it (exit 130, no benchmark process left) and
# SIGKILL at arbitrary moments; running the same command again reaches the same culprit.
# labels: slow
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

# SIGINT in the middle: exit 130, the message says how to resume, no benchmark left running.
"$PB" bisect --good base --bad HEAD --bench work -q >"$T/out" 2>"$T/err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
expect_eq 130 $? "SIGINT exit code"
expect_grep "stopped; what was measured is kept, run the same command again to resume" "$T/err"
expect_eq "" "$(pgrep -f "$PWD/.git/placebisect/builds" || true)" "no benchmark process left"

# SIGKILL five times at different moments.
for delay in 0.3 0.9 0.5 1.3 0.7; do
	"$PB" bisect --good base --bad HEAD --bench work -q >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -KILL $pid
	wait $pid 2>/dev/null
done
# Every state file still parses.
for f in .git/placebisect/measurements/*/*.json .git/placebisect/builds/*/*/meta.json; do
	jq -e . "$f" >/dev/null || { echo "FAIL: $f does not parse"; fails=$((fails + 1)); }
done
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "same culprit after interruptions"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"
expect_eq 0 "$(ls -d .git/placebisect/builds/*/*.tmp 2>/dev/null | wc -l)" "no half-built cache entry left"

finish
