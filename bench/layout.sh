#!/bin/bash
# bench/layout.sh: how fast `layout --json` reads a big binary against `nm -S --size-sort`, and how
# fast `layout diff` compares two big builds. Prints figures; not a test (nothing is asserted).
#
# usage: bench/layout.sh [-r REPS] [-n FUNCS] [PLACEBISECT]
#   PLACEBISECT  the binary to time (default: build-layout/cli/placebisect, then build/cli/...)
#   -r REPS      repetitions per command; the median wall time is reported (default 5)
#   -n FUNCS     functions in each generated program (default 180000: ~100 MB with debug info)
#   BENCH_DIRS   where to look for the largest ELF with a full symbol table (space-separated)
set -u
reps=5
nfuncs=180000
while getopts "r:n:" o; do
	case $o in
	r) reps=$OPTARG ;;
	n) nfuncs=$OPTARG ;;
	*) sed -n '2,10p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
src=$(cd "$(dirname "$0")/.." && pwd)
pb=${1:-}
for c in "$pb" "$src/build-layout/cli/placebisect" "$src/build/cli/placebisect"; do
	[ -n "$c" ] && [ -x "$c" ] && pb=$c && break
done
[ -x "$pb" ] || { echo "no placebisect binary: build it or pass its path" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pbbench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# median_ms CMD...: run CMD $reps times (output discarded), print the median wall time in ms.
median_ms() {
	local i t0 t1
	for ((i = 0; i < reps; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

has_symtab() { readelf -SW "$1" 2>/dev/null | grep -q ' \.symtab '; }
nfunc() { readelf -sW "$1" 2>/dev/null | awk '$4 == "FUNC" && $7 != "UND"' | wc -l; }

# The largest ELF with a .symtab among the usual places (and the build tree).
dirs=${BENCH_DIRS:-"/usr/lib/debug /usr/bin /usr/sbin /usr/lib /usr/lib/x86_64-linux-gnu /usr/local/bin /usr/local/lib /opt $HOME/.rustup/toolchains $src"}
big=""
for f in $(find $dirs -xdev -type f -size +4M 2>/dev/null | xargs -r ls -S 2>/dev/null); do
	[ "$(head -c 4 "$f" 2>/dev/null)" = $'\177ELF' ] || continue
	if has_symtab "$f"; then
		big=$f
		break
	fi
done

# A generated program: many small functions in several translation units (compiled in parallel),
# after a cold block; with debug info, so the file is big (~100 MB at 180000 functions, ~4 min to
# build on 2 cores). The "bad" build grows the cold block by 8 KiB and edits every 97th function of
# the first unit: it relinks the same objects but two.
cat >"$work/gen.py" <<'PY'
import sys
n, units, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
per = (n + units - 1) // units
for u in range(units):
    for variant in ((0, 1) if u == 0 else (0,)):
        with open("%s/u%d_%d.c" % (out, u, variant), "w") as f:
            f.write("extern volatile int sink;\n")
            for i in range(u * per, min(n, (u + 1) * per)):
                k = i * 7 + (variant if i % 97 == 0 else 0)
                f.write("int f%d(int x);\n" % max(i - 1, 0))
                f.write("__attribute__((noinline)) int f%d(int x) { int s = %d; for (int i = 0; i < x; i++) "
                        "s += (i ^ %d) * sink; return s + (x > %d ? f%d(x - 1) : 0); }\n"
                        % (i, k, i & 255, i % 13, max(i - 1, 0)))
for variant, pad in ((0, 16), (1, 8208)):
    with open("%s/cold_%d.c" % (out, variant), "w") as f:
        f.write("volatile int sink;\nint f%d(int x);\n" % (n - 1))
        f.write("__attribute__((cold, noinline)) void cold_block(void) { sink = 1; "
                "__asm__ volatile(\".rept %d\\n int3\\n .endr\"); }\n" % pad)
        f.write("int main(int argc, char **argv) { (void)argv; if (argc > 99) cold_block(); "
                "return f%d(argc); }\n" % (n - 1))
PY
gen=""
units=16
if command -v cc >/dev/null && command -v python3 >/dev/null; then
	echo "building two generated programs with $nfuncs functions each (cc -O1 -g, $units units)..." >&2
	python3 "$work/gen.py" "$nfuncs" "$units" "$work"
	# Objects that differ between the builds: the cold unit and the edited functions' units.
	if (cd "$work" && ls u*_[01].c cold_[01].c | xargs -P "$(nproc)" -I{} sh -c 'cc -O1 -g -c {} -o $(basename {} .c).o') &&
	   rest=$(cd "$work" && ls u*_0.o | grep -v '^u0_' | sort -V) &&
	   (cd "$work" && cc -o gen_a cold_0.o u0_0.o $rest && cc -o gen_b cold_1.o u0_1.o $rest); then
		gen="$work/gen_a"
	fi
fi
[ -n "$big" ] || big=$gen
[ -n "$big" ] || { echo "no ELF with a symbol table found and no compiler to build one" >&2; exit 2; }

size_mb() { awk -v b="$(stat -L -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
report() { # report WHAT FILE
	local f=$2 pb_ms nm_ms
	echo "== $1: $f ($(size_mb "$f") MB, $(nfunc "$f") FUNC symbols)"
	pb_ms=$(median_ms "$pb" layout "$f" --json -q)
	nm_ms=$(median_ms nm -S --size-sort "$f")
	echo "placebisect layout --json : ${pb_ms} ms (median of $reps)"
	echo "nm -S --size-sort         : ${nm_ms} ms (median of $reps)"
	awk -v a="$pb_ms" -v b="$nm_ms" 'BEGIN { if (b > 0) printf "ratio layout/nm           : %.2f (goal <= 0.50)\n", a / b }'
}
report "largest ELF with .symtab" "$big"
if [ -n "$gen" ] && [ "$gen" != "$big" ]; then
	report "generated program" "$gen"
fi
if [ -n "$gen" ]; then
	echo "== layout diff of two generated builds (cold code grew 8 KiB; every 97th function of one unit edited)"
	echo "good: $work/gen_a ($(size_mb "$work/gen_a") MB), bad: $work/gen_b ($(size_mb "$work/gen_b") MB)"
	echo "placebisect layout diff --json: $(median_ms "$pb" layout diff "$work/gen_a" "$work/gen_b" --json -q) ms (median of $reps; goal < 1000 ms for 100 MB binaries)"
	"$pb" layout diff "$work/gen_a" "$work/gen_b" --json -q 2>/dev/null | { command -v jq >/dev/null && jq -c .summary || head -c 0; }
fi
# Two builds of one big library, when the machine has them: BENCH_PAIR="A B", two rustup
# toolchains' LLVM (full .symtab), two system LLVM versions (.dynsym only).
real_pair() { # real_pair A B
	[ -f "$1" ] && [ -f "$2" ] || return 0
	echo "== layout diff of two real builds: $1 ($(size_mb "$1") MB, $(nfunc "$1") FUNC) vs $2 ($(size_mb "$2") MB)"
	echo "placebisect layout diff --json: $(median_ms "$pb" layout diff "$1" "$2" --json -q) ms (median of $reps)"
	"$pb" layout diff "$1" "$2" --json -q 2>/dev/null | { command -v jq >/dev/null && jq -c .summary || head -c 0; }
}
if [ -n "${BENCH_PAIR:-}" ]; then
	real_pair ${BENCH_PAIR}
fi
pair=()
for f in "$HOME"/.rustup/toolchains/*/lib/libLLVM*.so*; do
	[ -f "$f" ] && has_symtab "$f" && pair+=("$f")
done
[ ${#pair[@]} -ge 2 ] && real_pair "${pair[0]}" "${pair[1]}"
pair=($(for f in /usr/lib/x86_64-linux-gnu/libLLVM-[0-9]*.so.1; do [ -f "$f" ] && readlink -f "$f"; done | sort -u))
[ ${#pair[@]} -ge 2 ] && real_pair "${pair[0]}" "${pair[1]}"
exit 0
