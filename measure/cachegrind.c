/* cachegrind.c: run a benchmark under valgrind's cache simulator and read its per-function output files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/cachegrind.h"
#include "measure/vgout.h"

const char *const pb_cachegrind_events[PB_CG_NEVENTS] = { "Ir", "I1mr", "ILmr", "Dr", "D1mr",
							  "DLmr", "Dw", "D1mw", "DLmw" };

#define DEFAULT_I1 "32768,8,64"
#define DEFAULT_D1 "32768,8,64"
#define DEFAULT_LL "8388608,16,64"

/* ---- geometry ---- */

/* valgrind's own rule on top of the config's: lines of at least 16 bytes. */
static bool valid_geometry(const char *s)
{
	long size, ways, line;

	return pb_config_parse_geometry(s, &size, &ways, &line) == 0 && line >= 16;
}

/* Read a small sysfs file's first line into out; 0 or -1. */
static int read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return -1;
	if (!fgets(out, (int)size, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	len = strcspn(out, "\n");
	out[len] = '\0';
	return 0;
}

/* "32K" / "512K" / "32768K" / "8M" in bytes; -1 when unreadable. */
static long parse_size(const char *s)
{
	char num[32];
	int64_t v;
	size_t len = strlen(s);
	long mul = 1;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	if (num[len - 1] == 'K')
		mul = 1024;
	else if (num[len - 1] == 'M')
		mul = 1024 * 1024;
	if (mul != 1)
		num[len - 1] = '\0';
	if (pb_parse_i64(num, 1, 1L << 32, &v))
		return -1;
	return (long)v * mul;
}

/* The host's I1, D1 and last-level caches from sysfs; fields left empty when not found. */
static void host_geometry(const char *sysfs, char *i1, char *d1, char *ll, size_t size)
{
	char path[512], level[16], type[32], sz[32], ways[16], line[16];
	long bytes, best_level = 0;
	int64_t lv;
	int idx;

	i1[0] = d1[0] = ll[0] = '\0';
	for (idx = 0; idx < 16; idx++) {
#define RD(field, buf) (snprintf(path, sizeof(path), "%s/index%d/" field, sysfs, idx), \
			read_line(path, buf, sizeof(buf)))
		if (RD("level", level) || RD("type", type) || RD("size", sz) ||
		    RD("ways_of_associativity", ways) || RD("coherency_line_size", line))
			continue;
#undef RD
		bytes = parse_size(sz);
		if (bytes <= 0 || pb_parse_i64(level, 1, 9, &lv))
			continue;
		if (lv == 1 && strcmp(type, "Instruction") == 0)
			snprintf(i1, size, "%ld,%.8s,%.8s", bytes, ways, line);
		else if (lv == 1 && strcmp(type, "Data") == 0)
			snprintf(d1, size, "%ld,%.8s,%.8s", bytes, ways, line);
		else if (strcmp(type, "Unified") == 0 && lv > best_level) {
			best_level = (long)lv;
			snprintf(ll, size, "%ld,%.8s,%.8s", bytes, ways, line);
		}
	}
}

