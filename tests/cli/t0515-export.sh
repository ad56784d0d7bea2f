#!/usr/bin/env bash
# measure/compare --export-csv FILE (one row per run: target, run, value, unit, timestamp, the
# counters) and --export-markdown FILE (the summary table): exact headers, rows and values, written
# atomically (a failed write leaves the old file whole).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
D=$PB_SOURCE_DIR/tests/data/pyperf

# compare of two pyperf files: fixed values, so the whole markdown table is known.
expect_exit 0 "$PB" compare "$D/mult_list_py36.json" "$D/mult_list_py37.json" --select '[1,2]*1000' \
	--export-csv "$T/c.csv" --export-markdown "$T/c.md"
expect_eq "target,run,ok,value,unit,timestamp,wall_ns,user_ns,sys_ns,maxrss_kb,exit" "$(head -n 1 "$T/c.csv")" "CSV header"
expect_eq 41 "$(wc -l < "$T/c.csv")" "header and 20 + 20 runs"
expect_eq 20 "$(grep -c "^$D/mult_list_py36.json,[0-9]*,1," "$T/c.csv")" "A's rows"
expect_eq 20 "$(grep -c "^$D/mult_list_py37.json,[0-9]*,1," "$T/c.csv")" "B's rows"
expect_eq "$D/mult_list_py36.json,1,1,3679.918681,ns,,3680,0,0,0,0" "$(sed -n 2p "$T/c.csv")" "first row"
expect_eq "| target | runs | wall median (ns) | 95% CI | mean ± stdev | min … max | B/A |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| $D/mult_list_py36.json | 20 | 3,697 | 3,686 … 3,714 | 3,704 ± 38.67 | 3,649 … 3,829 | 1 |
| $D/mult_list_py37.json | 20 | 5,263 | 5,236 … 5,286 | 5,277 ± 74.62 | 5,199 … 5,529 | 1.424 (1.413 … 1.431) |

Verdict: **slower** (B against A, p = 2.9e-11; alpha 0.01, min effect 2%)" "$(cat "$T/c.md")" "markdown table"

# measure -- CMD: one row per recorded run (not the warm-ups), failed runs too, with a timestamp.
cat > "$T/flaky.sh" <<'SH'
n=$(cat "$1" 2>/dev/null || echo 0); echo $((n + 1)) > "$1"
[ $((n % 3)) -ne 2 ]
SH
expect_exit 0 "$PB" measure --backend time --runs 6 --warmups 1 --export-csv "$T/m.csv" \
	--export-markdown "$T/m.md" -o "$T/m.json" -- sh "$T/flaky.sh" "$T/count"
expect_eq 7 "$(wc -l < "$T/m.csv")" "header and 6 runs"
col() { python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(" ".join(x[sys.argv[2]] for x in r))' "$1" "$2"; }
expect_eq "1 2 3 4 5 6" "$(col "$T/m.csv" run)" "run numbers"
# The warm-up was the script's first call: recorded runs 2 and 5 are its 3rd and 6th (they fail).
expect_eq "1 0 1 1 0 1" "$(col "$T/m.csv" ok)" "ok column"
expect_eq "0 1 0 0 1 0" "$(col "$T/m.csv" exit)" "exit column"
expect_eq 2 "$(python3 -c 'import csv,sys; print(sum(1 for x in csv.DictReader(open(sys.argv[1])) if x["ok"] == "0" and x["value"] == ""))' "$T/m.csv")" "failed runs have no value"
expect_eq "ns ns ns ns ns ns" "$(col "$T/m.csv" unit)" "unit"
expect_eq 6 "$(grep -cE ',ns,20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z,' "$T/m.csv")" "timestamps"
expect_eq 4 "$(jq .summary.n "$T/m.json")" "4 runs in the summary"
expect_grep '^\| sh .*flaky.sh.* \| 4 \| [0-9,]+ \| ' "$T/m.md"
expect_eq "| target | runs | wall median (ns) | 95% CI | mean ± stdev | min … max |" "$(head -n 1 "$T/m.md")" "measure's markdown header"

# A target with a comma and a quote is one CSV field.
expect_exit 0 "$PB" measure --backend time --runs 1 --warmups 0 --export-csv "$T/q.csv" -- sh -c 'echo "a,b" >/dev/null'
expect_eq "\"sh -c 'echo \"\"a,b\"\" >/dev/null'\",1,1," "$(sed -n 2p "$T/q.csv" | cut -c1-38)" "quoted target"
expect_eq "1,1" "$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(r[1][1]+","+r[1][2])' "$T/q.csv")" "a CSV reader sees run 1, ok 1"
expect_eq "sh -c 'echo \"a,b\" >/dev/null'" "$(python3 -c 'import csv,sys; print(list(csv.reader(open(sys.argv[1])))[1][0])' "$T/q.csv")" "a CSV reader sees the whole target"

# Counters recorded are columns (software events count on any Linux with perf_event).
if "$PB" measure --backend perf --events task-clock --runs 2 --warmups 0 --export-csv "$T/e.csv" -q -- true >/dev/null 2>&1; then
	expect_grep '^target,run,ok,value,unit,timestamp,wall_ns,user_ns,sys_ns,maxrss_kb,exit,(.*,)?task-clock(,|$)' "$T/e.csv"
	expect_eq 3 "$(wc -l < "$T/e.csv")" "counter CSV rows"
fi

# Written atomically: a directory that cannot be written is an error naming the file; the old file stays.
cp "$T/c.md" "$T/keep.md"
mkdir "$T/ro" && cp "$T/c.md" "$T/ro/c.md" && chmod a-w "$T/ro"
if [ ! -w "$T/ro" ]; then
	expect_exit 2 "$PB" compare "$D/mult_list_py36.json" "$D/mult_list_py37.json" --select '[1,2]*1000' --export-markdown "$T/ro/c.md"
	expect_grep "$T/ro/c.md" "$T/err"
	cmp -s "$T/keep.md" "$T/ro/c.md"; expect_eq 0 $? "the old file is whole"
fi
chmod u+w "$T/ro"
finish
