/* flame.h: a flame graph (SVG) drawn from folded call stacks. */
#ifndef PB_PROFILE_FLAME_H
#define PB_PROFILE_FLAME_H

#include "core/buf.h"

/*
 * Draw `folded` (lines "root;caller;leaf COUNT", the format flamegraph.pl reads; empty lines are
 * skipped) as a flame graph into `out`: a bar "all" at the bottom, each frame above its caller,
 * as wide as its samples, equal frames of one caller merged, siblings in name order. Every frame
 * has a tooltip "name: N samples (S%)"; names are written inside frames wide enough to hold some of
 * them. `title` heads the picture. A line without a count is an error naming the line (class
 * PB_EXIT_USAGE). Returns 0 or -1 (out then holds nothing new).
 */
int pb_flame_svg(struct pb_buf *out, const char *folded, const char *title);

#endif
