/* repeat.h: whether a metric taken as exact (cachegrind) gave one revision the same value twice. */
#ifndef PB_MEASURE_REPEAT_H
#define PB_MEASURE_REPEAT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Two runs of one revision under a backend whose counts are taken as exact. A deterministic
 * benchmark gives the same value twice; one that is not (a time-seeded hash such as Lua 5.4's
 * luai_makeseed, addresses, threads) gives two, and one value per revision could then decide on
 * that noise. Every command that takes one run of a revision as its value checks this with one
 * extra run of one revision (the command's function comment says which).
 */
struct pb_repeat {
	const char *what;        /* "good commit 1a2b3c4": borrowed, for the message */
	double v[2];             /* the two runs, in the order taken */
	double spread;           /* |v1 - v0| / min(v0, v1); INFINITY when they differ and min <= 0 */
	bool same;               /* v[0] == v[1] */
};

/* Fill *r from the two runs v0, v1 of `what` (borrowed). Returns r->same. */
bool pb_repeat_check(struct pb_repeat *r, const char *what, double v0, double v1);

/* What a command does when a revision's runs differ. */
enum pb_repeat_action {
	PB_REPEAT_STATISTICS,    /* judged with statistics over repeated runs instead */
	PB_REPEAT_REFUSE,        /* cannot be judged on one value per build: the command stops */
};

/*
 * The sentence that says so, naming every r[k] whose two runs differed (with both values and the
 * spread), the consequence (`act`; `command` names who refuses, e.g. "layouts") and the fix:
 * "cachegrind gave two different counts for good commit 1a2b3c4 (409,812,345 vs 420,634,001,
 * 2.6%): the benchmark is not deterministic (...), so it is judged with statistics over repeated
 * runs, not exactly. To make it exact, ...". PB_REPEAT_REFUSE starts "unstable: cachegrind counts
 * of ... are not repeatable (...)". NULL when every r[k] was the same. Returns a malloc'd string
 * (caller frees).
 */
char *pb_repeat_message(const char *backend, const struct pb_repeat *r, size_t n,
			enum pb_repeat_action act, const char *command);

/*
 * For a command that cannot judge on one value per build: 0 when `what`'s two runs v0, v1 are the
 * same, else -1 with the PB_REPEAT_REFUSE message recorded as a PB_EXIT_INCONCLUSIVE error.
 */
int pb_repeat_require(const char *backend, const char *what, double v0, double v1,
		      const char *command);

/* The larger spread of r[0..n-1]. */
double pb_repeat_spread(const struct pb_repeat *r, size_t n);

#endif
