/* history.c: the nightly history: a locked directory of measurement files and an atomically replaced index. */
#include "nightly/history.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/error.h"
#include "core/json.h"
#include "core/lock.h"

const char *pb_alert_status_name(enum pb_alert_status s)
{
	return s == PB_ALERT_OPEN ? "open" : s == PB_ALERT_RECOVERED ? "recovered" : "seeded";
}

static void entry_release(struct pb_history_entry *e)
{
	free(e->benchmark);
	free(e->machine);
	free(e->config);
	free(e->subject);
	free(e->date);
	free(e->metric);
	free(e->backend);
	free(e->file);
	memset(e, 0, sizeof(*e));
}

static void alert_release(struct pb_history_alert *a)
{
	free(a->benchmark);
	free(a->machine);
	free(a->config);
	free(a->culprit);
	free(a->bisect);
	free(a->report);
	memset(a, 0, sizeof(*a));
}

void pb_history_close(struct pb_history *h)
{
	size_t i;

	for (i = 0; i < h->n_entries; i++)
		entry_release(&h->entries[i]);
	for (i = 0; i < h->n_alerts; i++)
		alert_release(&h->alerts[i]);
	free(h->entries);
	free(h->alerts);
	if (h->lock_fd >= 0)
		close(h->lock_fd); /* releases the lock */
	free(h->dir);
	memset(h, 0, sizeof(*h));
	h->lock_fd = -1;
}

static char *index_path(const struct pb_history *h)
{
	return pb_xasprintf("%s/index.json", h->dir);
}

/* ---- Reading the index ---- */

struct reader {
	const char *path;
	const char *array; /* "entries" or "alerts" */
	size_t i;
};

static int damaged(const struct reader *r, const char *key, const char *what)
{
	return pb_error("%s: %s[%zu]%s%s: %s; the history index is damaged (it is left as it is): "
			"restore it from a copy, or start a new --history directory", r->path, r->array,
			r->i, *key ? "." : "", key, what);
}

static int get_str(const struct reader *r, const struct pb_json *o, const char *key, bool optional,
		   char **out)
{
	const struct pb_json *v = pb_json_get(o, key);

	*out = NULL;
	if ((!v || pb_json_type(v) == PB_JSON_NULL) && optional)
		return 0;
	if (pb_json_type(v) != PB_JSON_STRING)
		return damaged(r, key, v ? "expected a string" : "missing");
	*out = pb_xstrdup(pb_json_string(v, ""));
	return 0;
}

static int get_commit(const struct reader *r, const struct pb_json *o, const char *key,
		      char out[PB_OID_HEX])
{
	const char *s = pb_json_string(pb_json_get(o, key), NULL);
	size_t i;

	for (i = 0; s && i < PB_OID_HEX - 1 && isxdigit((unsigned char)s[i]); i++)
		;
	if (!s || i != PB_OID_HEX - 1 || s[i])
		return damaged(r, key, "expected a commit id (40 hex digits)");
	memcpy(out, s, PB_OID_HEX);
	return 0;
}

static int get_num(const struct reader *r, const struct pb_json *o, const char *key, double *out)
{
	const struct pb_json *v = pb_json_get(o, key);

	/* null stands for a number JSON cannot hold (NaN) */
	if (v && pb_json_type(v) == PB_JSON_NULL) {
		*out = NAN;
		return 0;
	}
	if (pb_json_type(v) != PB_JSON_NUMBER)
		return damaged(r, key, v ? "expected a number" : "missing");
	*out = pb_json_number(v, 0);
	return 0;
}

static int read_entry(const struct reader *r, const struct pb_json *o, struct pb_history_entry *e)
{
	char *hash = NULL;
	double runs, recorded;
	int ret = -1;

	if (pb_json_type(o) != PB_JSON_OBJECT)
		return damaged(r, "", "expected an object");
	if (get_commit(r, o, "commit", e->commit) || get_str(r, o, "benchmark", false, &e->benchmark) ||
	    get_str(r, o, "machine", false, &e->machine) || get_str(r, o, "config", false, &e->config) ||
	    get_str(r, o, "subject", true, &e->subject) || get_str(r, o, "date", true, &e->date) ||
	    get_str(r, o, "metric", false, &e->metric) || get_str(r, o, "backend", false, &e->backend) ||
	    get_str(r, o, "file", false, &e->file) || get_num(r, o, "median", &e->median) ||
	    get_num(r, o, "runs", &runs) || get_num(r, o, "recorded", &recorded) ||
	    get_str(r, o, "text_hash", true, &hash))
		goto out;
	e->runs = (int64_t)runs;
	e->recorded = (int64_t)recorded;
	if (hash && sscanf(hash, "%16" SCNx64, &e->text_hash) != 1) {
		damaged(r, "text_hash", "expected 16 hex digits");
		goto out;
	}
	/* A file outside the directory would let an index read (or a report link) anything. */
	if (e->file[0] == '/' || strstr(e->file, "..")) {
		damaged(r, "file", "expected a path inside the history directory");
		goto out;
	}
	ret = 0;
out:
	free(hash);
	return ret;
}

