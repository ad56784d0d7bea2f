#!/usr/bin/env bash
# What a newcomer reads (issue #21): outside a repository, README sections named by messages, a
# progress estimate that does not shrink, a bisect with nothing bisected, the report's title,
# summary and hot-function lines, notes said once and only when they apply, measuring an unbuilt
# tree, the linker flag in "What to try".
source "$PB_SOURCE_DIR/tests/cli/lib.sh"
command -v cc >/dev/null || skip "no C compiler"

# Outside a git repository: that is what is wrong, not the configuration (exit 2).
mkdir "$T/norepo"
(cd "$T/norepo" && expect_exit 2 "$PB" bisect --good a --bad b --bench work)
expect_eq "placebisect: error: not inside a git repository: run placebisect from your project's checkout, or pass --repo DIR" "$(cat "$T/err")" "bisect outside a repository"
(cd "$T/norepo" && expect_exit 2 "$PB" measure --bench work)
expect_eq "placebisect: error: not inside a git repository: run placebisect from your project's checkout, or pass --repo DIR" "$(cat "$T/err")" "measure outside a repository"
echo '{ "benchmarks": { "work": { "command": "true" } } }' >"$T/cfg.json"
(cd "$T/norepo" && expect_exit 2 "$PB" bisect --config "$T/cfg.json" --good a --bad b --bench work)
expect_eq "placebisect: error: not inside a git repository: run placebisect from your project's checkout, or pass --repo DIR" "$(cat "$T/err")" "bisect --config outside a repository"
git init -q "$T/empty"
(cd "$T/empty" && expect_exit 2 "$PB" measure --bench work)
expect_eq "placebisect: error: no configuration: create placebisect.json at the repository's top (see README.md, \"Configuration\"), or pass --config FILE" "$(cat "$T/err")" "no configuration"

# Every README section a message or comment names exists (README.md, "Section").
sections=$(grep -rhoE 'README(\.md)?,? \\?"[A-Za-z][^"\\]*\\?"' "$PB_SOURCE_DIR"/{core,render,measure,layout,profile,bisect,report,nightly,cli} |
	sed -E 's/.*"([^"\\]+)\\?"$/\1/' | sort -u)
expect_eq 1 "$([ -n "$sections" ] && echo 1)" "messages name README sections"
for s in $sections; do
	n=$((n + 1))
	if ! grep -qE "^#+ $s" "$PB_SOURCE_DIR/README.md"; then
		echo "FAIL: a message names the README section \"$s\", which README.md does not have"
		fails=$((fails + 1))
	fi
done

bash "$PB_SOURCE_DIR/tests/cli/make-fixture-repo.sh" repo 8 5 --effect 10 --noise 0
cd repo
cat > placebisect.json <<'JSON'
{
  "build": { "command": "cc -O1 -o prog prog.c", "binary": "prog" },
  "benchmarks": { "work": { "command": "{binary}", "metric": "stdout",
                            "parse": { "regex": "value: ([0-9.]+)" } } }
}
JSON

# Nothing built in the user's tree: say so before running anything, and what to do.
expect_exit 2 "$PB" measure --bench work
expect_eq "placebisect: error: benchmark 'work' runs {binary}, but $PWD/prog is not built in this tree: build it first (cc -O1 -o prog prog.c), or pass --rev REV to build a revision in placebisect's private worktree" "$(grep -v warning: "$T/err")" "measure with nothing built"

# The progress estimate "[k/~n]" never shrinks from one line to the next.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work --report "$T/rep/R.md"
totals=$(grep -oE '^placebisect: \[[0-9]+/~[0-9]+\]' "$T/err" | sed -E 's/.*~([0-9]+)\]/\1/' | tr '\n' ' ')
expect_eq 1 "$([ "$(echo $totals | wc -w)" -ge 4 ] && echo 1)" "progress lines ($totals)"
sorted=$(echo $totals | tr ' ' '\n' | sort -n | tr '\n' ' ')
expect_eq "$sorted" "$totals" "progress denominators do not shrink"
expect_grep '^Bisected 8 commits between ' "$T/out"
# The summary is a list (a two-column table would need an empty header row).
expect_eq 0 "$(grep -c '^|  |  |$' "$T/rep/R.md")" "no empty header row"
expect_grep '^- \*\*culprit\*\*: `[0-9a-f]{40}` commit 5$' "$T/rep/R.md"
expect_grep '^- \*\*range\*\*: ' "$T/rep/R.md"
expect_grep '^# Regression report: work$' "$T/rep/R.md"
expect_eq 0 "$(grep -c 'Hot set: none' "$T/rep/R.md")" "no 'Hot set: none' line"

