#!/usr/bin/env bash
# Every command's --help (issue #21): an Examples section of real command lines (each option an
# example uses is one the command takes), only the options that apply, no required-looking
# optional ones, no-op flags hidden but still accepted.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

expect_exit 0 "$PB" --help
expect_grep '^Examples:$' "$T/out"
commands=$(sed -n '/^Commands:/,/^$/p' "$T/out" | awk 'NR > 1 && NF { print $1 }')
expect_eq 16 "$(echo $commands | wc -w)" "commands listed ($commands)"
for c in $commands; do
	expect_exit 0 "$PB" "$c" --help
	cp "$T/out" "$T/help-$c"
	expect_grep '^Examples:$' "$T/help-$c"
	n=$((n + 1))
	if [ "$(sed -n '/^Examples:$/,$p' "$T/help-$c" | grep -c '^  \(sudo \)\?placebisect ')" -lt 1 ]; then
		echo "FAIL: $c --help: no 'placebisect ...' line under Examples"
		fails=$((fails + 1))
	fi
	expect_exit 0 "$PB" help "$c"
	cp "$T/out" "$T/help2-$c"
	expect_exit 0 cmp "$T/help2-$c" "$T/help-$c"
done
# Each option an example uses is one its command lists.
for c in $commands; do
	sed -n '/^Examples:$/,$p' "$T/help-$c" | grep -oE 'placebisect [a-z]+( [^#]*)?' |
	while read -r _ sub rest; do
		case $sub in
		bisect|check|measure|compare|profile|layout|report|nightly|history|system|config) ;;
		*) continue ;;
		esac
		for opt in $(echo "$rest" | grep -oE '(^| )--[a-z-]+' | tr -d ' '); do
			grep -qE "^ +(-., )?$opt( |$)" "$T/help-$sub" || grep -q -- "$opt" <(sed -n '/^$/,/^Options:/p' "$T/help-$sub") ||
				echo "FAIL: example 'placebisect $sub $rest' uses $opt, which '$sub --help' does not list"
		done
	done >"$T/bad-options"
done
expect_eq "" "$(cat "$T/bad-options")" "options used by the examples"

# check: --rev is optional (HEAD, as git bisect checks it out).
expect_grep '^usage: placebisect check \[--rev REV\] --bench NAME --baseline FILE' "$T/help-check"
# report: --json, --repo and --config do nothing there: not offered, and refused when given.
expect_eq 0 "$(grep -cE -- '--json|--repo|--config' "$T/help-report")" "report --help offers no --json/--repo/--config"
expect_exit 2 "$PB" report x.json -o x.md --json
expect_eq "placebisect: error: report: --json does not apply to this command (see 'placebisect report --help')" "$(cat "$T/err")" "report --json"
# system: says what each action does; no --repo or --config.
expect_grep '^show \(the default\): ' "$T/help-system"
expect_grep '^tune: ' "$T/help-system"
expect_grep '^reset: ' "$T/help-system"
expect_eq 0 "$(grep -cE -- '--repo|--config' "$T/help-system")" "system --help lists no --repo/--config"
expect_exit 2 "$PB" system show --repo .
expect_eq "placebisect: error: system: --repo does not apply to this command (see 'placebisect system --help')" "$(cat "$T/err")" "system --repo"
# bisect: --resume and --first-parent change nothing: not listed as options, still accepted.
expect_eq 0 "$(grep -cE '^ +--(resume|first-parent)' "$T/help-bisect")" "no-op flags not listed"
expect_grep 'accepted for compatibility' "$T/help-bisect"
expect_exit 0 "$PB" bisect --resume --first-parent --help

finish
