/* callgrind.c: run a program under callgrind with instruction-level costs and read its output files. */
#include "measure/callgrind.h"
#include "measure/vgout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

/* Ids of compressed names ("(12) name") are small and dense; beyond this a file is not callgrind's. */
#define MAX_NAME_ID 4000000L

/* A name table of one namespace (objects, functions): id -> name. */
struct names {
	char **v;
	size_t cap;
};

/* What a parse of one file carries from line to line. */
struct parse {
	const char *path;
	size_t lineno;
	struct pb_callgrind *r;
	struct names obs, fns;
	int ev_ir, ev_i1mr, n_events; /* event columns (-1 when absent) */
	bool instr;                   /* positions: instr [line] */
	int n_pos;                    /* positions per cost line: 1 or 2 */
	long ob, cob;                 /* current object's index in r->objs; callee object (-1: none) */
	char *cfn;                    /* callee of the next calls= (a copy) */
	const char *fn;               /* the current function (fn_copy) */
	char *fn_copy;                /* a copy of its name */
	bool have_fn;
	bool call_cost;               /* the next cost line is a call's inclusive cost */
	uint64_t last[2];             /* the last positions (instr, line) */
};

static void names_release(struct names *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* The next blank-separated word of *s (NUL-terminated in place), or NULL at the end. */
static char *next_word(char **s)
{
	char *w = *s + strspn(*s, " \t"), *e;

	if (!*w)
		return NULL;
	e = w + strcspn(w, " \t");
	*s = *e ? e + 1 : e;
	*e = '\0';
	return w;
}

void pb_callgrind_release(struct pb_callgrind *r)
{
	size_t i, j;

	for (i = 0; i < r->n_objs; i++) {
		free(r->objs[i].path);
		free(r->objs[i].costs);
		for (j = 0; j < r->objs[i].n_anchors; j++)
			free(r->objs[i].anchors[j].fn);
		free(r->objs[i].anchors);
	}
	free(r->objs);
	for (i = 0; i < r->n_calls; i++) {
		free(r->calls[i].object);
		free(r->calls[i].fn);
	}
	free(r->calls);
	memset(r, 0, sizeof(*r));
}

static int parse_error(const struct parse *p, const char *what)
{
	return pb_error("%s:%zu: %s (is this a callgrind output file?)", p->path, p->lineno, what);
}

/*
 * A compressed name "(id) name" defines id; "(id)" refers to it; a plain "name" has no id. *out
 * points into the table (or to `s` for a plain name). Returns 0 or -1.
 */
static int name_ref(struct parse *p, struct names *t, char *s, const char **out)
{
	int64_t id;
	char *close;

	if (s[0] != '(') {
		*out = s;
		return 0;
	}
	close = strchr(s, ')');
	if (!close)
		return parse_error(p, "a compressed name without its ')'");
	*close = '\0';
	if (pb_parse_i64(s + 1, 0, MAX_NAME_ID, &id))
		return parse_error(p, "a compressed name's id is not a number");
	if ((size_t)id >= t->cap) {
		size_t old = t->cap;

		pb_xgrow((void **)&t->v, &t->cap, (size_t)id + 1, sizeof(*t->v));
		memset(t->v + old, 0, (t->cap - old) * sizeof(*t->v));
	}
	if (close[1] == ' ' && close[2]) {
		free(t->v[id]);
		t->v[id] = pb_xstrdup(close + 2);
	} else if (!t->v[id]) {
		return parse_error(p, "a compressed name used before it was defined");
	}
	*out = t->v[id];
	return 0;
}

/* The index in r->objs of the object called `path`, created when new. */
static long object_index(struct pb_callgrind *r, const char *path)
{
	size_t i, cap;

	for (i = 0; i < r->n_objs; i++)
		if (strcmp(r->objs[i].path, path) == 0)
			return (long)i;
	cap = r->n_objs;
	pb_xgrow((void **)&r->objs, &cap, r->n_objs + 1, sizeof(*r->objs));
	memset(&r->objs[r->n_objs], 0, sizeof(*r->objs));
	r->objs[r->n_objs].path = pb_xstrdup(path);
	return (long)r->n_objs++;
}

static void add_calls(struct pb_callgrind *r, const char *object, const char *fn, uint64_t count)
{
	size_t i, cap = r->n_calls;

	for (i = 0; i < r->n_calls; i++)
		if (strcmp(r->calls[i].fn, fn) == 0 && strcmp(r->calls[i].object, object) == 0) {
			r->calls[i].count += count;
			return;
		}
	pb_xgrow((void **)&r->calls, &cap, r->n_calls + 1, sizeof(*r->calls));
	r->calls[r->n_calls].object = pb_xstrdup(object);
	r->calls[r->n_calls].fn = pb_xstrdup(fn);
	r->calls[r->n_calls].count = count;
	r->n_calls++;
}

/* Keep fn's lowest address and its Ir (objects callgrind could not name only: few functions). */
static void add_anchor(struct pb_callgrind_object *o, const char *fn, uint64_t addr, uint64_t ir)
{
	struct pb_callgrind_anchor *a;
	size_t i;

	for (i = 0; i < o->n_anchors; i++) {
		a = &o->anchors[i];
		if (strcmp(a->fn, fn) == 0) {
			if (addr < a->addr)
				a->addr = addr;
			a->ir += ir;
			return;
		}
	}
	pb_xgrow((void **)&o->anchors, &o->cap_anchors, o->n_anchors + 1, sizeof(*o->anchors));
	a = &o->anchors[o->n_anchors++];
	a->fn = pb_xstrdup(fn);
	a->addr = addr;
	a->ir = ir;
}

/* One position field: "0x1a2b" / "123" absolute, "+N" / "-N" relative to *last, "*" the same. */
static int position(struct parse *p, const char *tok, uint64_t *last, uint64_t *out)
{
	int64_t v;

	if (strcmp(tok, "*") == 0) {
		*out = *last;
		return 0;
	}
	if (tok[0] == '+' || tok[0] == '-') {
		if (pb_parse_i64(tok + 1, 0, INT64_MAX, &v))
			return parse_error(p, "a relative position that is not a number");
		*out = tok[0] == '+' ? *last + (uint64_t)v : *last - (uint64_t)v;
		return 0;
	}
	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) {
		char *end;

		*out = strtoull(tok + 2, &end, 16);
		if (end == tok + 2 || *end)
			return parse_error(p, "a hexadecimal position that is not a number");
		return 0;
	}
	if (pb_parse_i64(tok, 0, INT64_MAX, &v))
		return parse_error(p, "a position that is not a number");
	*out = (uint64_t)v;
	return 0;
}

