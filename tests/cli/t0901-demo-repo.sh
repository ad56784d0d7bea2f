#!/usr/bin/env bash
# scripts/make-demo-repo.sh: the same hashes on every run, and exactly one commit in v1.0..v1.1
# that makes call_method slower by code placement alone (cachegrind: same Ir, I1 misses x10+).
# labels: slow
source "$PB_SOURCE_DIR/tests/cli/lib.sh"

command -v cc >/dev/null || skip "no C compiler (cc) to build the demo"
command -v make >/dev/null || skip "make is not installed"
command -v valgrind >/dev/null || skip "valgrind is not installed (needed for cachegrind)"
# The demo's Makefile takes the optimisation flags from CFLAGS in the environment.
unset CFLAGS LDFLAGS MAKEFLAGS

gen="$PB_SOURCE_DIR/scripts/make-demo-repo.sh"
N=20000 # call_method iterations under cachegrind: ~0.5 s per run

# Reproducible: two runs give the same commits, and these exact hashes.
expect_exit 0 bash "$gen" a
expect_exit 0 bash "$gen" b
for t in v1.0 v1.1 v1.2 HEAD; do
	expect_eq "$(git -C a rev-parse "$t^{commit}")" "$(git -C b rev-parse "$t^{commit}")" "$t in both runs"
done
expect_eq d37c9df147383785de2ca82c20ad45a6753c2d8e "$(git -C a rev-parse 'v1.0^{commit}')" "hash of v1.0"
expect_eq 39a4421f1b7edfae67bb578bd4d70c19d7e49fd7 "$(git -C a rev-parse 'v1.1^{commit}')" "hash of v1.1"
expect_eq bc0aedcfc31938b6ad051f89a26f57a32c80780b "$(git -C a rev-parse 'v1.2^{commit}')" "hash of v1.2"
expect_eq 47 "$(git -C a rev-list --count HEAD)" "commits"
expect_eq 16 "$(git -C a rev-list --count v1.0..v1.1)" "commits in v1.0..v1.1"
expect_eq 4 "$(git -C a log --format=%an | sort -u | wc -l | tr -d ' ')" "authors"
expect_eq "" "$(git -C a status --porcelain)" "clean work tree"

# The committed placebisect.json is a valid configuration.
expect_exit 0 "$PB" config --config a/placebisect.json
expect_grep 'placebisect.json is valid' err

# DIR must be new or empty.
expect_exit 2 bash "$gen" a
expect_grep 'a exists and is not empty' err
expect_exit 2 bash "$gen"
expect_grep '^usage:' err

# measure REV [CC]: build REV in a scratch clone (never in the generated repository) as
# bin.REV, run call_method under cachegrind, print "Ir I1mr".
git clone -q a scratch
measure() {
	local rev=$1 cc=${2:-cc} out
	git -C scratch checkout -q "$rev" || return 1
	make -C scratch -s clean >/dev/null 2>&1
	make -C scratch -s -j2 CC="$cc" >build.log 2>&1 || { sed 's/^/  build: /' build.log >&2; return 1; }
	[ ! -s build.log ] || { echo "warnings building $rev:" >&2; cat build.log >&2; return 1; }
	cp scratch/minivm "bin.$rev"
	out=cg.$rev.$cc
	valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 \
		--LL=8388608,16,64 --cachegrind-out-file="$out" "./bin.$rev" call_method "$N" \
		>/dev/null 2>cg.log || { cat cg.log >&2; return 1; }
	# "events: Ir I1mr ..." names the columns of "summary: ...".
	awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i }
	     /^summary:/ { print $col["Ir"], $col["I1mr"] }' "$out"
}

v10=$(git -C a rev-parse v1.0) v11=$(git -C a rev-parse v1.1) v12=$(git -C a rev-parse v1.2)
revs=("$v10" $(git -C a rev-list --reverse v1.0..v1.1) "$v12")
declare -A IR I1
for r in "${revs[@]}"; do
	m=$(measure "$r") || { echo "FAIL: cannot build or measure $r"; fails=$((fails + 1)); finish; exit; }
	read -r "IR[$r]" "I1[$r]" <<<"$m"
	printf '%-12.12s Ir %s I1mr %s  %s\n' "$r" "${IR[$r]}" "${I1[$r]}" \
		"$(git -C a log -1 --format=%s "$r")"
done

# Exactly one step: every commit before the culprit is like v1.0, every one from it on like v1.1.
culprit= steps=0 prev=$v10
for r in "${revs[@]:1:${#revs[@]}-2}"; do
	if [ $((${I1[$r]} >= 10 * ${I1[$v10]})) = 1 ] && [ $((${I1[$prev]} >= 10 * ${I1[$v10]})) = 0 ]; then
		culprit=$r
		steps=$((steps + 1))
	fi
	prev=$r
