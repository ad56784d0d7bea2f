/* callgraph.c: the weighted call graph and its reader for callgrind's output format. */
#include "layout/callgraph.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/input.h"
#include "core/util.h"

#define NONE ((size_t)-1)

void pb_callgraph_init(struct pb_callgraph *g)
{
	memset(g, 0, sizeof(*g));
}

void pb_callgraph_release(struct pb_callgraph *g)
{
	for (size_t i = 0; i < g->n_fns; i++) {
		free(g->fns[i].name);
		free(g->fns[i].object);
	}
	free(g->fns);
	free(g->arcs);
	free(g->fn_index);
	free(g->arc_index);
	memset(g, 0, sizeof(*g));
}

static uint64_t fn_hash(const char *name, const char *object)
{
	return pb_hash64(object, strlen(object), pb_hash64(name, strlen(name), PB_HASH64_SEED));
}

static uint64_t arc_hash(size_t a, size_t b)
{
	uint64_t k[2] = { a, b };

	return pb_hash64(k, sizeof(k), PB_HASH64_SEED);
}

/* Rebuild an index of `n` entries into 2^k slots, at most half full. */
static size_t *reindex(size_t n, size_t *slots, uint64_t (*hash)(const struct pb_callgraph *, size_t),
		       const struct pb_callgraph *g)
{
	size_t *ix, s = 64;

	while (s < 2 * (n + 1))
		s *= 2;
	ix = pb_xmalloc(s * sizeof(*ix));
	for (size_t i = 0; i < s; i++)
		ix[i] = NONE;
	for (size_t i = 0; i < n; i++) {
		size_t h = hash(g, i) & (s - 1);

		while (ix[h] != NONE)
			h = (h + 1) & (s - 1);
		ix[h] = i;
	}
	*slots = s;
	return ix;
}

static uint64_t fn_hash_at(const struct pb_callgraph *g, size_t i)
{
	return fn_hash(g->fns[i].name, g->fns[i].object);
}

static uint64_t arc_hash_at(const struct pb_callgraph *g, size_t i)
{
	return arc_hash(g->arcs[i].caller, g->arcs[i].callee);
}

size_t pb_callgraph_fn(struct pb_callgraph *g, const char *name, const char *object)
{
	size_t h;

	if (!object)
		object = "";
	if (2 * (g->n_fns + 1) > g->fn_slots) {
		free(g->fn_index);
		g->fn_index = reindex(g->n_fns, &g->fn_slots, fn_hash_at, g);
	}
	h = fn_hash(name, object) & (g->fn_slots - 1);
	for (; g->fn_index[h] != NONE; h = (h + 1) & (g->fn_slots - 1)) {
		const struct pb_callgraph_fn *f = &g->fns[g->fn_index[h]];

		if (strcmp(f->name, name) == 0 && strcmp(f->object, object) == 0)
			return g->fn_index[h];
	}
	if (g->n_fns == g->cap_fns) {
		g->cap_fns = g->cap_fns ? 2 * g->cap_fns : 64;
		g->fns = pb_xrealloc(g->fns, g->cap_fns * sizeof(*g->fns));
	}
	g->fns[g->n_fns] = (struct pb_callgraph_fn){ pb_xstrdup(name), pb_xstrdup(object), 0 };
	g->fn_index[h] = g->n_fns;
	return g->n_fns++;
}

void pb_callgraph_arc(struct pb_callgraph *g, size_t caller, size_t callee, uint64_t calls,
		      uint64_t cost)
{
	size_t h;

	if (2 * (g->n_arcs + 1) > g->arc_slots) {
		free(g->arc_index);
		g->arc_index = reindex(g->n_arcs, &g->arc_slots, arc_hash_at, g);
	}
	h = arc_hash(caller, callee) & (g->arc_slots - 1);
	for (; g->arc_index[h] != NONE; h = (h + 1) & (g->arc_slots - 1)) {
		struct pb_callgraph_arc *a = &g->arcs[g->arc_index[h]];

		if (a->caller == caller && a->callee == callee) {
			a->calls += calls;
			a->cost += cost;
			return;
		}
	}
	if (g->n_arcs == g->cap_arcs) {
		g->cap_arcs = g->cap_arcs ? 2 * g->cap_arcs : 64;
		g->arcs = pb_xrealloc(g->arcs, g->cap_arcs * sizeof(*g->arcs));
	}
	g->arcs[g->n_arcs] = (struct pb_callgraph_arc){ caller, callee, calls, cost };
	g->arc_index[h] = g->n_arcs++;
}