static int read_alert(const struct reader *r, const struct pb_json *o, struct pb_history_alert *a)
{
	char *status = NULL;
	int ret = -1;

	if (pb_json_type(o) != PB_JSON_OBJECT)
		return damaged(r, "", "expected an object");
	if (get_str(r, o, "benchmark", false, &a->benchmark) ||
	    get_str(r, o, "machine", false, &a->machine) || get_str(r, o, "config", false, &a->config) ||
	    get_commit(r, o, "good", a->good) || get_commit(r, o, "bad", a->bad) ||
	    get_commit(r, o, "detected", a->detected) || get_str(r, o, "status", false, &status) ||
	    get_num(r, o, "before", &a->before) || get_num(r, o, "after", &a->after) ||
	    get_str(r, o, "culprit", true, &a->culprit) || get_str(r, o, "bisect", true, &a->bisect) ||
	    get_str(r, o, "report", true, &a->report))
		goto out;
	if (strcmp(status, "open") == 0)
		a->status = PB_ALERT_OPEN;
	else if (strcmp(status, "recovered") == 0)
		a->status = PB_ALERT_RECOVERED;
	else if (strcmp(status, "seeded") == 0)
		a->status = PB_ALERT_SEEDED;
	else {
		damaged(r, "status", "expected open, recovered or seeded");
		goto out;
	}
	ret = 0;
out:
	free(status);
	return ret;
}

/* The schema must be ours, of a version we know. */
static int check_schema(const char *path, const struct pb_json *doc)
{
	const char *schema = pb_json_string(pb_json_get(doc, "schema"), NULL);
	const char *prefix = "placebisect.history/";
	char *end;
	long version;

	if (pb_json_type(doc) != PB_JSON_OBJECT || !schema ||
	    strncmp(schema, prefix, strlen(prefix)) != 0)
		return pb_error("%s: not a placebisect history index (no \"schema\": \"%s\"); it is left "
				"as it is: give another --history directory", path, PB_HISTORY_SCHEMA);
	errno = 0;
	version = strtol(schema + strlen(prefix), &end, 10);
	if (errno || *end || end == schema + strlen(prefix) || version < 1)
		return pb_error("%s: unknown schema '%s'; it is left as it is", path, schema);
	if (version > PB_HISTORY_VERSION)
		return pb_error("%s: schema %s is newer than this placebisect reads (%s); it is left as "
				"it is: run a newer placebisect on this history", path, schema,
				PB_HISTORY_SCHEMA);
	return 0;
}

static int load(struct pb_history *h, bool required)
{
	char *path = index_path(h);
	struct pb_json *doc = NULL, *v;
	struct reader r = { path, "entries", 0 };
	int ret = -1;

	if (access(path, F_OK) != 0) {
		if (required)
			pb_error("%s: no history here (no index.json); 'placebisect nightly --history %s' "
				 "starts one", h->dir, h->dir);
		ret = required ? -1 : 0;
		goto out;
	}
	if (pb_json_parse_file(&doc, path)) {
		pb_error_wrap("the history index is damaged (it is left as it is): ");
		goto out;
	}
	if (check_schema(path, doc))
		goto out;
	if (pb_schema_check(doc, &pb_history_schema, path)) {
		pb_error_wrap("the history index is damaged (it is left as it is): ");
		goto out;
	}
	for (r.array = "entries", r.i = 0, v = pb_json_child(pb_json_get(doc, "entries")); v;
	     v = pb_json_next(v), r.i++) {
		pb_xgrow((void **)&h->entries, &h->cap_entries, h->n_entries + 1, sizeof(*h->entries));
		memset(&h->entries[h->n_entries], 0, sizeof(*h->entries));
		h->n_entries++;
		if (read_entry(&r, v, &h->entries[h->n_entries - 1]))
			goto out;
	}
	for (r.array = "alerts", r.i = 0, v = pb_json_child(pb_json_get(doc, "alerts")); v;
	     v = pb_json_next(v), r.i++) {
		pb_xgrow((void **)&h->alerts, &h->cap_alerts, h->n_alerts + 1, sizeof(*h->alerts));
		memset(&h->alerts[h->n_alerts], 0, sizeof(*h->alerts));
		h->n_alerts++;
		if (read_alert(&r, v, &h->alerts[h->n_alerts - 1]))
			goto out;
	}
	if (pb_json_type(pb_json_get(doc, "entries")) != PB_JSON_ARRAY ||
	    pb_json_type(pb_json_get(doc, "alerts")) != PB_JSON_ARRAY) {
		pb_error("%s: \"entries\" and \"alerts\" must be arrays; the history index is damaged "
			 "(it is left as it is)", path);
		goto out;
	}
	ret = 0;
out:
	pb_json_free(doc);
	free(path);
	return ret;
}

