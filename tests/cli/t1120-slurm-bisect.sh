#!/usr/bin/env bash
# executor.kind "slurm" on a single-node cluster (scripts/slurm-local.sh): the same culprit as the
# local executor, every build and measurement a job (visible in the cluster's job completion log,
# since Debian's Slurm has no sacct without slurmdbd), node and job id per step in the JSON,
# nothing left in the queue (with --jobs 2: k-way rounds, builds submitted together), and a second
# run that takes everything from the caches (no new job).
# labels: slurm
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
source "$PB_SOURCE_DIR/tests/cli/slurm-lib.sh"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 4 3 --effect 8 --noise 0
cd repo
config() { # KIND
	cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" },
  "executor": { "kind": "$1", "slurm": { "shared_dir": "$T/shared", "poll_interval": 0.1,
                                         "time_limit": "10" } }
}
JSON
}
culprit=$(git log --format=%H --grep="^commit 3$")
node=$(hostname -s)

config local
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "local: culprit"
expect_eq 0 "$(jq '[.steps[] | select(.slurm)] | length' "$T/out")" "local: no slurm placement"

# The same bisect on the cluster, from scratch (its own caches: a fresh copy of the repository).
cd .. && git clone -q repo repo2 && cd repo2 && config slurm
expect_exit 0 "$PB" bisect --good "$(git -C ../repo rev-parse base)" --bad HEAD --bench work --jobs 2 --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "slurm: the same culprit"
expect_eq "$(jq '.steps | length' "$T/out")" "$(jq '[.steps[] | select(.slurm.build_job != null and .slurm.measure_job != null)] | length' "$T/out")" "every step has its build and measure job"
expect_eq "[\"$node\"]" "$(jq -c '[.steps[].slurm.measure_node] | unique' "$T/out")" "measured on the one node"
expect_eq "[\"$node\"]" "$(jq -c '[.steps[].slurm.build_node] | unique' "$T/out")" "built on the node"
# The jobs as the cluster recorded them: one build job per built commit, named by its short id.
expect_grep "Name=pb-build-${culprit:0:7} " "$T/cluster/jobcomp.txt"
expect_grep "Name=pb-measure-[0-9a-f]{7}" "$T/cluster/jobcomp.txt"
expect_eq "$(jq .builds "$T/out")" "$(grep -c 'Name=pb-build-' "$T/cluster/jobcomp.txt")" "one build job per build"
job=$(jq -r '.steps[0].slurm.build_job' "$T/out")
expect_grep "JobId=$job .*JobState=COMPLETED" "$T/cluster/jobcomp.txt"
# A job ends a moment after it wrote its result.
queue_empty() { [ -z "$(squeue -h)" ]; }
poll_until 60 queue_empty
expect_eq "" "$(ls .git/placebisect/slurm/ | grep '\.job$')" "no job id left in the state"

# Again: builds and runs come from the caches; no job is submitted.
jobs_before=$(wc -l < "$T/cluster/jobcomp.txt")
expect_exit 0 "$PB" bisect --good "$(git -C ../repo rev-parse base)" --bad HEAD --bench work --jobs 2 --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "slurm, cached: the same culprit"
expect_eq 0 "$(jq .runs_measured "$T/out")" "cached: no run"
expect_eq "$jobs_before" "$(wc -l < "$T/cluster/jobcomp.txt")" "cached: no new job"

# Misconfigured: no shared directory named.
sed -i 's/"shared_dir": "[^"]*", //' placebisect.json
expect_exit 2 "$PB" bisect --good "$(git -C ../repo rev-parse base)" --bad HEAD --bench work --reset
expect_grep "executor.slurm.shared_dir is not set" "$T/err"
finish