int pb_cachegrind_geometry(const struct pb_config *cfg, const char *sysfs, struct pb_cg_geometry *g)
{
	char hi[48], hd[48], hl[48];
	const char *cfgv[3] = { cfg ? cfg->measure.cg_I1 : NULL, cfg ? cfg->measure.cg_D1 : NULL,
				cfg ? cfg->measure.cg_LL : NULL };
	const char *keys[3] = { "I1", "D1", "LL" };
	const char *defaults[3] = { DEFAULT_I1, DEFAULT_D1, DEFAULT_LL };
	char *host[3] = { hi, hd, hl }, *dst[3] = { g->I1, g->D1, g->LL };
	int i;

	host_geometry(sysfs ? sysfs : "/sys/devices/system/cpu/cpu0/cache", hi, hd, hl, sizeof(hi));
	g->source = "default";
	for (i = 0; i < 3; i++) {
		if (cfgv[i]) {
			if (!valid_geometry(cfgv[i]))
				return pb_error("measure.cachegrind.%s: '%s' is not a geometry valgrind "
						"accepts: \"SIZE,WAYS,LINE\" with a power-of-two number of "
						"sets and a power-of-two line of at least 16 bytes",
						keys[i], cfgv[i]);
			snprintf(dst[i], sizeof(g->I1), "%s", cfgv[i]);
			if (i == 2)
				g->source = "config";
		} else if (host[i][0] && valid_geometry(host[i])) {
			snprintf(dst[i], sizeof(g->I1), "%s", host[i]);
			if (i == 2)
				g->source = "host";
		} else {
			if (host[i][0])
				pb_note("cachegrind: this host's %s cache (%s) is a geometry valgrind cannot "
					"simulate (sets not a power of two); simulating %s instead (set "
					"measure.cachegrind.%s to choose)", keys[i], host[i], defaults[i],
					keys[i]);
			snprintf(dst[i], sizeof(g->I1), "%s", defaults[i]);
		}
	}
	return 0;
}

/* ---- parsing ---- */

void pb_cg_result_release(struct pb_cg_result *r)
{
	size_t i;

	for (i = 0; i < r->n_fns; i++) {
		free(r->fns[i].name);
		free(r->fns[i].file);
		for (size_t j = 0; j < r->fns[i].n_files; j++)
			free(r->fns[i].files[j].file);
		free(r->fns[i].files);
	}
	free(r->fns);
	memset(r, 0, sizeof(*r));
}

/* A name → function index table for one parse (functions repeat across fl= blocks and files). */
struct fn_index {
	size_t *slot; /* index + 1; 0 = empty */
	size_t cap;   /* power of two */
	size_t cap_fns;
};

static uint64_t fn_hash(const char *name)
{
	return pb_hash64(name, strlen(name), PB_HASH64_SEED);
}

static void index_insert(struct fn_index *ix, const struct pb_cg_result *r, size_t fn)
{
	size_t mask = ix->cap - 1, i = fn_hash(r->fns[fn].name) & mask;

	while (ix->slot[i])
		i = (i + 1) & mask;
	ix->slot[i] = fn + 1;
}

/* The index of `file` among f's files, added when new. */
static size_t file_slot(struct pb_cg_function *f, const char *file)
{
	size_t i;

	for (i = 0; i < f->n_files; i++)
		if (strcmp(f->files[i].file, file) == 0)
			return i;
	f->files = pb_xrealloc(f->files, (f->n_files + 1) * sizeof(*f->files));
	f->files[f->n_files].file = pb_xstrdup(file);
	f->files[f->n_files].ir = 0;
	return f->n_files++;
}

/* A header by its name: code inlined from it belongs to the function that includes it. */
static bool is_header(const char *file)
{
	static const char *const ext[] = { ".h", ".hpp", ".hh", ".hxx", ".inc", ".inl", ".def" };
	const char *base = strrchr(file, '/'), *dot;

	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	if (!dot)
		return true; /* C++'s <vector> and friends */
	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++)
		if (strcmp(dot, ext[i]) == 0)
			return true;
	return false;
}

/* f->file: its own source file, from the Ir each file contributed (see pb_cg_function). */
static void choose_file(struct pb_cg_function *f)
{
	const struct pb_cg_file_ir *best = NULL;
	size_t i;
	int pass;

	for (pass = 0; pass < 2 && !best; pass++)
		for (i = 0; i < f->n_files; i++) {
			const struct pb_cg_file_ir *c = &f->files[i];

			if (pass == 0 && is_header(c->file))
				continue;
			if (!best || c->ir > best->ir)
				best = c;
		}
	free(f->file);
	f->file = best ? pb_xstrdup(best->file) : NULL;
}

