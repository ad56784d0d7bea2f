#!/usr/bin/env bash
# check-layers.sh: the modules' layering holds: every `#include "MOD/…"` names the file's own module
# or one below it, and no two source units (x.c with x.h) import each other, directly or round a loop.
#
#   core < render < measure, layout < profile < bisect < report < nightly < cli, bench
#
# (measure and layout share a rank: neither may include the other.) Files outside these folders
# (tests/, demo/) are not checked. Exit 0 when the layering holds, 1 naming every offending include
# (or the units of a loop), 2 for bad usage.
# Usage: scripts/check-layers.sh [SOURCE_DIR]   (default: the tree this script is in)
set -euo pipefail

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
[ -d "$top" ] || { echo "check-layers.sh: $top: no such directory (give the source tree)" >&2; exit 2; }
cd "$top"

declare -A rank=([core]=0 [render]=1 [measure]=2 [layout]=2 [profile]=3 [bisect]=4 [report]=5
	[nightly]=6 [cli]=7 [bench]=7)

# Unit imports known to close a loop, allowed until they are fixed ("FROM TO": a file of unit FROM
# includes TO's header). None now.
allowed=()

# The unit of a file: x.c and x.h are one unit; a file without a partner named x_y.{c,h} belongs
# to x when x.c exists (repo_git.h is repo.c's private part, session_json.c writes session.h's JSON).
unit_of() {
	local f=${1%.[ch]} base
	if [ ! -e "$f.c" ] || [ ! -e "$f.h" ]; then
		base=${f%_*}
		[ "$base" != "$f" ] && [ -e "$base.c" ] && f=$base
	fi
	echo "$f"
}

status=0
edges=$(mktemp)
trap 'rm -f "$edges" "$edges.x"' EXIT

for mod in "${!rank[@]}"; do
	[ -d "$mod" ] || continue
	while IFS= read -r -d '' file; do
		unit=$(unit_of "$file")
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			[[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([A-Za-z0-9_]+)/([^\"]+)\" ]] || continue
			dep=${BASH_REMATCH[1]} path=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
			[ -n "${rank[$dep]+x}" ] || continue
			if [ "$dep" != "$mod" ] && [ "${rank[$dep]}" -ge "${rank[$mod]}" ]; then
				echo "check-layers: $file:$n: includes \"$path\": $mod may include only modules below it" \
					"(core < render < measure, layout < profile < bisect < report < nightly < cli)" >&2
				status=1
			fi
			dunit=$(unit_of "$path")
			[ "$dunit" = "$unit" ] || echo "$unit $dunit" >>"$edges"
		done <"$file"
	done < <(find "$mod" -type f \( -name '*.c' -o -name '*.h' \) -print0)
done

sort -u -o "$edges" "$edges"
for e in "${allowed[@]}"; do
	if grep -qxF "$e" "$edges"; then
		echo "check-layers: note: known loop edge ${e/ / -> } allowed (see allowed= in $0)"
		grep -vxF "$e" "$edges" >"$edges.x" || true
		mv "$edges.x" "$edges"
	elif compgen -G "${e%% *}.[ch]" >/dev/null; then
		echo "check-layers: the allowed edge ${e/ / -> } is gone: remove it from allowed= in $0" >&2
		status=1
	fi
done

# A loop among units (a.c/a.h includes b.h, b.c/b.h includes a.h): tsort names its members.
loop=$(tsort - <"$edges" 2>&1 >/dev/null) || true
if [ -n "$loop" ]; then
	echo "check-layers: these units import each other (a loop; move what both need into a third):" >&2
	grep -v 'input contains a loop' <<<"$loop" | sed 's/^tsort: /  /' >&2
	status=1
fi

[ "$status" -eq 0 ] && echo "check-layers: the layering holds"
exit "$status"
