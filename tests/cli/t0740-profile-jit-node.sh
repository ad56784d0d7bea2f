#!/bin/bash
# JIT frames named: node with --perf-basic-prof writes /tmp/perf-PID.map; `profile` names the
# samples in V8's compiled code from it, so the script's hot function `hotLoop` is the top entry
# (its object the map), not "[anon]" (as it is without the map, with a warning saying how to
# name it). A malformed line in a map is skipped and counted (the
# parser's cases are in tests/unit/layout/test_perfmap.c; tests/fuzz/fuzz_perfmap.c fuzzes it).
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v node >/dev/null || skip "no node (Debian's nodejs: scripts/install-deps.sh installs it)"
command -v jq >/dev/null || skip "no jq to read the JSON"

cat >hot.js <<'JS'
function hotLoop(n) {
	let s = 0;
	for (let i = 0; i < n; i++)
		s = (s + i * 7) % 1000003;
	return s;
}
let t = 0;
for (let k = 0; k < 150; k++)
	t += hotLoop(1000000);
console.log(t);
JS
expect_exit 0 "$PB" profile -o p.json --top 5 -- node --perf-basic-prof hot.js
if grep -q "cannot sample" err; then
	skip "perf_event sampling is not available here: $(cat err)"
fi
map=$(jq -r '[.functions[] | select(.name | test("hotLoop"))][0].object' p.json)
# Node leaves its map behind; this run's is ours to remove.
case $map in /tmp/perf-[0-9]*.map) rm -f "$map" ;; esac
jq -r '.functions[:5][] | "\(.share) \(.name) \(.object)"' p.json
expect_grep '^/tmp/perf-[0-9]+\.map$' <(echo "$map")
expect_grep 'hotLoop' <(jq -r '.functions[0].name' p.json)
expect_eq "true" "$(jq '[.functions[] | select(.name | test("hotLoop")) | .share] | add > 0.5' p.json)" \
	"hotLoop's share"
expect_grep 'hotLoop .*/hot\.js' out
expect_eq "true" "$(jq '[.functions[] | select(.name == "[anon]") | .share] | add // 0 | . < 0.05' p.json)" \
	"unnamed JIT code ([anon]) under 5%"
expect_eq "" "$(grep "anonymous memory" err)" "no warning about unnamed JIT code"

# Without the map the same code is "[anon]", and a warning says how to name it.
expect_exit 0 "$PB" profile -o anon.json --top 5 -- node hot.js
expect_grep '^\[anon\]$' <(jq -r '.functions[0].name' anon.json)
expect_grep '[0-9.]+% of the samples are in anonymous memory that no /tmp/perf-PID.map names \(JIT code\?\): run the JIT with its perf map on \(node --perf-basic-prof' err

finish
