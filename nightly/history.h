/* history.h: the nightly history directory: one measurement file per point, an index, a lock. */
#ifndef PB_NIGHTLY_HISTORY_H
#define PB_NIGHTLY_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/repo.h"
#include "core/buf.h"
#include "core/schema.h"
#include "measure/result.h"

#define PB_HISTORY_SCHEMA "placebisect.history/1"

/* The keys, types and ranges a history index promises (core/schema.h). */
extern const struct pb_schema pb_history_schema;
#define PB_HISTORY_VERSION 1

/*
 * DIR/index.json     placebisect.history/1: entries[] (one per measured point, in the order they
 *                    were recorded) and alerts[] (regressions found, open or recovered)
 * DIR/measurements/BENCH/MACHINE-CONFIG/COMMIT.json   placebisect.measurement/1 of that point
 * DIR/lock           held by the process writing the history (its pid inside)
 * A series is the entries of one (benchmark, machine, config) key, in recording order.
 */

struct pb_history_entry {
	char commit[PB_OID_HEX];
	char *benchmark, *machine, *config; /* config: the hash of what determines a measurement */
	char *subject, *date;               /* the commit's */
	char *metric, *backend;
	char *file;         /* the measurement file, relative to the history directory */
	double median;      /* of the ok runs */
	int64_t runs;       /* ok runs */
	uint64_t text_hash; /* of the binary's .text; 0: unknown */
	int64_t recorded;   /* Unix time */
};

enum pb_alert_status { PB_ALERT_OPEN, PB_ALERT_RECOVERED, PB_ALERT_SEEDED };
const char *pb_alert_status_name(enum pb_alert_status s); /* "open" "recovered" "seeded" */

/* A regression, alerted once; `seeded` ones were found while backfilling and never alerted. */
struct pb_history_alert {
	char *benchmark, *machine, *config;
	char good[PB_OID_HEX];     /* the last point before the change */
	char bad[PB_OID_HEX];      /* the first point after it */
	char detected[PB_OID_HEX]; /* the point whose run found it */
	enum pb_alert_status status;
	double before, after;      /* the levels (medians) either side */
	char *culprit;             /* the bisected commit; NULL when none was found */
	char *bisect, *report;     /* files relative to the history directory; NULL when none */
};

struct pb_history {
	char *dir;
	int lock_fd; /* -1 when opened for reading */
	struct pb_history_entry *entries;
	size_t n_entries, cap_entries;
	struct pb_history_alert *alerts;
	size_t n_alerts, cap_alerts;
};

/*
 * Open the history in `dir`. For writing (`lock_wait` >= 0): create the directory if missing and
 * take its lock, waiting up to lock_wait seconds for another process (then an error naming its
 * pid, class PB_EXIT_ENV). For reading (lock_wait < 0): no lock (files are replaced atomically),
 * and a missing index is an error. An index that does not parse, lacks a key, or has a newer
 * schema is refused (class PB_EXIT_USAGE, naming the file and the key) and left as it is.
 * Release with pb_history_close() in either case. Returns 0 or -1.
 */
int pb_history_open(struct pb_history *h, const char *dir, double lock_wait);
void pb_history_close(struct pb_history *h);

/* Write the index atomically. Returns 0 or -1 (class PB_EXIT_ENV, naming the file). */
int pb_history_save(const struct pb_history *h);

/*
 * Record a point: write `m` as its measurement file (atomically) and add `e` (moved in: its
 * strings now belong to the history; e->file is set here) to the index, replacing the entry of
 * the same key and commit. Then save the index. Returns 0 or -1.
 */
int pb_history_record(struct pb_history *h, struct pb_history_entry *e, const struct pb_measurement *m);

/* The index of the entry of this key and commit, or -1. */
long pb_history_find(const struct pb_history *h, const char *bench, const char *machine,
		     const char *config, const char *commit);

/* The entries of one series, oldest first, as indices into h->entries (caller frees; *n may be 0). */
size_t *pb_history_series(const struct pb_history *h, const char *bench, const char *machine,
			  const char *config, size_t *n);

/* The ok runs' values of an entry, read from its measurement file (caller frees). Returns 0 or -1. */
int pb_history_values(const struct pb_history *h, const struct pb_history_entry *e, double **v,
		      size_t *n);

/* Append `s` as a file name component: anything but [A-Za-z0-9_-] becomes '_'. */
void pb_history_put_safe(struct pb_buf *b, const char *s);

/* A new alert at the end of h->alerts, zeroed but for the key (copied). */
struct pb_history_alert *pb_history_add_alert(struct pb_history *h, const char *bench,
					      const char *machine, const char *config);

#endif