/*
 * The function `name` of r, created when new. Keyed by name alone: inlined code makes cachegrind
 * split one function over several fl= blocks (its .c file and the headers); each file's share is
 * kept in f->files, and f->file chosen from them when a file has been read.
 */
static struct pb_cg_function *lookup_fn(struct fn_index *ix, struct pb_cg_result *r, const char *name)
{
	size_t i, j, mask;
	struct pb_cg_function *f;

	if ((r->n_fns + 1) * 2 > ix->cap) {
		free(ix->slot);
		ix->cap = ix->cap ? ix->cap * 2 : 1024;
		while (ix->cap < (r->n_fns + 1) * 2)
			ix->cap *= 2;
		ix->slot = pb_xcalloc(ix->cap, sizeof(*ix->slot));
		for (j = 0; j < r->n_fns; j++)
			index_insert(ix, r, j);
	}
	mask = ix->cap - 1;
	for (i = fn_hash(name) & mask; ix->slot[i]; i = (i + 1) & mask) {
		f = &r->fns[ix->slot[i] - 1];
		if (strcmp(f->name, name) == 0)
			return f;
	}
	pb_xgrow((void **)&r->fns, &ix->cap_fns, r->n_fns + 1, sizeof(*r->fns));
	f = &r->fns[r->n_fns];
	memset(f, 0, sizeof(*f));
	f->name = pb_xstrdup(name);
	ix->slot[i] = ++r->n_fns;
	return f;
}

/* Parse whitespace-separated unsigned numbers from s into v (at most max); count in *n. */
static int parse_counts(const char *s, uint64_t *v, size_t max, size_t *n)
{
	char *end;
	unsigned long long x;

	*n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '\r')
			return 0;
		if (*s < '0' || *s > '9' || *n == max)
			return -1;
		errno = 0;
		x = strtoull(s, &end, 10);
		if (errno || (*end && *end != ' ' && *end != '\t' && *end != '\r'))
			return -1;
		v[(*n)++] = x;
		s = end;
	}
}

#define MAX_FILE_EVENTS 32