const char *pb_callgraph_main_object(const struct pb_callgraph *g)
{
	const char **objs = NULL;
	uint64_t *cost = NULL, best = 0;
	size_t n = 0, i, k;
	const char *out = NULL;

	for (i = 0; i < g->n_fns; i++)
		if (strcmp(g->fns[i].name, "main") == 0)
			return g->fns[i].object;
	objs = pb_xcalloc(g->n_fns + 1, sizeof(*objs));
	cost = pb_xcalloc(g->n_fns + 1, sizeof(*cost));
	for (i = 0; i < g->n_fns; i++) {
		for (k = 0; k < n && strcmp(objs[k], g->fns[i].object) != 0; k++)
			;
		if (k == n)
			objs[n++] = g->fns[i].object;
		cost[k] += g->fns[i].self;
	}
	for (k = 0; k < n; k++)
		if (!out || cost[k] > best) {
			out = objs[k];
			best = cost[k];
		}
	free(objs);
	free(cost);
	return out;
}

/* Callgrind's compressed names: "(id) name" defines id, "(id)" refers to it, "name" is plain. */
struct names {
	char **v;
	size_t n;
};

static void names_free(struct names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

/* The name `spec` stands for (pointing into the table or spec), or NULL when malformed. */
static const char *names_get(struct names *t, char *spec)
{
	char *end;
	unsigned long id;

	if (*spec != '(')
		return spec;
	errno = 0;
	id = strtoul(spec + 1, &end, 10);
	if (errno || end == spec + 1 || *end != ')' || id > 10000000)
		return NULL;
	end++;
	while (*end == ' ')
		end++;
	if (*end) {
		if (id >= t->n) {
			t->v = pb_xrealloc(t->v, (id + 1) * sizeof(*t->v));
			memset(t->v + t->n, 0, (id + 1 - t->n) * sizeof(*t->v));
			t->n = id + 1;
		}
		free(t->v[id]);
		t->v[id] = pb_xstrdup(end);
		return t->v[id];
	}
	return id < t->n ? t->v[id] : NULL;
}

/* A position column: a number (decimal or 0x hex), "+N", "-N" or "*". */
static bool is_position(const char *w)
{
	if (*w == '*')
		return w[1] == '\0';
	if (*w == '+' || *w == '-')
		w++;
	if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
		w += 2;
	if (!*w)
		return false;
	for (; *w; w++)
		if (!isxdigit((unsigned char)*w))
			return false;
	return true;
}

/* The next blank-separated word of *p (NUL-terminated in place), or NULL at the end. */
static char *next_word(char **p)
{
	char *w = *p;

	while (*w == ' ' || *w == '\t')
		w++;
	if (!*w)
		return NULL;
	*p = w + strcspn(w, " \t");
	if (**p)
		*(*p)++ = '\0';
	return w;
}

/* The first cost of a cost line after `npos` positions (0 when none is given). -1 when malformed. */
static int cost_line(char *line, size_t npos, uint64_t *cost)
{
	char *p = line, *w;
	size_t i = 0;
	int64_t v;

	*cost = 0;
	for (; (w = next_word(&p)); i++) {
		if (i < npos) {
			if (!is_position(w))
				return -1;
		} else if (pb_parse_i64(w, 0, INT64_MAX, &v)) {
			return -1;
		} else if (i == npos) {
			*cost = (uint64_t)v;
		}
	}
	return i >= npos ? 0 : -1;
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	bool in = false;

	for (; *s; s++) {
		bool sp = *s == ' ' || *s == '\t';

		if (!sp && !in)
			n++;
		in = !sp;
	}
	return n;
}

static bool starts(const char *line, const char *key, char **rest)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0)
		return false;
	*rest = (char *)line + n;
	return true;
}