int pb_history_open(struct pb_history *h, const char *dir, double lock_wait)
{
	char *lock;
	struct stat sb;

	memset(h, 0, sizeof(*h));
	h->lock_fd = -1;
	h->dir = pb_xstrdup(dir);
	if (lock_wait < 0) {
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			return pb_error("%s: no such history directory", dir);
		return load(h, true);
	}
	if (pb_mkdir_p(dir))
		return -1;
	lock = pb_xasprintf("%s/lock", dir);
	h->lock_fd = pb_lock_take(lock, lock_wait, "is writing this history",
				  "it is released when that run ends (--wait SECONDS waits longer)");
	free(lock);
	if (h->lock_fd < 0)
		return -1;
	return load(h, false);
}

/* ---- Writing ---- */

static void write_entry(struct pb_jsonw *w, const struct pb_history_entry *e)
{
	char hash[17];

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "commit", e->commit);
	pb_jsonw_string(w, "benchmark", e->benchmark);
	pb_jsonw_string(w, "machine", e->machine);
	pb_jsonw_string(w, "config", e->config);
	pb_jsonw_string(w, "subject", e->subject);
	pb_jsonw_string(w, "date", e->date);
	pb_jsonw_string(w, "metric", e->metric);
	pb_jsonw_string(w, "backend", e->backend);
	pb_jsonw_string(w, "file", e->file);
	pb_jsonw_number(w, "median", e->median);
	pb_jsonw_int(w, "runs", e->runs);
	if (e->text_hash) {
		snprintf(hash, sizeof(hash), "%016" PRIx64, e->text_hash);
		pb_jsonw_string(w, "text_hash", hash);
	} else {
		pb_jsonw_null(w, "text_hash");
	}
	pb_jsonw_int(w, "recorded", e->recorded);
	pb_jsonw_end(w);
}

static void write_alert(struct pb_jsonw *w, const struct pb_history_alert *a)
{
	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "benchmark", a->benchmark);
	pb_jsonw_string(w, "machine", a->machine);
	pb_jsonw_string(w, "config", a->config);
	pb_jsonw_string(w, "good", a->good);
	pb_jsonw_string(w, "bad", a->bad);
	pb_jsonw_string(w, "detected", a->detected);
	pb_jsonw_string(w, "status", pb_alert_status_name(a->status));
	pb_jsonw_number(w, "before", a->before);
	pb_jsonw_number(w, "after", a->after);
	pb_jsonw_string(w, "culprit", a->culprit);
	pb_jsonw_string(w, "bisect", a->bisect);
	pb_jsonw_string(w, "report", a->report);
	pb_jsonw_end(w);
}