static int parse_text(char *text, const char *path, struct pb_cg_result *r, struct fn_index *ix)
{
	int map[MAX_FILE_EVENTS]; /* file's event i -> PB_CG_* or -1 */
	size_t n_events = 0, n, i, lineno = 0;
	uint64_t v[MAX_FILE_EVENTS + 1];
	uint64_t summary[PB_CG_NEVENTS] = { 0 };
	char *line = text, *next, *cur_file = NULL, *cur_fn = NULL, *word;
	size_t wlen;
	struct pb_cg_function *fn = NULL;
	size_t fl = SIZE_MAX; /* fn's file slot of the current fl= block; SIZE_MAX for "???" */
	bool have_events = false, have_summary = false;
	int k, ret = -1;

	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (line[0] == '\0' || strncmp(line, "desc:", 5) == 0 || strncmp(line, "cmd:", 4) == 0 ||
		    strncmp(line, "version:", 8) == 0 || strncmp(line, "creator:", 8) == 0 ||
		    strncmp(line, "pid:", 4) == 0 || line[0] == '#')
			continue;
		if (strncmp(line, "events:", 7) == 0) {
			if (have_events) {
				pb_error("%s:%zu: a second 'events:' line", path, lineno);
				goto out;
			}
			have_events = true;
			for (word = line + 7;; word += wlen) {
				word += strspn(word, " \t\r");
				wlen = strcspn(word, " \t\r");
				if (wlen == 0)
					break;
				if (n_events == MAX_FILE_EVENTS) {
					pb_error("%s:%zu: more than %d events", path, lineno, MAX_FILE_EVENTS);
					goto out;
				}
				map[n_events] = -1;
				for (k = 0; k < PB_CG_NEVENTS; k++)
					if (strlen(pb_cachegrind_events[k]) == wlen &&
					    strncmp(word, pb_cachegrind_events[k], wlen) == 0)
						map[n_events] = k;
				n_events++;
			}
			if (n_events == 0 || map[0] != PB_CG_IR) {
				pb_error("%s:%zu: 'events:' must start with Ir", path, lineno);
				goto out;
			}
			continue;
		}
		if (!have_events) {
			pb_error("%s:%zu: expected the 'events:' line first (is this a cachegrind.out "
				 "file?)", path, lineno);
			goto out;
		}
		if (strncmp(line, "fl=", 3) == 0 || strncmp(line, "fi=", 3) == 0 ||
		    strncmp(line, "fe=", 3) == 0) {
			/* fi=/fe= name the file of inlined code; the function stays the same. */
			if (line[1] == 'l') {
				free(cur_file);
				cur_file = pb_xstrdup(line + 3);
				fn = NULL;
			}
			continue;
		}
		if (strncmp(line, "fn=", 3) == 0) {
			if (!cur_file) {
				pb_error("%s:%zu: 'fn=' before any 'fl='", path, lineno);
				goto out;
			}
			free(cur_fn);
			cur_fn = pb_xstrdup(line + 3);
			fn = lookup_fn(ix, r, cur_fn);
			fl = strcmp(cur_file, "???") ? file_slot(fn, cur_file) : SIZE_MAX;
			continue;
		}
		if (strncmp(line, "summary:", 8) == 0) {
			if (parse_counts(line + 8, v, n_events, &n) || n != n_events) {
				pb_error("%s:%zu: 'summary:' needs %zu counts", path, lineno, n_events);
				goto out;
			}
			for (i = 0; i < n; i++)
				if (map[i] >= 0)
					summary[map[i]] = v[i];
			have_summary = true;
			continue;
		}
		if (line[0] >= '0' && line[0] <= '9') {
			/* "LINE COUNT...": one more number than events at most. */
			if (parse_counts(line, v, n_events + 1, &n) || n < 2) {
				pb_error("%s:%zu: expected a line number and up to %zu counts", path, lineno,
					 n_events);
				goto out;
			}
			if (!fn) {
				pb_error("%s:%zu: counts before any 'fn='", path, lineno);
				goto out;
			}
			fn->ir += v[1];
			if (fl != SIZE_MAX)
				fn->files[fl].ir += v[1];
			for (i = 1; i < n; i++)
				if (map[i - 1] == PB_CG_I1MR)
					fn->i1mr += v[i];
			continue;
		}
		pb_error("%s:%zu: unexpected line '%.40s'", path, lineno, line);
		goto out;
	}
	if (!have_events || !have_summary) {
		pb_error("%s: no '%s' line: the file is truncated or not cachegrind output", path,
			 have_events ? "summary:" : "events:");
		goto out;
	}
	for (k = 0; k < PB_CG_NEVENTS; k++)
		r->total[k] += summary[k];
	r->files++;
	for (i = 0; i < r->n_fns; i++)
		choose_file(&r->fns[i]);
	ret = 0;
out:
	free(cur_file);
	free(cur_fn);
	return ret;
}

static int parse_into(const char *path, struct pb_cg_result *r, struct fn_index *ix)
{
	struct pb_buf text = PB_BUF_INIT;
	int ret;

	if (pb_buf_read_file(&text, path))
		return -1;
	if (memchr(text.data, '\0', text.len)) {
		pb_buf_release(&text);
		return pb_error("%s: binary data where cachegrind output was expected", path);
	}
	ret = parse_text(text.data, path, r, ix);
	pb_buf_release(&text);
	return ret;
}

int pb_cachegrind_parse(const char *path, struct pb_cg_result *r)
{
	struct fn_index ix = { NULL, 0, 0 };
	size_t j;
	int ret;

	/* Rebuild the index over the functions r already holds (r may come from earlier files). */
	ix.cap_fns = r->n_fns;
	if (r->n_fns) {
		ix.cap = 1024;
		while (ix.cap < (r->n_fns + 1) * 2)
			ix.cap *= 2;
		ix.slot = pb_xcalloc(ix.cap, sizeof(*ix.slot));
		for (j = 0; j < r->n_fns; j++)
			index_insert(&ix, r, j);
	}
	ret = parse_into(path, r, &ix);
	free(ix.slot);
	return ret;
}