/* "calls=COUNT TARGET...": the count for --calls; the target does not move the last position. */
static int calls_line(struct parse *p, char *s)
{
	struct pb_callgrind *r = p->r;
	const char *obj;
	char *sp = strchr(s, ' ');
	int64_t count;

	if (sp)
		*sp = '\0';
	if (pb_parse_i64(s, 0, INT64_MAX, &count))
		return parse_error(p, "calls= without a count");
	if (!p->cfn)
		return parse_error(p, "calls= without a cfn= before it");
	obj = p->cob >= 0 ? r->objs[p->cob].path : p->ob >= 0 ? r->objs[p->ob].path : "???";
	add_calls(r, obj, p->cfn, (uint64_t)count);
	p->call_cost = true;
	return 0;
}

/* A cost line: positions, then event counts (trailing zeros may be left out). */
static int cost_line(struct parse *p, char *s)
{
	struct pb_callgrind_object *o;
	uint64_t pos[2] = { 0, 0 }, v, ir = 0, i1mr = 0;
	char *tok;
	int k = 0, ev = 0;
	int64_t n;

	if (!p->have_fn || p->ob < 0)
		return parse_error(p, "a cost line before any ob= and fn=");
	while ((tok = next_word(&s))) {
		if (k < p->n_pos) {
			if (position(p, tok, &p->last[k], &pos[k]))
				return -1;
			k++;
			continue;
		}
		if (ev >= p->n_events)
			return parse_error(p, "more counts than events");
		if (pb_parse_i64(tok, 0, INT64_MAX, &n))
			return parse_error(p, "a count that is not a number");
		v = (uint64_t)n;
		if (ev == p->ev_ir)
			ir = v;
		else if (ev == p->ev_i1mr)
			i1mr = v;
		ev++;
	}
	if (k < p->n_pos)
		return parse_error(p, "a cost line without its positions");
	p->last[0] = pos[0];
	p->last[1] = pos[1];
	/* A call's line holds the callee's inclusive cost: not this instruction's own. */
	if (p->call_cost) {
		p->call_cost = false;
		p->cob = -1;
		return 0;
	}
	if (!ir && !i1mr)
		return 0;
	o = &p->r->objs[p->ob];
	if (strcmp(o->path, "???") == 0)
		add_anchor(o, p->fn, pos[0], ir);
	pb_xgrow((void **)&o->costs, &o->cap_costs, o->n_costs + 1, sizeof(*o->costs));
	o->costs[o->n_costs].addr = pos[0];
	o->costs[o->n_costs].ir = ir;
	o->costs[o->n_costs].i1mr = i1mr;
	o->n_costs++;
	return 0;
}