int pb_history_save(const struct pb_history *h)
{
	char *path = index_path(h);
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;
	size_t i;
	int ret;

	pb_jsonw_init(&w, &doc, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", PB_HISTORY_SCHEMA);
	pb_jsonw_array(&w, "entries");
	for (i = 0; i < h->n_entries; i++)
		write_entry(&w, &h->entries[i]);
	pb_jsonw_end(&w);
	pb_jsonw_array(&w, "alerts");
	for (i = 0; i < h->n_alerts; i++)
		write_alert(&w, &h->alerts[i]);
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_finish(&w);
	ret = pb_atomic_write(path, doc.data, doc.len);
	pb_buf_release(&doc);
	free(path);
	return ret;
}

void pb_history_put_safe(struct pb_buf *b, const char *s)
{
	for (; *s; s++)
		pb_buf_putc(b, isalnum((unsigned char)*s) || *s == '-' ? *s : '_');
}

int pb_history_record(struct pb_history *h, struct pb_history_entry *e, const struct pb_measurement *m)
{
	struct pb_buf rel = PB_BUF_INIT;
	char *dir = NULL, *path = NULL;
	long at;
	int ret = -1;

	pb_buf_puts(&rel, "measurements/");
	pb_history_put_safe(&rel, e->benchmark);
	pb_buf_putc(&rel, '/');
	pb_history_put_safe(&rel, e->machine);
	pb_buf_putc(&rel, '-');
	pb_history_put_safe(&rel, e->config);
	dir = pb_xasprintf("%s/%s", h->dir, rel.data);
	pb_buf_printf(&rel, "/%s.json", e->commit);
	path = pb_xasprintf("%s/%s", h->dir, rel.data);
	if (pb_mkdir_p(dir) || pb_measurement_save(m, path))
		goto out;
	free(e->file);
	e->file = pb_buf_detach(&rel);
	at = pb_history_find(h, e->benchmark, e->machine, e->config, e->commit);
	if (at >= 0) {
		entry_release(&h->entries[at]);
	} else {
		pb_xgrow((void **)&h->entries, &h->cap_entries, h->n_entries + 1, sizeof(*h->entries));
		at = (long)h->n_entries++;
	}
	h->entries[at] = *e;
	memset(e, 0, sizeof(*e));
	ret = pb_history_save(h);
out:
	pb_buf_release(&rel);
	free(dir);
	free(path);
	return ret;
}

static bool same_key(const struct pb_history_entry *e, const char *bench, const char *machine,
		     const char *config)
{
	return strcmp(e->benchmark, bench) == 0 && strcmp(e->machine, machine) == 0 &&
	       strcmp(e->config, config) == 0;
}

long pb_history_find(const struct pb_history *h, const char *bench, const char *machine,
		     const char *config, const char *commit)
{
	size_t i;

	for (i = 0; i < h->n_entries; i++)
		if (same_key(&h->entries[i], bench, machine, config) &&
		    strcmp(h->entries[i].commit, commit) == 0)
			return (long)i;
	return -1;
}

size_t *pb_history_series(const struct pb_history *h, const char *bench, const char *machine,
			  const char *config, size_t *n)
{
	size_t *idx = pb_xmalloc((h->n_entries + 1) * sizeof(*idx)), i;

	*n = 0;
	for (i = 0; i < h->n_entries; i++)
		if (same_key(&h->entries[i], bench, machine, config))
			idx[(*n)++] = i;
	return idx;
}

int pb_history_values(const struct pb_history *h, const struct pb_history_entry *e, double **v,
		      size_t *n)
{
	char *path = pb_xasprintf("%s/%s", h->dir, e->file);
	struct pb_measurement m;
	int ret;

	*v = NULL;
	*n = 0;
	pb_measurement_init(&m);
	ret = pb_measurement_read(&m, path);
	if (ret == 0)
		*v = pb_measurement_values(&m, n);
	else
		pb_error_wrap("the history's measurement of %.7s: ", e->commit);
	pb_measurement_release(&m);
	free(path);
	return ret;
}

struct pb_history_alert *pb_history_add_alert(struct pb_history *h, const char *bench,
					      const char *machine, const char *config)
{
	struct pb_history_alert *a;

	pb_xgrow((void **)&h->alerts, &h->cap_alerts, h->n_alerts + 1, sizeof(*h->alerts));
	a = &h->alerts[h->n_alerts++];
	memset(a, 0, sizeof(*a));
	a->benchmark = pb_xstrdup(bench);
	a->machine = pb_xstrdup(machine);
	a->config = pb_xstrdup(config);
	return a;
}

/* The index's entries and alerts; commit ids and paths are checked further by history.c. */
static const struct pb_schema_rule history_rules[] = {
	{ "entries", PB_S_ARR | PB_S_REQ },
	{ "entries[]", PB_S_OBJ },
	{ "entries[].commit", PB_S_STR | PB_S_REQ },
	{ "entries[].benchmark", PB_S_STR | PB_S_REQ },
	{ "entries[].machine", PB_S_STR | PB_S_REQ },
	{ "entries[].config", PB_S_STR | PB_S_REQ },
	{ "entries[].metric", PB_S_STR | PB_S_REQ },
	{ "entries[].backend", PB_S_STR | PB_S_REQ },
	{ "entries[].file", PB_S_STR | PB_S_REQ | PB_S_NONEMPTY },
	{ "entries[].subject", PB_S_STR | PB_S_NULL },
	{ "entries[].date", PB_S_STR | PB_S_NULL },
	{ "entries[].median", PB_S_NUM | PB_S_NULL | PB_S_REQ },
	{ "entries[].runs", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "entries[].recorded", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "entries[].text_hash", PB_S_STR | PB_S_NULL },
	{ "alerts", PB_S_ARR | PB_S_REQ },
	{ "alerts[]", PB_S_OBJ },
	{ "alerts[].benchmark", PB_S_STR | PB_S_REQ },
	{ "alerts[].status", PB_S_STR | PB_S_REQ },
	{ "alerts[].before", PB_S_NUM | PB_S_NULL | PB_S_REQ },
	{ "alerts[].after", PB_S_NUM | PB_S_NULL | PB_S_REQ },
	{ NULL, 0 },
};

const struct pb_schema pb_history_schema = { PB_HISTORY_SCHEMA, history_rules };