# What to try names the ordering flag of the linker that linked the builds.
expect_exit 0 "$PB" bisect --good base --bad HEAD --bench work -q -o "$T/b.json"
expect_eq 1 "$(jq -r .layout.bad.linker "$T/b.json" | grep -cE '^(ld|gold|lld|mold)$')" "the linker is recorded"
for l in ld gold lld; do
	jq --arg l "$l" '.attribution.verdict = "code-placement" | .layout.bad.linker = $l' "$T/b.json" >"$T/$l.json"
	expect_exit 0 "$PB" report "$T/$l.json" -o "$T/$l.md"
done
expect_grep 'GNU ld \(the linker of these builds\) takes no ordering file' "$T/ld.md"
expect_grep '^\*\(\.text\.main\)$' "$T/ld.md"
expect_grep '`-Wl,--section-ordering-file=hot.txt` \(gold' "$T/gold.md"
expect_grep '^\.text\.main$' "$T/gold.md"
expect_grep '`-Wl,--symbol-ordering-file=hot.txt` \(lld' "$T/lld.md"
expect_grep '^main$' "$T/lld.md"
expect_eq 0 "$(cat "$T"/{ld,gold}.md | grep -c 'ld --symbol-ordering-file')" "no lld flag offered for GNU ld or gold"
# The linker is read from the binary: lld and mold name themselves in .comment, gold leaves
# .note.gnu.gold-version, GNU ld nothing of its own.
echo 'int main(void) { return 0; }' >"$T/l.c"
cc -fuse-ld=bfd -o "$T/l-ld" "$T/l.c" 2>/dev/null || cc -o "$T/l-ld" "$T/l.c"
for l in gold lld; do
	cc -fuse-ld=$l -o "$T/l-$l" "$T/l.c" 2>/dev/null || continue
	expect_exit 0 "$PB" layout diff "$T/l-ld" "$T/l-$l" --json
	expect_eq "$l" "$(jq -r .bad.linker "$T/out")" "linker of a $l build"
	[ "$l" = gold ] && expect_eq ld "$(jq -r .good.linker "$T/out")" "linker of a GNU ld build"
done
# Inconclusive, build.binary configured: not told to configure it.
jq '.attribution.verdict = "inconclusive"' "$T/b.json" >"$T/inc.json"
expect_exit 0 "$PB" report "$T/inc.json" -o "$T/inc.md"
expect_grep '^Gather what the verdict lacks' "$T/inc.md"
expect_eq 0 "$(grep -c 'configure `build.binary`' "$T/inc.md")" "build.binary is configured"
jq '.attribution.verdict = "inconclusive" | del(.binaries)' "$T/b.json" >"$T/inc2.json"
expect_exit 0 "$PB" report "$T/inc2.json" -o "$T/inc2.md"
expect_eq 1 "$(grep -c 'configure `build.binary`' "$T/inc2.md")" "build.binary missing"

# Not reproduced (good and bad the same): nothing bisected, and the title says so.
expect_exit 4 "$PB" bisect --good HEAD~2 --bad HEAD --bench work --report "$T/nr/R.md"
expect_grep "^Nothing bisected: measured $(git rev-parse --short=7 HEAD~2) \(good\) and $(git rev-parse --short=7 HEAD) \(bad\), 2 commits apart, benchmark work, metric stdout, backend [a-z]+.*\.$" "$T/out"
expect_eq 0 "$(grep -c '^Bisected' "$T/out")" "not 'Bisected'"
expect_eq "# Regression not reproduced: work" "$(head -n 1 "$T/nr/R.md")" "report title"
expect_eq 0 "$(grep -c '^## Hot functions' "$T/nr/R.md")" "no hot functions section without a culprit"

# The runs and warmups cachegrind overrides are named only when the user set them.
if command -v valgrind >/dev/null; then
	cc -O1 -o prog prog.c
	expect_exit 0 "$PB" measure --backend cachegrind --metric instructions -- ./prog
	expect_eq 0 "$(grep -c 'cachegrind is exact' "$T/err")" "no note for defaults"
	expect_exit 0 "$PB" measure --backend cachegrind --metric instructions --runs 5 -- ./prog
	expect_eq "placebisect: cachegrind is exact when the benchmark is deterministic: one run, no warmup (asked: 5 runs, 1 warmup)" "$(grep 'cachegrind is exact' "$T/err")" "the note when --runs was given"
	# Warnings went to stderr; the table on stdout carries none.
	expect_eq 0 "$(grep -c 'warning' "$T/out")" "no warning in the table"
fi

finish
