#!/usr/bin/env bash
# check_layers_test.sh: scripts/check-layers.sh on scratch trees: a clean one passes; an upward
# include, an include between equal ranks, and two units importing each other each fail naming it.
set -uo pipefail
script=${PB_SOURCE_DIR:?}/scripts/check-layers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# tree NAME: a minimal tree with core/, render/, measure/, layout/, report/ that layers well.
tree() {
	local d=$tmp/$1
	mkdir -p "$d"/{core,render,measure,layout,report}
	printf '#include "core/buf.h"\n' >"$d/core/buf.c"; : >"$d/core/buf.h"
	printf '#include "render/table.h"\n#include "core/buf.h"\n' >"$d/render/table.c"; : >"$d/render/table.h"
	printf '#include "render/table.h"\n#include "measure/stats.h"\n' >"$d/measure/stats.c"; : >"$d/measure/stats.h"
	printf '#include "layout/elf.h"\n' >"$d/layout/elf.c"; : >"$d/layout/elf.h"
	printf '#include "report/a.h"\n#include "report/b.h"\n#include "measure/stats.h"\n' >"$d/report/a.c"
	: >"$d/report/a.h"; : >"$d/report/b.h"; printf '#include "report/b.h"\n' >"$d/report/b.c"
	echo "$d"
}

# expect NAME WANT_RC GREP: run the script on tree NAME, check its exit code and that its output has GREP.
expect() {
	local out rc=0
	out=$(bash "$script" "$tmp/$1" 2>&1) || rc=$?
	if [ "$rc" != "$2" ] || ! grep -qF -- "$3" <<<"$out"; then
		echo "FAIL: $1: expected exit $2 and '$3', got exit $rc:"; sed 's/^/  /' <<<"$out"
		fails=$((fails + 1))
	else
		echo "ok: $1"
	fi
}

tree clean >/dev/null
expect clean 0 'the layering holds'

d=$(tree upward); printf '#include "report/a.h"\n' >>"$d/measure/stats.c"
expect upward 1 'measure/stats.c:3: includes "report/a.h"'

d=$(tree same_rank); printf '#include "layout/elf.h"\n' >>"$d/measure/stats.c"
expect same_rank 1 'measure/stats.c:3: includes "layout/elf.h"'

d=$(tree loop); printf '#include "report/a.h"\n' >>"$d/report/b.c"
expect loop 1 'report/a'

[ "$fails" -eq 0 ] || exit 1
