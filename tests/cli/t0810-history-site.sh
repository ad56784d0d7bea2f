#!/usr/bin/env bash
# The history as a static site (history show --html, nightly --html), its content: one page per
# benchmark with a point per measured commit, the change point and the alert marked, exactly one
# point linking to the alert's bisect report, copied into the site; every link relative and
# present, nothing loaded from elsewhere; the index listing both benchmarks; and the errors (no
# --bench/--html, a site directory that cannot be made, an alert's report path outside the
# history, an empty history), and a history whose report was pruned.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v jq >/dev/null || skip "no jq"

expect_eq "0 0 0 1 0 0" "$(bash "$PB_SOURCE_DIR/tests/cli/make-site-history.sh" "$T")" \
	"exit codes of the nightlies (the one at 8 alerts)"
rev() { git -C "$T/repo" log --format=%H --grep="^commit $1\$"; }
bad12=$(rev 8 | cut -c1-12)
report=reports/work-ci-$bad12.md
expect_eq "$report" "$(jq -r '.alerts[0].report' "$T/hist/index.json")" "the alert's report in the index"
expect_eq "$(rev 7)" "$(jq -r '.alerts[0].culprit' "$T/hist/index.json")" "the alert's culprit"

# nightly --html: the site after the nightly, named on its stdout.
expect_grep "^History site: $T/site-nightly/index.html: 2 benchmarks, 2 series, 6 points, 1 report\.$" \
	"$T/nightly-quick-10.out"
expect_exit 0 test -s "$T/site-nightly/work.html"

# history show --html: the same site, without --bench.
expect_exit 0 "$PB" history show --history "$T/hist" --html "$T/site"
expect_eq "History site: $T/site/index.html: 2 benchmarks, 2 series, 6 points, 1 report." "$(cat "$T/out")" "stdout"
expect_exit 0 "$PB" history show --history "$T/hist" --html "$T/site" --json
expect_eq "placebisect.site/1 $T/site/index.html 2 2 6 1 0" \
	"$(jq -r '"\(.schema) \(.index) \(.benchmarks) \(.series) \(.points) \(.reports) \(.missing)"' "$T/out")" "JSON"
expect_eq "index.html quick.html reports work.html" "$(ls "$T/site" | tr '\n' ' ' | sed 's/ $//')" "the site's files"
cmp -s "$T/site-nightly/work.html" "$T/site/work.html"
expect_eq 0 $? "nightly --html and history show --html write the same page"

# The benchmark's page: five points, one linking to the report of the alert raised at commit 8.
page=$T/site/work.html
expect_eq 5 "$(grep -o '<g class="pt' "$page" | wc -l)" "points plotted"
expect_eq 5 "$(grep -c '^<tr id="s0-p' "$page")" "rows in the table of points"
expect_eq 1 "$(grep -o '<g class="pt rep"' "$page" | wc -l)" "points with a report"
expect_eq "0 1 2 4" "$(grep -o '<a href="#s0-p[0-9]*"><g class="pt" data-i="[0-9]*"' "$page" | sed 's/.*data-i="\([0-9]*\)"/\1/' | tr '\n' ' ' | sed 's/ $//')" \
	"the other points link their rows"
expect_eq "$report" \
	"$(grep -o "<a href=\"[^\"]*\"><g class=\"pt rep\" data-i=\"3\" data-label=\"${bad12:0:7}\" data-commit=\"$(rev 8)\"" "$page" |
	   sed 's/^<a href="\([^"]*\)".*/\1/')" "the point of commit 8 links the report"
expect_grep "data-label=\"$(rev 2 | cut -c1-7)\" data-commit=\"$(rev 2)\" data-tip=\"commit 2\" data-value=\"stdout: [0-9.]+ k, 95% CI [0-9.]+ k to [0-9.]+ k \(5 runs\)\"" "$page"
expect_eq 1 "$(grep -c 'stroke-dasharray' "$page")" "one change point"
expect_eq 1 "$(grep -c '<circle class="alert"' "$page")" "one alert ring"
expect_grep '<td class="open">open</td>' "$page"
expect_grep "<a href=\"$report\">report</a> · <a href=\"reports/work-ci-$bad12.json\">bisect result</a>" "$page"
expect_eq 1 "$(grep -o '<g class="pt' "$T/site/quick.html" | wc -l)" "quick: one point"
expect_grep '<p class="muted">No alert.</p>' "$T/site/quick.html"

# The index: both benchmarks, their pages linked.
expect_eq 2 "$(grep -c '^<tr><td><a href="[a-z]*\.html#s0">' "$T/site/index.html")" "index rows"
expect_grep '<a href="quick.html#s0">quick</a>' "$T/site/index.html"
expect_grep '<a href="work.html#s0">work</a>.*<a href="work.html#s0-alerts"><span class="open">1 open</span></a>' "$T/site/index.html"
expect_grep '<h3 id="s0-alerts">Alerts</h3>' "$T/site/work.html"
expect_eq 1 "$(grep -c '^<tr><td><a href="[a-z]*\.html#s0-alerts">' "$T/site/index.html")" "the index's alerts"
expect_grep "^<tr><td><a href=\"work.html#s0-alerts\">work</a></td><td>ci</td><td class=\"open\">open</td><td>.*<a href=\"$report\">report</a>" "$T/site/index.html"

