#!/bin/bash
# bench/layout.sh: how fast `layout --json` reads a big binary against `nm -S --size-sort`, and how
# fast `layout diff` compares two big builds. Prints figures; not a test (nothing is asserted).
#
# usage: bench/layout.sh [-r REPS] [-n FUNCS] [-p PAIRS] [-R] [-c REF] [PLACEBISECT]
#   PLACEBISECT  the binary to time (default: build-layout/cli/placebisect, then build/cli/...)
#   -r REPS      repetitions per command; the median wall time is reported (default 5)
#   -n FUNCS     functions in each generated program (default 180000: ~100 MB with debug info)
#   -p PAIRS     interleaved pairs per real-binary comparison (default 7)
#   -R           real binaries only (node, two libLLVM builds): skip the largest-ELF search and
#                the generated programs (~4 min to build on 2 cores)
#   -c REF       also check that PLACEBISECT writes byte-identical JSON to REF (another build,
#                e.g. of main) for each real-binary command; exit 1 when one differs
#   BENCH_DIRS   where to look for the largest ELF with a full symbol table (space-separated)
#
# The real binaries come from Debian packages, installed when missing (scripts/install-deps.sh
# --bench, needs root): nodejs (/usr/bin/node: 99 MB with .symtab, ~78k functions) and libllvm14 +
# libllvm15 (two builds of one ~110 MB library, .dynsym only). Each placebisect command is timed
# against nm in pairs run back to back (order alternating), so both see the same load; figures
# are medians, ratios the median of the per-pair ratios, peak memory the max RSS.
set -u
reps=5
nfuncs=180000
pairs=7
real_only=0
ref=""
while getopts "r:n:p:Rc:" o; do
	case $o in
	r) reps=$OPTARG ;;
	n) nfuncs=$OPTARG ;;
	p) pairs=$OPTARG ;;
	R) real_only=1 ;;
	c) ref=$OPTARG ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
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
status=0
has_symtab() { readelf -SW "$1" 2>/dev/null | grep -q ' \.symtab '; }
# Functions at distinct addresses in .symtab (else .dynsym), as layout counts them.
nfunc() {
	readelf -sW "$1" 2>/dev/null | awk '/^Symbol table/ { t = $3 }
		($4 == "FUNC" || $4 == "IFUNC") && $7 != "UND" && !seen[t, $2]++ { n[t]++ }
		END { print (("'"'"'.symtab'"'"'" in n) ? n["'"'"'.symtab'"'"'"] : n["'"'"'.dynsym'"'"'"]) + 0 }'
}
size_mb() { awk -v b="$(stat -L -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# pairs A_ARGS -- B_ARGS: run A and B $pairs times each, back to back, alternating which goes
# first; B may be "CMD1 ;; CMD2" (both run, one after the other, as one sample: two nm runs).
# Prints "a_ms a_kb b_ms b_kb ratio_ms ratio_kb" (medians; ratios are medians of per-pair ratios).
cat >"$work/pairs.py" <<'PY'
import os, subprocess, sys, time
pairs = int(sys.argv[1])
args = sys.argv[2:]
cut = args.index("--")
a, b = args[:cut], args[cut + 1:]
def split(cmd):
    out, cur = [], []
    for x in cmd:
        if x == ";;":
            out.append(cur); cur = []
        else:
            cur.append(x)
    return out + [cur]
def run(cmds):
    t0, kb = time.perf_counter_ns(), 0
    for c in cmds:
        p = subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        kb = max(kb, ru.ru_maxrss)
    return (time.perf_counter_ns() - t0) / 1e6, kb
def med(v):
    v = sorted(v); n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
A, B = split(a), split(b)
ra, rb = [], []
for i in range(pairs):
    if i % 2 == 0:
        ra.append(run(A)); rb.append(run(B))
    else:
        rb.append(run(B)); ra.append(run(A))
print("%.0f %d %.0f %d %.2f %.2f" % (med([x[0] for x in ra]), med([x[1] for x in ra]),
      med([x[0] for x in rb]), med([x[1] for x in rb]),
      med([x[0] / y[0] for x, y in zip(ra, rb)]), med([x[1] / y[1] for x, y in zip(ra, rb)])))
PY

# side WHAT GOAL A_ARGS -- B_ARGS: one comparison, printed as a table row group.
side() {
	local what=$1 goal=$2 r
	shift 2
	r=($(python3 "$work/pairs.py" "$pairs" "$@"))
	printf '  %-58s %7s ms %5s MB\n' "$what" "${r[0]}" "$((r[1] / 1024))"
	printf '  %-58s %7s ms %5s MB\n' "$BNAME" "${r[2]}" "$((r[3] / 1024))"
	printf '  %-58s %7s    %5s     (goal: %s)\n' "ratio (median of the pairs)" "${r[4]}" "${r[5]}" "$goal"
}

# same_json NAME ARGS...: with -c, the JSON of $pb and $ref for ARGS must be byte-identical.
same_json() {
	local name=$1
	shift
	[ -n "$ref" ] || return 0
	"$pb" "$@" -q >"$work/new.json" 2>/dev/null
	"$ref" "$@" -q >"$work/ref.json" 2>/dev/null
	if cmp -s "$work/new.json" "$work/ref.json"; then
		echo "  JSON identical to $ref: $name ($(wc -c <"$work/new.json") bytes)"
	else
		echo "  JSON DIFFERS from $ref: $name"
		status=1
	fi
}

real_binaries() {
	local node l14 l15
	if ! command -v node >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1 ] ||
	   [ ! -e /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1 ]; then
		echo "installing the real binaries (nodejs, libllvm14, libllvm15)..." >&2
		bash "$src/scripts/install-deps.sh" --bench >&2 || true
	fi
	node=$(readlink -f "$(command -v node 2>/dev/null)" 2>/dev/null)
	l14=$(readlink -f /usr/lib/x86_64-linux-gnu/libLLVM-14.so.1 2>/dev/null)
	l15=$(readlink -f /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1 2>/dev/null)
	echo "== real binaries: $pairs interleaved pairs each; load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
	if [ -f "$node" ]; then
		echo "node: $node ($(size_mb "$node") MB, $(nfunc "$node") functions, $(has_symtab "$node" && echo .symtab || echo .dynsym only))"
		BNAME="nm -S --size-sort node"
		side "placebisect layout --json node" "<= 0.50" "$pb" layout --json -q "$node" -- nm -S --size-sort "$node"
		BNAME="nm -S --size-sort node, twice"
		side "placebisect layout diff --json node node" "< 1 s, <= 1.00" "$pb" layout diff --json -q "$node" "$node" -- nm -S --size-sort "$node" ";;" nm -S --size-sort "$node"
		same_json "layout node" layout --json "$node"
		same_json "layout diff node node" layout diff --json "$node" "$node"
	else
		echo "node: not installed (scripts/install-deps.sh --bench installs nodejs)"
	fi
	if [ -f "$l14" ] && [ -f "$l15" ]; then
		echo "libLLVM: $l14 ($(size_mb "$l14") MB) vs $l15 ($(size_mb "$l15") MB), .dynsym only: $(nfunc "$l14") and $(nfunc "$l15") functions"
		BNAME="nm -D -S --size-sort, each library"
		side "placebisect layout diff --json libLLVM-14 libLLVM-15" "< 1 s, <= 1.00" "$pb" layout diff --json -q "$l14" "$l15" -- nm -D -S --size-sort "$l14" ";;" nm -D -S --size-sort "$l15"
		same_json "layout diff libLLVM-14 libLLVM-15" layout diff --json "$l14" "$l15"
		same_json "layout libLLVM-15" layout --json "$l15"
	else
		echo "libLLVM-14/15: not installed (scripts/install-deps.sh --bench installs libllvm14 libllvm15)"
	fi
}

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


real_binaries
[ "$real_only" = 1 ] && exit "$status"

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
exit "$status"
