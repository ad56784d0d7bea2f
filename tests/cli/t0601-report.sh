#!/usr/bin/env bash
# bisect --report and report: every section, valid SVG plots, the verdict of a code change, and
# reports of the other result kinds; bad inputs get exit 2.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"
command -v xmllint >/dev/null || skip "no xmllint (to check the SVG files are XML)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 16 11 --effect 10 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions", "runs": 5 } },
  "measure": { "backend": "cachegrind" }
}
JSON
culprit=$(git log --format=%H --grep='^commit 11$')

# The report directory is created; the JSON and the report come from the same result.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work -o "$T/r.json" --report "$T/out1/REPORT.md"
expect_grep "wrote the report $T/out1/REPORT.md" "$T/err"
r=$T/out1/REPORT.md
expect_eq "$culprit" "$(jq -r .culprit.commit "$T/r.json")" "culprit"
# More loop iterations: more instructions and main's code changed.
expect_eq code-change "$(jq -r .attribution.verdict "$T/r.json")" "verdict"
expect_eq 1 "$(jq '[.attribution.reasons[] | select(. == "1 of 1 hot functions changed their code (main)")] | length' "$T/r.json")" "reason naming main"
expect_eq true "$(jq '.layout.hot | map(.name) | index("main") != null' "$T/r.json")" "main in the layout's hot set"
for s in Summary Reproduce Bisection Measurements Counters 'Hot functions' Layout 'Verdict and evidence' 'What to try' System; do
	expect_grep "^## $s\$" "$r"
done
expect_grep "^- \\*\\*culprit\\*\\*: \`$culprit\` commit 11$" "$r"
expect_grep '^\*\*code-change\*\*$' "$r"
expect_grep '^- `main` \(loose-equal\)$' "$r"
# One table row per step.
steps=$(jq '.steps | length' "$T/r.json")
expect_eq "$steps" "$(sed -n '/^## Bisection/,/^## Measurements/p' "$r" | grep -c '^| [0-9]')" "bisection rows"
# Every linked plot exists and is well-formed XML with a title.
links=$(grep -o '](REPORT-[a-z0-9-]*\.svg)' "$r" | tr -d '()]' | sort)
expect_eq "REPORT-distributions.svg REPORT-l1i-sets.svg REPORT-timeline.svg" "$(echo $links)" "plots linked"
for f in $links; do
	expect_exit 0 xmllint --noout "$T/out1/$f"
	expect_eq svg "$(xmllint --xpath 'local-name(/*)' "$T/out1/$f")" "$f's root element"
	expect_eq 1 "$(xmllint --xpath 'count(/*[local-name()="svg"]/*[local-name()="title"])' "$T/out1/$f")" "$f's title"
done
expect_eq 1 "$(grep -c 'first bad: '"${culprit:0:7}" "$T/out1/REPORT-timeline.svg")" "culprit marked on the timeline"

# report RESULT.json renders the same report later.
mkdir "$T/out2"
expect_exit 0 "$PB" report "$T/r.json" -o "$T/out2/REPORT.md"
expect_exit 0 cmp "$r" "$T/out2/REPORT.md"
expect_exit 0 cmp "$T/out1/REPORT-timeline.svg" "$T/out2/REPORT-timeline.svg"

# A result measured with software events only (no PMU): the Reproduce commands use --backend auto,
# which does that again on the same machine (--backend perf would demand hardware counters).
jq '.backend = "perf (software events only)"' "$T/r.json" >"$T/sw.json"
expect_exit 0 "$PB" report "$T/sw.json" -o "$T/out2/SW.md"
expect_grep '^placebisect bisect --good .* --backend auto --metric ' "$T/out2/SW.md"
expect_grep '^placebisect measure --rev .* --backend auto -o parent.json$' "$T/out2/SW.md"
n=$((n + 1))
if grep -q -- '--backend perf' "$T/out2/SW.md"; then echo "FAIL: --backend perf in SW.md"; fails=$((fails + 1)); fi

