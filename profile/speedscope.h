/* speedscope.h: a profile's call stacks as a speedscope file (https://www.speedscope.app/file-format-schema.json). */
#ifndef PB_PROFILE_SPEEDSCOPE_H
#define PB_PROFILE_SPEEDSCOPE_H

#include "core/buf.h"
#include "profile/profile.h"

/*
 * p's call stacks (p->stacks, the ones the folded file and the flame graph are drawn from) as one
 * speedscope "sampled" profile into `out` (appended): shared.frames holds each function name once
 * (in the order the stacks first name them), each distinct stack is one sample (frame indexes,
 * root first) with its count as weight (unit "none"), so the weights add up to the samples that
 * have a stack, and endValue is that sum. `name` names the profile and the file. Never fails.
 */
void pb_profile_write_speedscope(const struct pb_profile *p, const char *name, struct pb_buf *out);

#endif
