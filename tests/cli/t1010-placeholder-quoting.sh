#!/usr/bin/env bash
# Placeholders in a directory whose name the shell would split (F8 of issue #16): a repository
# under "my repo ☃/r e p o" bisects to the right culprit ({binary} and {config_dir} are
# shell-quoted where they stand). A benchmark that fails on every run: exit 4 with a message that
# names the commit's hash, the exit status or the signal by name, and how stdout and stderr ended
# (stdout whatever the metric: pyperf writes its errors there).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

dir="$T/my repo ☃/r e p o"
mkdir -p "$dir"
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" "$dir" 8 5 --effect 8 --noise 0
cd "$dir"
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } },
                  "quoted": { "command": "test -d \"{config_dir}\" && test -d '{worktree}' && {binary}",
                              "metric": "stdout", "runs": 3, "warmups": 0,
                              "parse": { "regex": "value: ([0-9.]+)" } },
                  "fails": { "command": "echo 'partial output'; echo 'oops: no such table' >&2; exit 3",
                             "metric": "stdout", "runs": 3, "warmups": 0,
                             "parse": { "regex": "value: ([0-9.]+)" } },
                  "fails_wall": { "command": "echo \"ERROR: The JSON file 'bm.json' already exists\"; exit 1",
                                  "metric": "wall", "runs": 3, "warmups": 0 },
                  "aborts": { "command": "echo starting; kill -ABRT $$", "metric": "stdout", "runs": 3,
                              "warmups": 0, "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 5$')
base=$(git rev-parse base)

expect_exit 0 timeout 120 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "the culprit under 'my repo ☃/r e p o'"
expect_exit 0 timeout 120 "$PB" bisect --good base --bad HEAD --bench quoted --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "placeholders inside quotes"

expect_exit 4 timeout 120 "$PB" bisect --good base --bad HEAD --bench fails
expect_grep "^placebisect: error: the benchmark fails on every run at commit ${base:0:7} \(initial\) \([0-9]+ failures\): nothing to measure; the last failed run: exit 3: oops: no such table; stdout ends: \"partial output\"; stderr ends: \"oops: no such table\"$" "$T/err"
# Again: the failures are the cached ones, and the message says how to run the benchmark again.
expect_exit 4 timeout 120 "$PB" bisect --good base --bad HEAD --bench fails
expect_grep "^placebisect: error: the benchmark fails on every run at commit ${base:0:7} \(initial\) \([0-9]+ failures\): nothing to measure; the last failed run: none in this invocation: the failures were recorded by an earlier one; once the benchmark is fixed, --remeasure runs it again$" "$T/err"
expect_exit 4 timeout 120 "$PB" bisect --good base --bad HEAD --bench fails --remeasure
expect_grep "stdout ends: \"partial output\"; stderr ends: \"oops: no such table\"$" "$T/err"
# Whatever the metric, stdout is kept for the message: pyperf writes its errors there.
expect_exit 4 timeout 120 "$PB" bisect --good base --bad HEAD --bench fails_wall
expect_grep "^placebisect: error: the benchmark fails on every run at commit ${base:0:7} \(initial\) \([0-9]+ failures\): nothing to measure; the last failed run: exit 1; stdout ends: \"ERROR: The JSON file 'bm.json' already exists\"; stderr: nothing$" "$T/err"
expect_exit 4 timeout 120 "$PB" bisect --good base --bad HEAD --bench aborts
expect_grep "^placebisect: error: the benchmark fails on every run at commit ${base:0:7} \(initial\) \([0-9]+ failures\): nothing to measure; the last failed run: killed by SIGABRT; stdout ends: \"starting\"; stderr: nothing$" "$T/err"
finish