static int cmp_fn(const void *pa, const void *pb)
{
	const struct pb_cg_function *a = pa, *b = pb;

	if (a->ir != b->ir)
		return a->ir > b->ir ? -1 : 1;
	return strcmp(a->name, b->name);
}

void pb_cg_result_sort(struct pb_cg_result *r)
{
	if (r->n_fns > 1)
		qsort(r->fns, r->n_fns, sizeof(*r->fns), cmp_fn);
}

/* ---- running ---- */

char **pb_cachegrind_argv(const struct pb_cg_geometry *g, const char *outdir,
			  const char *const *argv, const char *shell)
{
	char *i1 = pb_xasprintf("--I1=%s", g->I1), *d1 = pb_xasprintf("--D1=%s", g->D1);
	char *ll = pb_xasprintf("--LL=%s", g->LL);
	const char *opts[] = { "--cache-sim=yes", i1, d1, ll, NULL };
	char **v = pb_vgout_argv("cachegrind", opts, outdir, argv, shell);

	free(i1);
	free(d1);
	free(ll);
	return v;
}

void pb_cachegrind_argv_free(char **argv)
{
	pb_vgout_free(argv);
}

int pb_cachegrind_collect(const char *outdir, struct pb_cg_result *r)
{
	struct fn_index ix = { NULL, 0, 0 };
	char **paths;
	size_t n, i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	/* Sorted by name: the sums and the function order are reproducible. */
	if (pb_vgout_list(outdir, "cachegrind", &paths, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (parse_into(paths[i], r, &ix))
			goto out;
	pb_cg_result_sort(r);
	ret = 0;
out:
	pb_vgout_free(paths);
	free(ix.slot);
	if (ret)
		pb_cg_result_release(r);
	return ret;
}

void pb_cachegrind_counters(const struct pb_cg_result *r, struct pb_counter *out)
{
	const uint64_t *t = r->total;
	int k;

	for (k = 0; k < PB_CG_NEVENTS; k++) {
		out[k].name = (char *)pb_cachegrind_events[k];
		out[k].value = (double)t[k];
		out[k].running_ratio = 1;
	}
	out[PB_CG_NEVENTS].name = (char *)"instructions";
	out[PB_CG_NEVENTS].value = (double)t[PB_CG_IR];
	out[PB_CG_NEVENTS].running_ratio = 1;
	out[PB_CG_NEVENTS + 1].name = (char *)"est_cycles";
	out[PB_CG_NEVENTS + 1].value =
		(double)(t[PB_CG_IR] + 10 * (t[PB_CG_I1MR] + t[PB_CG_D1MR] + t[PB_CG_D1MW]) +
			 100 * (t[PB_CG_ILMR] + t[PB_CG_DLMR] + t[PB_CG_DLMW]));
	out[PB_CG_NEVENTS + 1].running_ratio = 1;
}

int pb_cachegrind_available(void)
{
	const char *path = getenv("PATH"), *dir, *end;
	char *p;
	int found = 0;

	for (dir = path ? path : "/usr/bin:/bin"; !found; dir = end + 1) {
		end = strchr(dir, ':');
		if (!end)
			end = dir + strlen(dir);
		p = end > dir ? pb_xasprintf("%.*s/valgrind", (int)(end - dir), dir)
			      : pb_xstrdup("./valgrind");
		found = access(p, X_OK) == 0;
		free(p);
		if (*end == '\0')
			break;
	}
	if (!found)
		return pb_error_as(PB_EXIT_ENV, "--backend cachegrind needs valgrind, which is not on "
				   "PATH: install it (apt-get install valgrind) or choose --backend "
				   "perf or time");
	return 0;
}
