#!/usr/bin/env bash
# The build cache under damage and failure (F11 of issue #16): a damaged builds/*/meta.json or a
# cached binary that is gone is discarded with a warning and the commit built again (the bisect
# goes on, exit 0, same culprit); a cached failure says it came from the cache and names
# --rebuild-failed, which builds it again; a build that timed out is built again by the next run
# instead of staying failed for good.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 8 5 --effect 8 --noise 0
cd repo
cat > placebisect.json <<JSON
{
  "build": { "command": "if [ -e $T/broken ]; then echo broken; exit 1; fi; if [ -e $T/slow ]; then sleep 39.5; fi; cc -O1 -o prog prog.c",
             "binary": "prog", "timeout": 2 },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
rev() { git log --format=%H --grep="^commit $1\$"; }
culprit=$(rev 5)

expect_exit 0 timeout 120 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "the culprit"

builds=$(find .git/placebisect/builds -mindepth 1 -maxdepth 1 -type d)
expect_eq 1 "$(echo "$builds" | wc -l)" "one build cache"
# Damage: a torn meta.json (the bad end), and a success whose binary is gone (the good end).
head=$(git rev-parse HEAD) base=$(git rev-parse base)
printf '{"schema": "placebisect.build/1", "ok": tru' > "$builds/$head/meta.json"
rm "$builds/$base/prog"
expect_exit 0 timeout 120 "$PB" bisect --good base --bad HEAD --bench work --json --reset
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "the culprit with damaged build records"
expect_grep "^placebisect: warning: discarding a damaged build record, ${head:0:7} is built again: " "$T/err"
expect_grep "^placebisect: warning: discarding a damaged build record, ${base:0:7} is built again: its binary .*/prog is missing$" "$T/err"
expect_eq "true" "$(jq -r '.schema == "placebisect.build/1" and .ok' "$builds/$head/meta.json")" "the record rewritten"

# A failure is cached; the second time the message says so and names --rebuild-failed.
c2=$(rev 2)
touch "$T/broken"
expect_exit 2 timeout 60 "$PB" measure --rev "$c2" --bench work
expect_grep "^placebisect: error: ${c2} \(${c2:0:7}\) cannot be built: build.command failed \(exit 1\), its last line \"broken\"; see .*/build-${c2}.log$" "$T/err"
rm "$T/broken"
expect_exit 2 timeout 60 "$PB" measure --rev "$c2" --bench work
expect_grep "cannot be built: build.command failed \(exit 1\), its last line \"broken\"; see .*\.log \(from the build cache: it failed in an earlier run; --rebuild-failed builds it again\)$" "$T/err"
expect_exit 0 timeout 60 "$PB" measure --rev "$c2" --bench work --rebuild-failed --json
expect_eq "$c2" "$(jq -r .commit "$T/out")" "measured after --rebuild-failed"
expect_grep "building ${c2:0:7} again \(--rebuild-failed\): it failed in an earlier run" "$T/err"

# A timeout is not a failure for good: the next run builds it again.
c3=$(rev 3)
touch "$T/slow"
expect_exit 2 timeout 60 "$PB" measure --rev "$c3" --bench work
expect_grep "cannot be built: build.command failed \(timed out after 2 s\)" "$T/err"
rm "$T/slow"
expect_exit 0 timeout 60 "$PB" measure --rev "$c3" --bench work --json
expect_eq "$c3" "$(jq -r .commit "$T/out")" "measured after the timeout"
expect_grep "building ${c3:0:7} again: it timed out in an earlier run \(build.timeout 2 s\)" "$T/err"
expect_no_process "sleep 39.5" "no build process left"
finish
