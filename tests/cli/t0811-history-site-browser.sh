#!/usr/bin/env bash
# The history page in a real browser: headless Chromium loads a benchmark's page from file:// (as
# from a CI artifact), the plot renders (the screenshot is not blank and has the plot's red change
# point and alert), hovering a point shows its commit, value and CI (the page's own script), and a
# real mouse click on the point that raised the alert opens that alert's bisect report (and one on
# another point marks its row in the table), through
# Chromium's DevTools protocol (tests/cli/browser-check.py).
# labels: browser
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"
command -v python3 >/dev/null || skip "no python3 (it drives the browser)"
command -v chromium >/dev/null || skip "no chromium (an optional test dependency: scripts/install-deps.sh installs it)"

expect_eq "0 0 0 1 0 0" "$(bash "$PB_SOURCE_DIR/tests/cli/make-site-history.sh" "$T")" "exit codes of the nightlies"
rev() { git -C "$T/repo" log --format=%H --grep="^commit $1\$"; }
bad12=$(rev 8 | cut -c1-12)
expect_exit 0 "$PB" history show --history "$T/hist" --html "$T/site"

python3 "$PB_SOURCE_DIR/tests/cli/browser-check.py" "$T/site/work.html" "$T/profile" >"$T/browser" 2>"$T/browser.err"
expect_eq 0 $? "browser-check.py (stderr: $(tail -3 "$T/browser.err"))"
cat "$T/browser"
read -r _ width height nonwhite red < <(grep '^screenshot ' "$T/browser")
# A blank page is all white; text alone has no red. 2000 and 50 pixels are far below what the
# page draws (tens of thousands, hundreds) and far above nothing.
n=$((n + 1))
if [ "${nonwhite:-0}" -lt 2000 ] || [ "${red:-0}" -lt 50 ]; then
	echo "FAIL: the screenshot (${width}x${height}) looks blank: ${nonwhite:-0} non-white, ${red:-0} red pixels"
	fails=$((fails + 1))
fi
expect_grep "^points 5$" "$T/browser"
expect_grep "^links 1$" "$T/browser"
expect_grep "^row #s0-p0 s0-p0$" "$T/browser"
expect_grep "^tooltip ${bad12:0:7} commit 8 \| stdout: [0-9.]+ k, 95% CI [0-9.]+ k to [0-9.]+ k \(5 runs\) \| click: the bisect report$" "$T/browser"
expect_grep "^navigated file://$T/site/reports/work-ci-$bad12\.md text/markdown$" "$T/browser"
expect_grep "^opened # Regression report: work" "$T/browser"

finish
