#!/usr/bin/env bash
# Ctrl-C of a --jobs 2 bisect while its two builds run in the job slots: exit 130, every build
# stopped (no child left), the user's tree untouched, no half-built cache entry; the same command
# then resumes to the culprit. Signals are sent once an observable state is reached (both builds'
# logs exist and each slot build wrote its marker), never after a fixed delay.
# labels: signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 24 15 --effect 8 --noise 2
cd repo
echo 1 > "$T/counter"
mkdir "$T/started"
# Builds of the commits between the endpoints (README's last line is neither the first commit's
# nor the last one's) say they started, then hang until $T/fast exists: the interrupt lands while
# the first round's two builds run.
cat > "$T/build.sh" <<SH
case \$(tail -n 1 README) in
fixture|"change 24") ;;
*) : > "$T/started/\$\$"; [ -e "$T/fast" ] || exec sleep 241.25 ;;
esac
exec cc -O1 -o prog prog.c
SH
cat > placebisect.json <<JSON
{
  "build": { "command": "sh $T/build.sh", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 10, "warmups": 1,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$T/counter" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 15$')
git status --porcelain > "$T/status.before"
sha1sum .git/index .git/HEAD > "$T/sums.before"
state=.git/placebisect

two_building() { [ "$(ls "$T/started" | wc -l)" -ge 2 ]; }
"$PB" bisect --good base --bad HEAD --bench work --jobs 2 -q >"$T/out" 2>"$T/err" &
pid=$!
poll_until 120 two_building
expect_eq 4 "$(ls $state/logs/build-*.log | wc -l)" "build logs: two endpoints, two slot builds"
kill -INT $pid
wait $pid
expect_eq 130 $? "SIGINT exit code"
expect_grep "stopped; what was measured is kept, run the same command again to resume" "$T/err"
expect_no_process "sleep 241.25" "no build left after SIGINT"
expect_no_process "$PWD/.git/placebisect" "no process of the bisect left"
# Interrupted builds leave no cache entry (no meta.json without its build), and no state lock.
expect_eq 2 "$(find $state/builds -name meta.json | wc -l)" "only the endpoints' builds cached"
expect_eq 0 "$(find $state/builds -mindepth 2 -maxdepth 2 -type d ! -exec test -e {}/meta.json \; -print | wc -l)" "no half-built cache entry"
git status --porcelain > "$T/status.after"
sha1sum .git/index .git/HEAD > "$T/sums.after"
cmp -s "$T/status.before" "$T/status.after"; expect_eq 0 $? "working tree status unchanged"
cmp -s "$T/sums.before" "$T/sums.after"; expect_eq 0 $? "index and HEAD unchanged"

# Resume: builds go through now; the same culprit, the endpoints' runs reused.
touch "$T/fast"
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --jobs 2 --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "culprit after the interrupt"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"

finish
