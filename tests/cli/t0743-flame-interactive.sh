#!/bin/bash
# The flame graph is interactive like flamegraph.pl's and still a plain picture without scripts;
# --speedscope writes the same stacks for speedscope. On a profile of a program whose main calls
# hot_caller, which calls hot_function (8/10 of the time), warm_function and lib_work:
# - the SVG is XML (xmllint), its controls are hidden until its script runs (an <img> on GitHub
#   shows no dead buttons), every frame has its full name and samples in a <title>;
# - in headless Chromium (tests/cli/flame-check.py, over browser-check.py's DevTools driver):
#   every label fits its frame; a real click on warm_function zooms it to the full 840 px (the
#   screenshot changes, hot_function is hidden), "Reset Zoom" gives the first widths back; a click
#   on "Search" asks for a regular expression (answered "^hot_function$"), highlights exactly the
#   frames of that name and says how many samples they hold (the folded stacks' count);
# - the speedscope file: one shared frame per distinct name, one sample per distinct stack (root
#   first), weights adding up to the profile's samples.
# labels: browser
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the fixture"
command -v jq >/dev/null || skip "no jq to read the JSON"
command -v xmllint >/dev/null || skip "no xmllint to check the SVG (scripts/install-deps.sh installs it)"

cat >lib.c <<'C'
unsigned long lib_work(unsigned long x, long n)
{
	volatile long keep = 0;
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x + keep;
}
C
cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
unsigned long lib_work(unsigned long x, long n);
#define SPIN(x, n) for (long i = 0; i < (n); i++) x = x * 6364136223846793005UL + 1442695040888963407UL
__attribute__((noinline)) unsigned long hot_function(unsigned long x, long n)
{
	volatile long keep = 0;
	SPIN(x, 8 * n);
	return x + keep;
}
__attribute__((noinline)) unsigned long warm_function(unsigned long x, long n)
{
	volatile long keep = 0;
	SPIN(x, n);
	return x + keep;
}
__attribute__((noinline)) unsigned long hot_caller(unsigned long x, long rounds, long n)
{
	for (long r = 0; r < rounds; r++) {
		x = hot_function(x, n);
		x = warm_function(x, n);
		x = lib_work(x, n);
	}
	return x;
}
int main(int argc, char **argv)
{
	printf("%lu\n", hot_caller(1, argc > 1 ? atol(argv[1]) : 1000, 100000));
	return 0;
}
C
FLAGS="-O1 -fno-omit-frame-pointer -fno-inline"
cc $FLAGS -fPIC -shared -o libwork.so lib.c || skip "cc cannot build a shared library"
cc $FLAGS -o prog prog.c -L. -lwork -Wl,-rpath,'$ORIGIN' || skip "cc cannot link the fixture"

expect_exit 0 "$PB" profile --folded f.txt --svg f.svg --speedscope f.json -o p.json -- ./prog 800
if grep -q "cannot sample" err; then
	skip "perf_event sampling is not available here: $(cat err)"
fi

# The SVG, statically (and its script, where node can parse it).
if command -v node >/dev/null; then
	expect_exit 0 node --check "$PB_SOURCE_DIR/profile/flame.js"
fi
expect_exit 0 xmllint --noout f.svg
expect_grep '<text [^>]*id="search" class="hide">Search</text>' f.svg
expect_grep '<text [^>]*id="unzoom" class="hide">Reset Zoom</text>' f.svg
expect_grep '<script type="text/ecmascript"><!\[CDATA\[' f.svg
expect_eq "$(grep -c '<g class="f"><title>' f.svg)" "$(grep -c '<g class="f">' f.svg)" "every frame has a tooltip"
expect_grep '<g class="f"><title>hot_function: [0-9]+ samples \([0-9.]+%\)</title>' f.svg

# The speedscope file, against the folded stacks and the profile.
expect_eq "https://www.speedscope.app/file-format-schema.json" "$(jq -r '."$schema"' f.json)" "\$schema"
expect_eq "sampled none 0" "$(jq -r '.profiles[0] | "\(.type) \(.unit) \(.startValue)"' f.json)" "profile type, unit, start"
names=$(sed 's/ [0-9]*$//' f.txt | tr ';' '\n' | sort -u | wc -l)
expect_eq "$names" "$(jq '.shared.frames | length' f.json)" "shared frames: one per distinct name"
expect_eq "$(jq '.shared.frames | map(.name) | unique | length' f.json)" "$(jq '.shared.frames | length' f.json)" "frames unique"
expect_eq "$(wc -l <f.txt)" "$(jq '.profiles[0].samples | length' f.json)" "one sample per distinct stack"
expect_eq "$(jq .samples p.json)" "$(jq '.profiles[0].weights | add' f.json)" "weights add up to the profile's samples"
expect_eq "$(jq .samples p.json)" "$(jq '.profiles[0].endValue' f.json)" "endValue"
# Stacks root first, as in the folded file: the heaviest stack spelled back from the indexes.
heavy=$(sort -t' ' -k2,2nr f.txt | head -1 | sed 's/ [0-9]*$//')
expect_eq "$heavy" "$(jq -r '.shared.frames as $f | .profiles[0] | [.samples, .weights] | transpose | max_by(.[1]) | .[0] | map($f[.].name) | join(";")' f.json)" "heaviest stack, root first"

# In a browser.
command -v python3 >/dev/null || skip "no python3 (it drives the browser)"
command -v chromium >/dev/null || skip "no chromium (an optional test dependency: scripts/install-deps.sh installs it)"
python3 "$PB_SOURCE_DIR/tests/cli/flame-check.py" f.svg '^hot_function$' warm_function warm_function "$T/profile" \
	>browser 2>browser.err
expect_eq 0 $? "flame-check.py (stderr: $(tail -3 browser.err))"
cat browser
expect_eq "$(grep -c '<g class="f">' f.svg)" "$(sed -n 's/^frames //p' browser)" "frames in the browser"
expect_grep '^labels_fit [0-9]+ 0$' browser
expect_grep '^width_zoomed 840\.0$' browser
expect_grep '^zoomed_labels_fit [0-9]+ 0$' browser
expect_grep '^screenshot_changed yes$' browser
expect_eq "$(sed -n 's/^width_before //p' browser)" "$(sed -n 's/^width_reset //p' browser)" "Reset Zoom gives the width back"
expect_eq "true" "$(awk '/^hidden /{print ($2 > 0) ? "true" : "false"}' browser)" "the zoom hid frames outside warm_function"
expect_grep '^prompt Search for' browser
# The frames named hot_function: one per distinct path to it. Their samples: the stacks holding it.
want_frames=$(awk '{ sub(/ [0-9]+$/, ""); n = split($0, f, ";"); p = ""; for (i = 1; i <= n; i++) { p = p ";" f[i]; if (f[i] == "hot_function") print p } }' f.txt | sort -u | wc -l)
want_samples=$(awk '{ c = $NF; sub(/ [0-9]+$/, ""); if ($0 ~ /(^|;)hot_function(;|$)/) s += c } END { print s + 0 }' f.txt)
expect_eq "$want_frames" "$(sed -n 's/^highlighted //p' browser)" "highlighted frames"
expect_grep "^matched Matched: $want_samples of $(jq .samples p.json) samples \([0-9.]+%\)$" browser

finish
