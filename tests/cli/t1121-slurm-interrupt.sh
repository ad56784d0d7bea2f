#!/usr/bin/env bash
# ^C while a build job runs on the single-node cluster: exit 130 with the resume message, the job
# scancelled (the queue empty), its build's processes gone, the job id kept in the state. The batch
# script was written in the state directory, not in $TMPDIR, and removed once submitted; one a
# killed submission left there (planted) is removed by the next start.
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

# sbatch seen through a wrapper that notes the script file it was given (its last argument).
mkdir -p "$T/tmp" "$T/bin" .git/placebisect/slurm
real_sbatch=$(command -v sbatch)
cat > "$T/bin/sbatch" <<SH
#!/bin/sh
for a; do last=\$a; done
echo "\$last" >> "$T/scripts"
exec "$real_sbatch" "\$@"
SH
chmod +x "$T/bin/sbatch"
touch .git/placebisect/slurm/sbatch.tmp.AbC123
touch "$T/slow-build"
PATH=$T/bin:$PATH TMPDIR=$T/tmp "$PB" bisect --good base --bad HEAD --bench work >"$T/out" 2>"$T/err" &
pid=$!
poll_until 120 test -e "$T/building"
expect_grep "^$PWD/.git/placebisect/slurm/sbatch\.tmp\.[A-Za-z0-9]{6}$" "$T/scripts"
no_script() { ! ls .git/placebisect/slurm/ | grep -q sbatch; }
poll_until 30 no_script # removed once sbatch returned, the planted one at the start
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
expect_eq "" "$(find "$T/tmp" -mindepth 1)" "nothing in \$TMPDIR"
finish
