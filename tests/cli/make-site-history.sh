#!/usr/bin/env bash
# make-site-history.sh DIR: a fixture repository DIR/repo (10 commits, commit 7 is 10% slower, 1%
# noise from a fixed sequence) and a nightly history DIR/hist of two benchmarks on machine "ci":
# "work" at commits 2 4 6 8 10 (the nightly at 8 alerts and bisects; its report is in
# DIR/hist/reports/) and "quick" at commit 10, that last nightly with --html DIR/site-nightly.
# The configuration has a third benchmark, "wall" (metric wall), not measured here.
# Prints the six exit codes; each nightly's stdout and stderr are in DIR/nightly-BENCH-C.{out,err}.
# For the history page tests (t0810, t0811). $PB is the placebisect binary.
set -u
dir=$1
bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" "$dir/repo" 10 7 --effect 10 --noise 1 >/dev/null || exit 1
cd "$dir/repo" || exit 1
echo 1 > "$dir/counter"
cat > placebisect.json <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout", "runs": 5, "warmups": 0,
                            "parse": { "regex": "value: ([0-9.]+)" },
                            "env": { "PB_FIXTURE_COUNTER": "$dir/counter" } },
                  "quick": { "command": "{binary}", "metric": "stdout", "runs": 3, "warmups": 0,
                             "parse": { "regex": "value: ([0-9.]+)" } },
                  "wall": { "command": "{binary}", "metric": "wall", "runs": 3, "warmups": 0 } },
  "measure": { "backend": "time" }
}
JSON
rev() { git log --format=%H --grep="^commit $1\$"; }
codes=""
for c in 2 4 6 8 10; do
	"$PB" nightly --bench work --history "$dir/hist" --machine ci --rev "$(rev $c)" \
		>"$dir/nightly-work-$c.out" 2>"$dir/nightly-work-$c.err"
	codes="$codes $?"
done
"$PB" nightly --bench quick --history "$dir/hist" --machine ci --rev "$(rev 10)" \
	--html "$dir/site-nightly" >"$dir/nightly-quick-10.out" 2>"$dir/nightly-quick-10.err"
echo $codes $?
