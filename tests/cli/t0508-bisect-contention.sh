#!/usr/bin/env bash
# labels: signals slow
# bisect on wall time while a CPU hog runs in bursts on the benchmark's CPU: the exact culprit, or
# exit 4 with the contention stated; never a wrong culprit with exit 0. Then --remeasure drops the
# cached measurements and measures again; the output ends with the attribution verdict.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v taskset >/dev/null || skip "no taskset"

git init -q repo
cd repo
git config user.name "Fixture Author"
git config user.email "fixture@example.com"
for i in 0 1 2 3 4 5 6 7 8; do
	work=3000000
	[ "$i" -ge 5 ] && work=4000000 # commit 5: a third more work
	cat > prog.c <<C
static volatile unsigned long sink;
int main(void) { for (unsigned long i = 0; i < ${work}UL; i++) sink += i; return 0; }
C
	echo "$i" > README
	git add prog.c README
	git commit -q -m "commit $i"
	[ "$i" -eq 0 ] && git tag base
done
culprit=$(git log --format=%H --grep='^commit 5$')
cat > "$T/pb.json" <<JSON
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "wall", "runs": 8, "warmups": 0 } },
  "measure": { "backend": "time", "cpus": "0" },
  "stats": { "max_runs": 30 }
}
JSON

# The hog: busy for a while, idle for a while, on CPU 0, until the test ends it.
taskset -c 0 sh -c 'while :; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 0.2; done' &
hog=$!
trap 'kill "$hog" 2>/dev/null; rm -rf "$T"' EXIT
rc=0
"$PB" bisect --config "$T/pb.json" --good base --bad HEAD --bench work --json -o "$T/r.json" \
	>"$T/out" 2>"$T/err" || rc=$?
kill "$hog"
wait "$hog" 2>/dev/null
case $rc in
0)
	expect_eq "$culprit" "$(jq -r .culprit.commit "$T/r.json")" "exit 0 names the right culprit"
	expect_eq true "$(jq .confirmation.confirmed "$T/r.json")" "confirmed on fresh runs"
	expect_eq true "$(jq '.confirmation.culprit.blocks > 0 and .confirmation.endpoints.blocks > 0' "$T/r.json")" "fresh blocks"
	expect_eq true "$(jq '.explained_fraction_ci95 | length == 2' "$T/r.json")" "explained fraction with its CI"
	;;
4)
	# Inconclusive must say why: the contention, or the unconfirmed culprit.
	grep -q 'busy with other work\|No culprit\|not reproduced\|undecided' "$T/err" "$T/out" "$T/r.json"
	expect_eq 0 $? "exit 4 says why ($(jq -c '{status, confirmation, contention}' "$T/r.json"))"
	;;
*)
	expect_eq "0 or 4" "$rc" "exit code (stderr: $(tail -3 "$T/err"))"
	;;
esac
expect_eq true "$(jq '.contention.runs > 0' "$T/r.json")" "contention recorded"

# Without the hog, from the cache: the same answer, nothing measured again.
"$PB" bisect --config "$T/pb.json" --good base --bad HEAD --bench work --json >/dev/null 2>&1
"$PB" bisect --config "$T/pb.json" --good base --bad HEAD --bench work --json -q >"$T/cached.json" || true
expect_eq 0 "$(jq .runs_measured "$T/cached.json")" "all from the cache"
# --remeasure drops this benchmark's cached measurements: runs are taken again; builds stay.
"$PB" bisect --config "$T/pb.json" --good base --bad HEAD --bench work --remeasure >"$T/again.txt" 2>"$T/again.err" || true
expect_grep 'remeasure: dropped the cached measurements of [0-9]+ commits?' "$T/again.err"
expect_grep '^[0-9]+ builds? \([0-9]+ cached\), [0-9]+ runs? \([1-9][0-9]* measured now\)' "$T/again.txt"
expect_grep '^Attribution: (code-change|code-placement|inconclusive) — ' "$T/again.txt"

finish
