#!/usr/bin/env bash
# bench/demo-wall.sh in a cheap mode (2 runs of 20000 iterations, one compiler): it still builds
# the three tags and reads what `measure` writes and `compare` prints. Its figures are not
# checked (a benchmark asserts nothing); the lines that carry them are.
# labels: slow
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the demo"
command -v make >/dev/null || skip "make is not installed"
command -v jq >/dev/null || skip "jq is not installed"

expect_exit 0 env PB="$PB" COMPILERS=cc bash "$PB_SOURCE_DIR/bench/demo-wall.sh" 2 20000
cp "$T/out" wall.txt
expect_grep '^demo-wall: minivm call_method 20000, 2 runs per build' wall.txt
expect_grep '^cc \(' wall.txt
for build in 'v1.0 \(good\)' 'v1.1 \(bad\)' 'v1.2 \(fixed\)'; do
	expect_grep "^  $build +median +[0-9.]+ ms  95% CI \[[0-9.]+, [0-9.]+\] ms$" wall.txt
done
for ratio in v1.1/v1.0 v1.2/v1.0; do
	expect_grep "^  $ratio  median ratio [0-9.]+  95% CI \[[0-9.]+, [0-9.]+\]  p [0-9.e-]+  [a-z]+$" wall.txt
done
finish
