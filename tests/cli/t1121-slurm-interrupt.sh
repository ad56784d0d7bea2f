#!/usr/bin/env bash
# ^C while a build job runs on the single-node cluster: exit 130 with the resume message, the job
# scancelled (the queue empty), its build's processes gone, the job id kept in the state.
# labels: slurm signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
source "$PB_SOURCE_DIR/tests/cli/slurm-lib.sh"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 4 3 --effect 8 --noise 0
cd repo
cat > placebisect.json <<JSON
{
  "build": { "command": "if [ -e $T/slow-build ]; then touch $T/building; sleep 31.75; fi; cc -O1 -o prog prog.c",
             "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" },
  "executor": { "kind": "slurm", "slurm": { "shared_dir": "$T/shared", "poll_interval": 0.1 } }
}
JSON

touch "$T/slow-build"
"$PB" bisect --good base --bad HEAD --bench work >"$T/out" 2>"$T/err" &
pid=$!
poll_until 120 test -e "$T/building"
kill -INT $pid
wait $pid
expect_eq 130 $? "SIGINT during a build job: exit code"
expect_grep "^placebisect: error: stopped; what was measured is kept, run the same command again to resume: interrupted: 1 Slurm job cancelled$" "$T/err"
queue_empty() { [ -z "$(squeue -h)" ]; }
poll_until 60 queue_empty
expect_eq "" "$(squeue -h)" "nothing left in the queue"
expect_no_process "sleep 31.75" "the build job's processes"
expect_eq 1 "$(ls .git/placebisect/slurm/ | grep -c '^build-.*\.job$')" "the job id kept for a resume"
expect_grep "Name=pb-build-[0-9a-f]{7} .*JobState=CANCELLED" "$T/cluster/jobcomp.txt"
finish
