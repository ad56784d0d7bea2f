/* workfile.c: the request and result files between the Slurm executor and `placebisect worker`. */
#include "bisect/workfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/buf.h"
#include "core/error.h"

static const char *kind_name(enum pb_work_kind k)
{
	return k == PB_WORK_BUILD ? "build" : "measure";
}

void pb_work_request_release(struct pb_work_request *r)
{
	free(r->repo);
	free(r->work_dir);
	free(r->config_dir);
	free(r->result);
	free(r->benchmark);
	free(r->backend);
	free(r->metric);
	free(r->cpus);
	free(r->items);
	pb_json_free(r->doc);
	memset(r, 0, sizeof(*r));
}

void pb_work_result_release(struct pb_work_result *r)
{
	free(r->node);
	free(r->job);
	free(r->error);
	pb_build_release(&r->build);
	for (size_t i = 0; i < r->n_ms; i++) {
		pb_measurement_release(&r->ms[i]);
		free(r->failures ? r->failures[i] : NULL);
	}
	free(r->ms);
	free(r->failures);
	memset(r, 0, sizeof(*r));
}

static int write_doc(struct pb_buf *doc, struct pb_jsonw *w, const char *path)
{
	int ret;

	pb_jsonw_finish(w);
	ret = pb_atomic_write(path, doc->data, doc->len);
	pb_buf_release(doc);
	return ret;
}