# Self-contained: every link and source relative and present in the site; nothing external.
bad=0
for f in "$T"/site/*.html; do
	for l in $(grep -o '\(href\|src\)="[^"]*"' "$f" | sed 's/^[a-z]*="\([^"#]*\).*/\1/' | sort -u); do
		case $l in /* | *:*) echo "FAIL: $f: $l is not a relative link"; bad=$((bad + 1)); continue ;; esac
		[ -e "$T/site/$l" ] || { echo "FAIL: $f: $l is not in the site"; bad=$((bad + 1)); }
	done
done
expect_eq 0 "$bad" "broken or absolute links"
expect_eq 0 "$(cat "$T"/site/*.html | grep -c -e '<script src' -e '<link' -e '@import' -e '@font-face' -e 'url(')" \
	"external scripts, styles or fonts"
cmp -s "$T/hist/$report" "$T/site/$report"
expect_eq 0 $? "the report copied"
expect_eq "$(ls "$T/hist/reports" | grep -c "^work-ci-$bad12-.*\.svg$")" \
	"$(ls "$T/site/reports" | grep -c "^work-ci-$bad12-.*\.svg$")" "the report's plots copied"
expect_grep "\]\(work-ci-$bad12-timeline\.svg\)" "$T/site/$report"

# --bench too: the series as before, then the site.
expect_exit 0 "$PB" history show --bench work --history "$T/hist" --html "$T/site"
expect_grep "^History of work on ci \(metric stdout, backend time, config [0-9a-f]{16}\): 5 points, 1 change point\.$" "$T/out"
expect_grep "^History site: $T/site/index.html: 2 benchmarks" "$T/out"

# A history whose reports were pruned still makes a site, without the link.
cp -r "$T/hist" "$T/pruned"
rm "$T/pruned/$report"
expect_exit 0 "$PB" history show --history "$T/pruned" --html "$T/site2"
expect_eq "History site: $T/site2/index.html: 2 benchmarks, 2 series, 6 points, 0 reports (1 more named by the index but not in the history)." \
	"$(cat "$T/out")" "pruned report"
expect_eq 0 "$(grep -c 'class="pt rep"' "$T/site2/work.html")" "no link to a missing report"
expect_grep 'report not in the history' "$T/site2/work.html"

# A time metric is shown in its unit.
expect_exit 0 "$PB" nightly --bench wall --history "$T/hw" --machine ci --rev "$(rev 10)" --repo "$T/repo" --html "$T/site-wall"
# What the page says, for the log when the next line fails.
grep -o 'data-value="wall[^"]*"' "$T/site-wall/wall.html" | head -3 >&2
expect_grep "data-value=\"wall: [0-9.]+ (ns|us|µs|ms|s), 95% CI [0-9.]+ (ns|us|µs|ms|s) to [0-9.]+ (ns|us|µs|ms|s) \(3 runs\)\"" "$T/site-wall/wall.html"
expect_grep ">wall \((ns|us|µs|ms|s)\)</text>" "$T/site-wall/wall.html"

# Errors.
expect_exit 2 "$PB" history show --history "$T/hist"
expect_grep "history show: --history DIR and --bench NAME \(or --html DIR\) are required" "$T/err"
expect_exit 2 "$PB" history show --history "$T/hist" --html "$T/site3" --svg "$T/x.svg"
expect_grep "history show: --svg, --machine and --series-config go with --bench NAME" "$T/err"
expect_exit 2 "$PB" history show --bench nosuch --history "$T/hist" --html "$T/site6"
expect_grep "no point of benchmark 'nosuch' in the history; it has work, quick" "$T/err"
expect_exit 1 test -e "$T/site6"
touch "$T/afile"
expect_exit 3 "$PB" history show --history "$T/hist" --html "$T/afile/site"
expect_grep "cannot create directory $T/afile/site" "$T/err"
cp -r "$T/hist" "$T/evil"
jq '.alerts[0].report = "../../outside.md"' "$T/hist/index.json" > "$T/evil/index.json"
expect_exit 2 "$PB" history show --history "$T/evil" --html "$T/site4"
expect_grep "^placebisect: error: $T/evil/index.json: alerts\[0\]\.report: '\.\./\.\./outside\.md' is not a file in the history's reports/ directory; the index is damaged \(restore it from a copy\)$" "$T/err"
expect_exit 1 test -e "$T/outside.md"
mkdir -p "$T/empty"
printf '{ "schema": "placebisect.history/1", "entries": [], "alerts": [] }\n' > "$T/empty/index.json"
expect_exit 2 "$PB" history show --history "$T/empty" --html "$T/site5"
expect_grep "$T/empty: the history has no point yet: nothing to show \('placebisect nightly --history $T/empty' records one\)" "$T/err"
# nightly --html into a directory that cannot be made: a warning; the nightly's exit code stands.
expect_exit 0 "$PB" nightly --bench quick --history "$T/hist" --machine ci --rev "$(rev 10)" --html "$T/afile/site" --repo "$T/repo"
expect_grep "^placebisect: warning: the history site was not written into $T/afile/site: cannot create directory $T/afile/site" "$T/err"

finish