/* "events: Ir Dr ..." */
static int events_line(struct parse *p, char *s)
{
	char *tok;

	p->ev_ir = p->ev_i1mr = -1;
	p->n_events = 0;
	while ((tok = next_word(&s))) {
		if (strcmp(tok, "Ir") == 0)
			p->ev_ir = p->n_events;
		else if (strcmp(tok, "I1mr") == 0)
			p->ev_i1mr = p->n_events;
		p->n_events++;
	}
	if (p->ev_ir < 0)
		return parse_error(p, "no Ir among the events");
	return 0;
}

/* "positions: instr line" */
static int positions_line(struct parse *p, char *s)
{
	p->instr = strncmp(s, "instr", 5) == 0;
	p->n_pos = strstr(s, "line") ? 2 : 1;
	if (!p->instr)
		return pb_error("%s:%zu: costs per source line, not per instruction: record with "
				"valgrind --tool=callgrind --dump-instr=yes --cache-sim=yes", p->path,
				p->lineno);
	return 0;
}

static bool starts(const char *s, const char *prefix, char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return false;
	*rest = (char *)s + n;
	return true;
}

static int one_line(struct parse *p, char *s)
{
	const char *name;
	char *rest;

	if (!*s || *s == '#')
		return 0;
	if (starts(s, "events:", &rest))
		return events_line(p, rest + strspn(rest, " "));
	if (starts(s, "positions:", &rest))
		return positions_line(p, rest + strspn(rest, " "));
	if (starts(s, "ob=", &rest)) {
		if (name_ref(p, &p->obs, rest, &name))
			return -1;
		p->ob = object_index(p->r, name);
		return 0;
	}
	if (starts(s, "cob=", &rest)) {
		if (name_ref(p, &p->obs, rest, &name))
			return -1;
		p->cob = object_index(p->r, name);
		return 0;
	}
	if (starts(s, "fn=", &rest)) {
		p->have_fn = true;
		p->cob = -1;
		if (name_ref(p, &p->fns, rest, &name))
			return -1;
		/* A copy: a later "fn=(id) other" may redefine the id and free the table's string. */
		free(p->fn_copy);
		p->fn_copy = pb_xstrdup(name);
		p->fn = p->fn_copy;
		return 0;
	}
	if (starts(s, "cfn=", &rest)) {
		if (name_ref(p, &p->fns, rest, &name))
			return -1;
		/* A plain name points into the line: keep a copy. */
		free(p->cfn);
		p->cfn = pb_xstrdup(name);
		return 0;
	}
	if (starts(s, "calls=", &rest))
		return calls_line(p, rest);
	if ((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '*') {
		if (!p->n_events)
			return parse_error(p, "a cost line before the events: line");
		if (!p->instr)
			return pb_error("%s: no 'positions: instr' line: record with valgrind "
					"--tool=callgrind --dump-instr=yes --cache-sim=yes", p->path);
		return cost_line(p, s);
	}
	/* fl= fi= fe= cfi= cfl= jump= jcnd= and the header lines (version:, cmd:, desc:, ...). */
	if (strchr(s, '=') || strchr(s, ':'))
		return 0;
	return parse_error(p, "an unknown line");
}

int pb_callgrind_parse(const char *path, struct pb_callgrind *r)
{
	struct pb_buf in = PB_BUF_INIT;
	struct parse p;
	char *line, *nl;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.r = r;
	p.ob = p.cob = -1;
	p.ev_ir = p.ev_i1mr = -1;
	if (pb_buf_read_file(&in, path))
		return -1;
	if (in.len && memchr(in.data, '\0', in.len)) {
		pb_error("%s: binary data where callgrind output was expected", path);
		goto out;
	}
	for (line = in.data; line && line < in.data + in.len; line = nl ? nl + 1 : NULL) {
		nl = memchr(line, '\n', (size_t)(in.data + in.len - line));
		if (nl)
			*nl = '\0';
		p.lineno++;
		if (one_line(&p, line))
			goto out;
	}
	if (!p.n_events) {
		pb_error("%s: no 'events:' line: the file is truncated or not callgrind output", path);
		goto out;
	}
	r->files++;
	ret = 0;
out:
	free(p.cfn);
	free(p.fn_copy);
	names_release(&p.obs);
	names_release(&p.fns);
	pb_buf_release(&in);
	return ret;
}

static int cmp_cost(const void *a, const void *b)
{
	const struct pb_callgrind_cost *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_calls(const void *a, const void *b)
{
	const struct pb_callgrind_calls *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->fn, y->fn);
}

void pb_callgrind_finish(struct pb_callgrind *r)
{
	struct pb_callgrind_object *o;
	size_t i, j, n;

	r->ir = r->i1mr = 0;
	for (i = 0; i < r->n_objs; i++) {
		o = &r->objs[i];
		if (o->n_costs > 1)
			qsort(o->costs, o->n_costs, sizeof(*o->costs), cmp_cost);
		o->ir = o->i1mr = 0;
		for (j = 0, n = 0; j < o->n_costs; j++) {
			if (n && o->costs[n - 1].addr == o->costs[j].addr) {
				o->costs[n - 1].ir += o->costs[j].ir;
				o->costs[n - 1].i1mr += o->costs[j].i1mr;
			} else {
				o->costs[n++] = o->costs[j];
			}
			o->ir += o->costs[j].ir;
			o->i1mr += o->costs[j].i1mr;
		}
		o->n_costs = n;
		r->ir += o->ir;
		r->i1mr += o->i1mr;
	}
	if (r->n_calls > 1)
		qsort(r->calls, r->n_calls, sizeof(*r->calls), cmp_calls);
}

int pb_callgrind_collect(const char *outdir, struct pb_callgrind *r)
{
	char **paths;
	size_t n, i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (pb_vgout_list(outdir, "callgrind", &paths, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (pb_callgrind_parse(paths[i], r))
			goto out;
	pb_callgrind_finish(r);
	ret = 0;
out:
	pb_vgout_free(paths);
	if (ret)
		pb_callgrind_release(r);
	return ret;
}

const struct pb_callgrind_object *pb_callgrind_object(const struct pb_callgrind *r, const char *path)
{
	const char *base = strrchr(path, '/'), *b;
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < r->n_objs; i++)
		if (strcmp(r->objs[i].path, path) == 0)
			return &r->objs[i];
	for (i = 0; i < r->n_objs; i++) {
		b = strrchr(r->objs[i].path, '/');
		if (strcmp(b ? b + 1 : r->objs[i].path, base) == 0)
			return &r->objs[i];
	}
	return NULL;
}

char **pb_callgrind_argv(const char *i1, const char *outdir, const char *const *argv,
			 const char *shell)
{
	char *i1opt = i1 ? pb_xasprintf("--I1=%s", i1) : NULL;
	/*
	 * -q: valgrind's own banner and summary out of the way (a failing program's stderr is its
	 * own); the same cache simulator as cachegrind's, costs per instruction, not per source line;
	 * names as the symbol table spells them (C++ mangled), to match the ELF's.
	 */
	const char *opts[] = { "-q", "--cache-sim=yes", "--dump-instr=yes", "--demangle=no", i1opt, NULL };
	char **v = pb_vgout_argv("callgrind", opts, outdir, argv, shell);

	free(i1opt);
	return v;
}

void pb_callgrind_argv_free(char **argv)
{
	pb_vgout_free(argv);
}