int pb_work_request_write(const struct pb_work_request *r, const char *path)
{
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;

	pb_jsonw_init(&w, &doc, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", PB_WORK_REQUEST_SCHEMA);
	pb_jsonw_string(&w, "kind", kind_name(r->kind));
	pb_jsonw_string(&w, "repo", r->repo);
	pb_jsonw_string(&w, "work_dir", r->work_dir);
	pb_jsonw_string(&w, "config_dir", r->config_dir);
	pb_jsonw_string(&w, "result", r->result);
	pb_jsonw_bool(&w, "rebuild_failed", r->rebuild_failed);
	if (r->kind == PB_WORK_MEASURE) {
		pb_jsonw_string(&w, "benchmark", r->benchmark);
		pb_jsonw_string(&w, "backend", r->backend);
		pb_jsonw_string(&w, "metric", r->metric);
		pb_jsonw_string(&w, "cpus", r->cpus);
		pb_jsonw_int(&w, "runs", r->runs);
		pb_jsonw_int(&w, "warmups", r->warmups);
	}
	pb_jsonw_array(&w, "items");
	for (size_t i = 0; i < r->n_items; i++) {
		pb_jsonw_object(&w, NULL);
		pb_jsonw_string(&w, "commit", r->items[i].commit);
		pb_jsonw_int(&w, "runs", (int64_t)r->items[i].runs);
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	pb_jsonw_value(&w, "config", r->config);
	pb_jsonw_end(&w);
	return write_doc(&doc, &w, path);
}

static void write_build(struct pb_jsonw *w, const struct pb_build *b)
{
	pb_jsonw_object(w, "build");
	pb_jsonw_bool(w, "ok", b->ok);
	pb_jsonw_bool(w, "cached", b->cached);
	pb_jsonw_string(w, "dir", b->dir);
	pb_jsonw_string(w, "binary", b->binary);
	pb_jsonw_string(w, "prefix", b->prefix);
	pb_jsonw_string(w, "log", b->log);
	pb_jsonw_number(w, "seconds", b->seconds);
	pb_jsonw_string(w, "reason", b->reason);
	pb_jsonw_end(w);
}

int pb_work_result_write(const struct pb_work_result *r, const char *path)
{
	struct pb_buf doc = PB_BUF_INIT;
	struct pb_jsonw w;

	pb_jsonw_init(&w, &doc, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", PB_WORK_RESULT_SCHEMA);
	pb_jsonw_string(&w, "kind", kind_name(r->kind));
	pb_jsonw_string(&w, "node", r->node);
	pb_jsonw_string(&w, "job", r->job);
	if (r->error) {
		pb_jsonw_string(&w, "error", r->error);
		pb_jsonw_int(&w, "error_code", r->error_code);
	}
	if (r->kind == PB_WORK_BUILD && !r->error)
		write_build(&w, &r->build);
	if (r->kind == PB_WORK_MEASURE && !r->error) {
		pb_jsonw_array(&w, "measurements");
		for (size_t i = 0; i < r->n_ms; i++) {
			pb_jsonw_object(&w, NULL);
			pb_jsonw_string(&w, "last_failure", r->failures[i]);
			pb_measurement_write_key(&r->ms[i], &w, "measurement");
			pb_jsonw_end(&w);
		}
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	return write_doc(&doc, &w, path);
}

/* A required string member, copied; an error naming the file and key when missing. */
static int req_string(const struct pb_json *doc, const char *key, const char *path, char **out)
{
	const char *s = pb_json_string(pb_json_get(doc, key), NULL);

	if (!s)
		return pb_error_as(PB_EXIT_USAGE, "%s: '%s' is missing or not a string", path, key);
	*out = pb_xstrdup(s);
	return 0;
}

static char *opt_string(const struct pb_json *doc, const char *key)
{
	const char *s = pb_json_string(pb_json_get(doc, key), NULL);

	return s ? pb_xstrdup(s) : NULL;
}

static int read_kind(const struct pb_json *doc, const char *schema, const char *path,
		     enum pb_work_kind *kind)
{
	const char *s = pb_json_string(pb_json_get(doc, "schema"), NULL);
	const char *k = pb_json_string(pb_json_get(doc, "kind"), NULL);

	if (!s || strcmp(s, schema) != 0)
		return pb_error_as(PB_EXIT_USAGE, "%s: not a %s file (schema '%s')", path, schema,
				   s ? s : "none");
	if (!k || (strcmp(k, "build") != 0 && strcmp(k, "measure") != 0))
		return pb_error_as(PB_EXIT_USAGE, "%s: 'kind' is '%s', expected build or measure", path,
				   k ? k : "missing");
	*kind = strcmp(k, "build") == 0 ? PB_WORK_BUILD : PB_WORK_MEASURE;
	return 0;
}

int pb_work_request_read(struct pb_work_request *r, const char *path)
{
	const struct pb_json *items, *it;
	const char *c;
	size_t i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (pb_json_parse_file(&r->doc, path) || read_kind(r->doc, PB_WORK_REQUEST_SCHEMA, path, &r->kind) ||
	    req_string(r->doc, "repo", path, &r->repo) ||
	    req_string(r->doc, "work_dir", path, &r->work_dir) ||
	    req_string(r->doc, "result", path, &r->result))
		goto out;
	r->config_dir = opt_string(r->doc, "config_dir");
	r->rebuild_failed = pb_json_bool(pb_json_get(r->doc, "rebuild_failed"), false);
	r->config = pb_json_get(r->doc, "config");
	if (pb_json_type(r->config) != PB_JSON_OBJECT) {
		pb_error_as(PB_EXIT_USAGE, "%s: 'config' is missing or not an object", path);
		goto out;
	}
	if (r->kind == PB_WORK_MEASURE) {
		if (req_string(r->doc, "benchmark", path, &r->benchmark))
			goto out;
		r->backend = opt_string(r->doc, "backend");
		r->metric = opt_string(r->doc, "metric");
		r->cpus = opt_string(r->doc, "cpus");
		r->runs = (long)pb_json_number(pb_json_get(r->doc, "runs"), 0);
		r->warmups = (long)pb_json_number(pb_json_get(r->doc, "warmups"), -1);
	}
	items = pb_json_get(r->doc, "items");
	if (pb_json_type(items) != PB_JSON_ARRAY || pb_json_size(items) == 0) {
		pb_error_as(PB_EXIT_USAGE, "%s: 'items' is missing or empty", path);
		goto out;
	}
	r->items = pb_xcalloc(pb_json_size(items), sizeof(*r->items));
	for (i = 0, it = pb_json_child(items); it; it = pb_json_next(it), i++) {
		c = pb_json_string(pb_json_get(it, "commit"), NULL);
		if (!c || strlen(c) != PB_OID_HEX - 1 || c[strspn(c, "0123456789abcdef")]) {
			pb_error_as(PB_EXIT_USAGE, "%s: items[%zu].commit is not a full commit id", path, i);
			goto out;
		}
		memcpy(r->items[i].commit, c, PB_OID_HEX);
		r->items[i].runs = (size_t)pb_json_number(pb_json_get(it, "runs"), 0);
	}
	r->n_items = i;
	ret = 0;
out:
	if (ret)
		pb_work_request_release(r);
	return ret;
}

int pb_work_result_read(struct pb_work_result *r, const char *path)
{
	struct pb_json *doc = NULL;
	const struct pb_json *b, *ms, *it;
	char name[64];
	size_t i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (pb_json_parse_file(&doc, path) || read_kind(doc, PB_WORK_RESULT_SCHEMA, path, &r->kind))
		goto out;
	r->node = opt_string(doc, "node");
	r->job = opt_string(doc, "job");
	r->error = opt_string(doc, "error");
	r->error_code = (int)pb_json_number(pb_json_get(doc, "error_code"), PB_EXIT_ENV);
	if (r->error) {
		ret = 0;
		goto out;
	}
	if (r->kind == PB_WORK_BUILD) {
		b = pb_json_get(doc, "build");
		if (pb_json_type(b) != PB_JSON_OBJECT || !pb_json_get(b, "ok")) {
			pb_error_as(PB_EXIT_USAGE, "%s: 'build' is missing or has no 'ok'", path);
			goto out;
		}
		r->build.ok = pb_json_bool(pb_json_get(b, "ok"), false);
		r->build.cached = pb_json_bool(pb_json_get(b, "cached"), false);
		r->build.dir = opt_string(b, "dir");
		r->build.binary = opt_string(b, "binary");
		r->build.prefix = opt_string(b, "prefix");
		r->build.log = opt_string(b, "log");
		r->build.reason = opt_string(b, "reason");
		r->build.seconds = pb_json_number(pb_json_get(b, "seconds"), 0);
		ret = 0;
		goto out;
	}
	ms = pb_json_get(doc, "measurements");
	if (pb_json_type(ms) != PB_JSON_ARRAY) {
		pb_error_as(PB_EXIT_USAGE, "%s: 'measurements' is missing or not an array", path);
		goto out;
	}
	r->ms = pb_xcalloc(pb_json_size(ms) + 1, sizeof(*r->ms));
	r->failures = pb_xcalloc(pb_json_size(ms) + 1, sizeof(*r->failures));
	for (i = 0, it = pb_json_child(ms); it; it = pb_json_next(it), i++) {
		snprintf(name, sizeof(name), "measurements[%zu]", i);
		pb_measurement_init(&r->ms[i]);
		r->n_ms = i + 1;
		r->failures[i] = opt_string(it, "last_failure");
		if (pb_measurement_from_json(&r->ms[i], pb_json_get(it, "measurement"), name)) {
			pb_measurement_init(&r->ms[i]);
			pb_error_wrap("%s: ", path);
			goto out;
		}
	}
	ret = 0;
out:
	pb_json_free(doc);
	if (ret)
		pb_work_result_release(r);
	return ret;
}