int pb_callgraph_read_callgrind(struct pb_callgraph *g, const char *path)
{
	struct names obs = { 0 }, fns = { 0 }, files = { 0 };
	FILE *f = NULL;
	char *line = NULL, *rest;
	size_t cap = 0, lineno = 0, npos = 1, fn = NONE, cfn = NONE;
	const char *ob = "", *cob = NULL, *name;
	ssize_t len;
	bool call_cost = false, skip_cost = false, seen_version = false;
	uint64_t calls = 0, cost;
	int64_t v;
	int fd, ret = -1;

	if ((fd = pb_input_open(path, NULL)) < 0)
		return -1;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return pb_error_errno("%s", path);
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		if (isdigit((unsigned char)line[0]) || line[0] == '+' || line[0] == '-' || line[0] == '*') {
			if (fn == NONE) {
				pb_error("%s:%zu: a cost line before any fn= line", path, lineno);
				goto out;
			}
			if (cost_line(line, npos, &cost)) {
				pb_error("%s:%zu: not a cost line (%zu position%s, then counts)", path,
					 lineno, npos, npos == 1 ? "" : "s");
				goto out;
			}
			if (call_cost)
				pb_callgraph_arc(g, fn, cfn, calls, cost);
			else if (!skip_cost)
				g->fns[fn].self += cost;
			call_cost = skip_cost = false;
			continue;
		}
		if (call_cost || skip_cost) {
			pb_error("%s:%zu: expected the cost line of the call or jump above", path, lineno);
			goto out;
		}
		if (starts(line, "fn=", &rest)) {
			if (!(name = names_get(&fns, rest)))
				goto bad_name;
			fn = pb_callgraph_fn(g, name, ob);
		} else if (starts(line, "cfn=", &rest)) {
			if (!(name = names_get(&fns, rest)))
				goto bad_name;
			cfn = pb_callgraph_fn(g, name, cob ? cob : ob);
		} else if (starts(line, "ob=", &rest)) {
			if (!(ob = names_get(&obs, rest)))
				goto bad_name;
		} else if (starts(line, "cob=", &rest)) {
			if (!(cob = names_get(&obs, rest)))
				goto bad_name;
		} else if (starts(line, "fl=", &rest) || starts(line, "fi=", &rest) ||
			   starts(line, "fe=", &rest) || starts(line, "cfi=", &rest) ||
			   starts(line, "cfl=", &rest)) {
			if (!names_get(&files, rest))
				goto bad_name;
		} else if (starts(line, "calls=", &rest)) {
			char *sp = strchr(rest, ' ');

			if (sp)
				*sp = '\0';
			if (cfn == NONE || fn == NONE || pb_parse_i64(rest, 0, INT64_MAX, &v)) {
				pb_error("%s:%zu: calls= needs a count and a cfn= line before it", path, lineno);
				goto out;
			}
			calls = (uint64_t)v;
			call_cost = true;
			cob = NULL;
		} else if (starts(line, "jump=", &rest) || starts(line, "jcnd=", &rest)) {
			skip_cost = true;
		} else if (starts(line, "positions:", &rest)) {
			npos = count_words(rest);
			if (!npos) {
				pb_error("%s:%zu: positions: names no position column", path, lineno);
				goto out;
			}
		} else if (starts(line, "events:", &rest)) {
			if (!count_words(rest)) {
				pb_error("%s:%zu: events: names no event", path, lineno);
				goto out;
			}
		} else if (starts(line, "version:", &rest)) {
			seen_version = true;
		} else if (isalpha((unsigned char)line[0]) && strcspn(line, ":=") < (size_t)len &&
			   line[strcspn(line, ":=")] == ':') {
			/* creator:, pid:, cmd:, part:, desc:, summary:, totals:, thread:, event: */
		} else {
			pb_error("%s:%zu: not a line of callgrind's format: '%.60s'", path, lineno, line);
			goto out;
		}
		continue;
bad_name:
		pb_error("%s:%zu: a compressed name '%.60s' that was never defined", path, lineno, line);
		goto out;
	}
	if (ferror(f)) {
		pb_error_errno("%s: cannot read", path);
		goto out;
	}
	if (!seen_version && lineno == 0) {
		pb_error("%s: empty: not a callgrind output file", path);
		goto out;
	}
	ret = 0;
out:
	free(line);
	names_free(&obs);
	names_free(&fns);
	names_free(&files);
	if (f)
		fclose(f);
	return ret;
}