# The other kinds: a measurement, a comparison, a layout diff (of the cached builds).
p=$(jq -r .binaries.parent "$T/r.json")
c=$(jq -r .binaries.culprit "$T/r.json")
expect_exit 0 "$PB" measure --backend cachegrind --runs 1 -o "$T/m.json" -- "$c"
expect_exit 0 "$PB" report "$T/m.json" -o "$T/m.md"
expect_grep '^# Measurement: ' "$T/m.md"
expect_exit 0 "$PB" compare "$T/m.json" "$T/m.json" -o "$T/c.json"
expect_exit 0 "$PB" report "$T/c.json" -o "$T/c.md"
expect_grep '^# Comparison: B is \*\*same\*\*' "$T/c.md"
expect_exit 0 "$PB" layout diff "$p" "$c" --hot main -o "$T/d.json"
expect_exit 0 "$PB" report "$T/d.json" -o "$T/d.md"
expect_grep '^\| `main` \| 0x[0-9a-f]+ \| 0x[0-9a-f]+ \| 6 → 6 \| loose-equal \|$' "$T/d.md"

# Bad input.
expect_exit 2 "$PB" report "$T/r.json"
expect_grep 'report: -o FILE.md is required' "$T/err"
expect_exit 2 "$PB" report -o "$T/x.md"
expect_grep 'which result file' "$T/err"
expect_exit 2 "$PB" report "$T/nope.json" -o "$T/x.md"
expect_grep 'nope.json' "$T/err"
echo '{"schema": "placebisect.future/9"}' > "$T/f.json"
expect_exit 2 "$PB" report "$T/f.json" -o "$T/x.md"
expect_grep "f.json: not a placebisect result file \(schema 'placebisect.future/9'\)" "$T/err"
expect_exit 2 "$PB" report "$T/r.json" -o "$T/x.md" --json
# The report's directory is made (as bisect --report makes it); a file in the way is exit 3.
expect_exit 0 "$PB" report "$T/r.json" -o "$T/no/such/dir/x.md"
expect_grep '^## Summary$' "$T/no/such/dir/x.md"
expect_exit 3 "$PB" report "$T/r.json" -o "$T/r.json/x.md"
expect_grep "cannot create directory $T/r.json: a file is in the way" "$T/err"
expect_eq "" "$(ls "$T" | grep -E '^x\.md|\.tmp')" "nothing half-written"
# A real bisect document broken by a deletion or another type: refused with the key path (F5:
# these rendered "nan builds" and "?" with exit 0).
mutate() { # JQ-FILTER MESSAGE
	jq "$1" "$T/r.json" > "$T/mut.json"
	expect_exit 2 "$PB" report "$T/mut.json" -o "$T/mut.md"
	expect_eq "placebisect: error: $T/mut.json: $2" "$(cat "$T/err")" "report of r.json | $1"
}
mutate 'del(.steps)' 'steps: missing (every placebisect.bisect/1 document has it)'
mutate 'del(.builds)' 'builds: missing (every placebisect.bisect/1 document has it)'
mutate 'del(.culprit.commit)' 'culprit.commit: missing (every placebisect.bisect/1 document has it)'
mutate '.steps[0].runs = "5"' 'steps[0].runs: expected a number, got a string'
mutate '.steps[1].index = 1.5' 'steps[1].index: expected a whole number up to 2^53, got 1.5'
mutate '.commits = 1e300' 'commits: expected a whole number up to 2^53, got 1e+300'
mutate '.counters.parent.Ir = -3' 'counters.parent.Ir: -3 is negative (a count or a size: never below 0)'
mutate '.effect = "big"' 'effect: expected an object, got a string'
mutate '.layout.hot[0] = 1' 'layout.hot[0]: expected an object, got a number'
mutate '.attribution.reasons = [1]' 'attribution.reasons[0]: expected a string, got a number'
[ ! -e "$T/mut.md" ] || { echo "FAIL: a report was written from a broken document"; fails=$((fails + 1)); }

finish
