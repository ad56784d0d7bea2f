#!/usr/bin/env bash
# SIGKILL five times at random moments during a bisect (a deterministic metric), then resume:
# the same culprit as an uninterrupted bisect, every state file parses, no temporary file left.
# The moments come from a seed printed first (PB_TEST_SEED=N replays them): each kill comes once
# the bisect has written 1 to 3 more state records (an observable state, not a fixed delay, so a
# busy machine only makes the test longer).
# labels: slow signals
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

seed=${PB_TEST_SEED:-$$}
echo "seed $seed"
RANDOM=$seed
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 40 23 --effect 8 --noise 0
cd repo
# Slow enough to be killed while building, while measuring and in between.
cat > placebisect.json <<'JSON'
{
  "build": { "command": "sleep 0.2; cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "sleep 0.05; exec {binary}", "metric": "stdout", "runs": 5,
                            "warmups": 0, "parse": { "regex": "value: ([0-9.]+)" } } },
  "measure": { "backend": "time" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 23$')

parses() { # what: every state file is whole JSON (the journal: every line)
	local f
	for f in .git/placebisect/measurements/*/*.json .git/placebisect/builds/*/*/meta.json; do
		[ -e "$f" ] || continue
		jq -e .schema "$f" >/dev/null 2>&1 || { echo "FAIL: $1: $f does not parse"; fails=$((fails + 1)); }
	done
	if [ -e .git/placebisect/journal ]; then
		jq -e .event .git/placebisect/journal >/dev/null 2>&1 ||
			{ echo "FAIL: $1: a journal line does not parse"; fails=$((fails + 1)); }
	fi
	n=$((n + 1))
}

# How far the bisect got: journal lines + saved measurements + finished builds.
progress() {
	local j=0
	[ -e .git/placebisect/journal ] && j=$(grep -c . .git/placebisect/journal)
	echo $((j + $(find .git/placebisect/measurements .git/placebisect/builds \
		\( -name '*.json' -a ! -name '*.tmp*' \) 2>/dev/null | wc -l)))
}
# reached PID TARGET: the bisect wrote at least TARGET records, or it ended.
reached() { [ "$(progress)" -ge "$2" ] || ! kill -0 "$1" 2>/dev/null; }

for i in 1 2 3 4 5; do
	more=$((RANDOM % 3 + 1))
	target=$(($(progress) + more))
	"$PB" bisect --good base --bad HEAD --bench work -q >/dev/null 2>"$T/err.$i" &
	pid=$!
	poll_until 120 reached $pid $target
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	echo "kill $i after $more more records: $(grep -c . .git/placebisect/journal 2>/dev/null || echo 0) journal records"
	parses "after kill $i"
done

# What a run killed inside pb_atomic_write leaves (besides those the kills above may have left).
mkdir -p .git/placebisect/measurements/planted
touch .git/placebisect/measurements/planted/0000.json.tmp.AbC123 .git/placebisect/journal.tmp.Zz9Yx8
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "the same culprit after five SIGKILLs"
expect_eq found "$(jq -r .status "$T/out")" "status"
expect_eq true "$(jq -r .resumed "$T/out")" "resumed"
parses "after the resume"
expect_eq "" "$(find .git/placebisect -name '*.tmp*')" "no temporary file or half-built entry left"
# Nothing the killed runs did is measured twice: every commit has one cache file.
expect_eq "$(jq '[.steps[].commit] | unique | length' "$T/out")" \
	"$(find .git/placebisect/measurements -name '*.json' | wc -l)" "one measurement file per measured commit"

# The same culprit and verdicts as a bisect that was never interrupted.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --json --reset
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/out")" "uninterrupted culprit"
finish
