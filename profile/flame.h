/* flame.h: a flame graph (SVG) drawn from folded call stacks. */
#ifndef PB_PROFILE_FLAME_H
#define PB_PROFILE_FLAME_H

#include "core/buf.h"

/* Levels of frames drawn at most (above "all"): deeper frames are left out, and a line says so. */
#define PB_FLAME_MAX_LEVELS 64

/*
 * Draw `folded` (lines "root;caller;leaf COUNT", the format flamegraph.pl reads; empty lines are
 * skipped) as a flame graph into `out`: a bar "all" at the bottom, each frame above its caller,
 * as wide as its samples, equal frames of one caller merged, siblings in name order. Every frame
 * has a tooltip "name: N samples (S%)"; names are written inside frames wide enough to hold some of
 * them, cut with ".." to the frame's width. `title` heads the picture. The picture is as tall as
 * its deepest frame wide enough to see (at least 0.1 px), at most PB_FLAME_MAX_LEVELS levels.
 * It carries a script (profile/flame.js, like flamegraph.pl's): a click on a frame zooms into it,
 * "Reset Zoom" undoes it, "Search" (or Ctrl-F, or ?s=REGEX in the URL) highlights the frames
 * whose name matches and shows the samples they hold; where scripts do not run (an <img>, GitHub)
 * it is the same picture without those controls. A line without a count is an error naming the line (class
 * PB_EXIT_USAGE). Returns 0 or -1 (out then holds nothing new).
 */
int pb_flame_svg(struct pb_buf *out, const char *folded, const char *title);

#endif
