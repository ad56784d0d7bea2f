#!/usr/bin/env bash
# A long build keeps the progress line ticking: elapsed time, the build log's path and its last line.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 4 3 --effect 10 --noise 0
cd repo
# The build says where it is, then waits until the test has seen that line in the progress.
cat > placebisect.json <<JSON
{
  "build": { "command": "echo compiling step 7; while [ ! -e '$T/go' ]; do sleep 0.05; done; cc -O1 -o prog prog.c",
             "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions" } },
  "measure": { "backend": "cachegrind" }
}
JSON
PLACEBISECT_PROGRESS_TICK=0.1 "$PB" bisect --good base --bad HEAD --bench work --json >"$T/bisect.out" 2>"$T/bisect.err" &
pid=$!
for _ in $(seq 600); do
	grep -qE 'building [0-9a-f]{7} for .*; log .*/logs/build-[0-9a-f]{40}\.log: compiling step 7' "$T/bisect.err" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
expect_grep 'building [0-9a-f]{7} for [0-9.]+ (ms|s); log .*/logs/build-[0-9a-f]{40}\.log: compiling step 7' "$T/bisect.err"
touch "$T/go"
wait "$pid"
expect_eq 0 "$?" "bisect's exit status"
expect_eq "$(git log --format=%H --grep='^commit 3$')" "$(jq -r .culprit.commit "$T/bisect.out")" "culprit"

# A failed build's reason quotes the log's last line.
cat > placebisect.json <<'JSON'
{ "build": { "command": "echo 'prog.c:1: error: planted'; exit 1", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions" } },
  "measure": { "backend": "cachegrind" } }
JSON
expect_exit 4 "$PB" bisect --good base --bad HEAD --bench work
expect_grep 'build.command failed \(exit 1\), its last line "prog.c:1: error: planted"; see .*\.log$' "$T/err"

finish