done
expect_eq 1 "$steps" "commits in v1.0..v1.1 where I1 misses jump"
expect_eq e0d12e30c64e571374701cbaf74241a200abffdb "$culprit" "culprit"
parent=$(git -C a rev-parse "$culprit^")
for r in "${revs[@]}"; do
	if [ "$(git -C a merge-base --is-ancestor "$culprit" "$r" && echo after)" = after ] &&
		[ "$r" != "$v12" ]; then
		expect_eq 1 $((${I1[$r]} >= 10 * ${I1[$parent]})) "I1mr of $r (${I1[$r]}) >= 10x the parent's (${I1[$parent]})"
	else
		expect_eq 1 $((${I1[$r]} * 2 <= ${I1[$parent]} * 3)) "I1mr of $r (${I1[$r]}) like v1.0's (${I1[$parent]})"
	fi
	# Same instructions within 0.1%: nothing on the benchmark's path changed.
	expect_eq 1 $((${IR[$r]} * 1000 <= ${IR[$v10]} * 1001 && ${IR[$r]} * 1001 >= ${IR[$v10]} * 1000)) \
		"Ir of $r (${IR[$r]}) within 0.1% of v1.0's (${IR[$v10]})"
done
expect_eq 1 $((${I1[$v11]} >= 10 * ${I1[$v10]} && ${I1[$v11]} >= 10 * ${I1[$v12]})) "v1.1 vs v1.0 and v1.2"

# The same with the other usual compiler, when there is one: the layout does not depend on it.
for other in clang gcc; do
	command -v "$other" >/dev/null && ! cc --version 2>/dev/null | grep -qi "$other" || continue
	declare -A OI OIR
	for r in "$v10" "$parent" "$culprit" "$v11" "$v12"; do
		m=$(measure "$r" "$other") || { echo "FAIL: cannot build $r with $other"; fails=$((fails + 1)); continue 2; }
		read -r "OIR[$r]" "OI[$r]" <<<"$m"
		expect_eq 1 $((${OIR[$r]} * 1000 <= ${OIR[$v10]} * 1001 && ${OIR[$r]} * 1001 >= ${OIR[$v10]} * 1000)) \
			"$other: Ir of $r (${OIR[$r]}) within 0.1% of v1.0's (${OIR[$v10]})"
	done
	printf '%s: I1mr v1.0 %s parent %s culprit %s v1.1 %s v1.2 %s\n' "$other" "${OI[$v10]}" \
		"${OI[$parent]}" "${OI[$culprit]}" "${OI[$v11]}" "${OI[$v12]}"
	expect_eq 1 $((${OI[$culprit]} >= 10 * ${OI[$parent]} && ${OI[$v11]} >= 10 * ${OI[$v10]} &&
		${OI[$v11]} >= 10 * ${OI[$v12]})) "$other: I1 misses x10 at the culprit and v1.1"
	break
done

# The culprit touches only cold code: one file, and every hot function keeps its size.
expect_eq "src/errors.c" "$(git -C a show --format= --name-only "$culprit")" "files of the culprit"
hot='vm_run|op_[a-z_0-9]+|type_lookup|obj_getattr|obj_setattr|dict_set|frame_push|args_copy|frame_pop'
hot_sizes() { # BINARY: "name size" of the hot functions (not their *_error reporters)
	nm -S "$1" | awk -v hot="^($hot)\$" '$4 ~ hot && $4 !~ /_error$/ { print $4, $2 }' | sort
}
if command -v nm >/dev/null; then
	expect_eq "$(hot_sizes "bin.$parent")" "$(hot_sizes "bin.$culprit")" "hot functions and sizes, parent vs culprit"
	expect_eq 1 $(($(hot_sizes "bin.$culprit" | wc -l) >= 30)) "at least 30 hot functions"
fi

# By construction: the hot functions' lines fill one L1i set (64 sets of 64 B) in the bad builds.
if command -v nm >/dev/null; then
	max_lines_per_set() { # BINARY: the most distinct hot 64-byte lines that map to one set
		nm "$1" | awk -v hot="^($hot)\$" '$3 ~ hot && $3 !~ /_error$/ { print $1 }' | sort -u |
			while read -r a; do echo $(((16#$a >> 6) % 64)) $((16#$a >> 6)); done |
			sort -u | awk '{ n[$1]++ } END { for (s in n) if (n[s] > m) m = n[s]; print m }'
	}
	for r in "$v10" "$parent" "$v12"; do
		expect_eq 1 $(($(max_lines_per_set "bin.$r") <= 8)) "hot lines per L1i set in $r fit 8 ways"
	done
	for r in "$culprit" "$v11"; do
		expect_eq 1 $(($(max_lines_per_set "bin.$r") > 8)) "hot lines per L1i set in $r exceed 8 ways"
	done
fi
finish
