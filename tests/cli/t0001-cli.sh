#!/usr/bin/env bash
# The command table: help, version, unknown commands and options, the one-liner form.
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

expect_exit 0 "$PB" --help
for c in bisect check measure compare profile layout report nightly history system config; do
	expect_grep "^  $c " out
done
expect_exit 2 "$PB"
expect_grep '^usage: placebisect COMMAND' err

expect_exit 0 "$PB" --version
expect_grep '^placebisect [0-9]+\.[0-9]+\.[0-9]+$' out

expect_exit 2 "$PB" bisec
expect_eq "placebisect: 'bisec' is not a command. Did you mean 'bisect'? See 'placebisect --help'." "$(cat err)" "unknown command message"
expect_exit 2 "$PB" frobnicate
expect_eq "placebisect: 'frobnicate' is not a command. See 'placebisect --help'." "$(cat err)" "no suggestion"

for c in bisect check measure compare profile layout report nightly history system config; do
	expect_exit 0 "$PB" "$c" --help
	expect_grep "^usage: placebisect $c " out
	# --json where it applies (a report is markdown: t0514 checks it is not offered there)
	[ "$c" = report ] || expect_grep '--json' out
done
expect_exit 0 "$PB" help config
expect_grep '^usage: placebisect config' out

expect_exit 2 "$PB" config --jsn
expect_eq "placebisect: error: config: unknown option '--jsn'; did you mean '--json'? (see 'placebisect config --help')" "$(cat err)" "unknown option"
expect_exit 2 "$PB" config --output
expect_eq "placebisect: error: config: --output needs a value (FILE)" "$(cat err)" "missing value"
expect_exit 2 "$PB" config --json=yes
expect_eq "placebisect: error: config: --json takes no value" "$(cat err)" "flag with value"

finish
