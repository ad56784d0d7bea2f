#!/usr/bin/env bash
# A bisect report renders: its tables parse as GFM tables (cmark-gfm) and every plot draws to a
# PNG that is not blank (headless Chromium).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v valgrind >/dev/null || skip "no valgrind (the cachegrind backend)"
command -v cmark-gfm >/dev/null || skip "no cmark-gfm (scripts/install-deps.sh installs it)"
command -v chromium >/dev/null || skip "no chromium (scripts/install-deps.sh installs it)"
command -v convert >/dev/null || skip "no ImageMagick convert (scripts/install-deps.sh installs it)"

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 16 11 --effect 10 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "instructions" } },
  "measure": { "backend": "cachegrind" }
}
JSON
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work -q --report "$T/rep/REPORT.md"
r=$T/rep/REPORT.md

# Every markdown table (a delimiter row) is a GFM table to cmark-gfm, with its rows.
expect_exit 0 cmark-gfm --extension table "$r"
cp "$T/out" "$T/report.html"
tables=$(grep -c '^| ---' "$r")
expect_eq "$tables" "$(grep -c '<table>' "$T/report.html")" "tables rendered"
expect_eq "$(($(grep -c '^| ' "$r") - tables))" "$(grep -c '<tr>' "$T/report.html")" "every table line but the delimiters is a row"
# Images are linked relative to the report.
expect_eq 3 "$(grep -c '<img src="REPORT-[a-z0-9-]*\.svg"' "$T/report.html")" "plots linked"

# Each plot drawn by a browser: a PNG with more than background and text colours.
for svg in "$T"/rep/*.svg; do
	png=${svg%.svg}.png
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=880,360 \
		--screenshot="$png" "file://$svg" >/dev/null 2>&1
	expect_exit 0 test -s "$png"
	colours=$(convert "$png" -format '%k' info: 2>/dev/null || echo 0)
	n=$((n + 1))
	if [ "${colours:-0}" -lt 8 ]; then
		echo "FAIL: $(basename "$svg") renders with only ${colours:-0} colours (blank?)"
		fails=$((fails + 1))
	fi
done

finish
