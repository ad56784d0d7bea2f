/* callgrind.c: read callgrind's output files (costs per instruction, functions' own costs, call sites) and build its command line. */
#include "measure/callgrind.h"
#include "measure/vgout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

/* Ids of compressed names ("(12) name") are small and dense; beyond this a file is not callgrind's. */
#define MAX_NAME_ID 4000000L
#define NONE ((size_t)-1)
/* Position columns a cost line may have (callgrind writes at most "instr line"). */
#define MAX_POS 4

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
	bool need_instr;              /* per-instruction costs wanted: positions must be instructions */
	int ev_ir, ev_i1mr, n_events; /* event columns (-1 when absent) */
	bool instr;                   /* the first position is an instruction address */
	int n_pos;                    /* positions per cost line */
	long ob, cob;                 /* current object's index in r->objs; callee object (-1: none) */
	char *cfn;                    /* callee of the next calls= (a copy) */
	size_t fn;                    /* the current function's index in r->fns (NONE: none yet) */
	size_t call_fn;               /* the callee of the calls= above, whose cost line comes next */
	uint64_t calls;               /* its count */
	bool call_cost;               /* the next cost line is a call's inclusive cost */
	uint64_t last[MAX_POS];       /* the last positions (instr, line) */
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
	for (i = 0; i < r->n_fns; i++)
		free(r->fns[i].name);
	free(r->fns);
	free(r->arcs);
	free(r->fn_index);
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

static uint64_t fn_hash(size_t obj, const char *name)
{
	return pb_hash64(name, strlen(name), PB_HASH64_SEED ^ obj);
}

/* Rebuild r's index of functions into twice as many slots as it needs, at least 64. */
static void fn_reindex(struct pb_callgrind *r)
{
	size_t s = 64, i, h;

	while (s < 2 * (r->n_fns + 1))
		s *= 2;
	free(r->fn_index);
	r->fn_index = pb_xmalloc(s * sizeof(*r->fn_index));
	for (i = 0; i < s; i++)
		r->fn_index[i] = NONE;
	for (i = 0; i < r->n_fns; i++) {
		h = fn_hash(r->fns[i].obj, r->fns[i].name) & (s - 1);
		while (r->fn_index[h] != NONE)
			h = (h + 1) & (s - 1);
		r->fn_index[h] = i;
	}
	r->fn_slots = s;
}

/* The index in r->fns of function `name` of object `obj`, created (with no cost) when new. */
static size_t fn_index(struct pb_callgrind *r, size_t obj, const char *name)
{
	size_t h;

	if (2 * (r->n_fns + 1) > r->fn_slots)
		fn_reindex(r);
	h = fn_hash(obj, name) & (r->fn_slots - 1);
	for (; r->fn_index[h] != NONE; h = (h + 1) & (r->fn_slots - 1)) {
		const struct pb_callgrind_fn *f = &r->fns[r->fn_index[h]];

		if (f->obj == obj && strcmp(f->name, name) == 0)
			return r->fn_index[h];
	}
	pb_xgrow((void **)&r->fns, &r->cap_fns, r->n_fns + 1, sizeof(*r->fns));
	r->fns[r->n_fns] = (struct pb_callgrind_fn){ obj, pb_xstrdup(name), 0 };
	r->fn_index[h] = r->n_fns;
	return r->n_fns++;
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

/* "calls=COUNT TARGET...": a call site; the target does not move the last position. */
static int calls_line(struct parse *p, char *s)
{
	char *sp = strchr(s, ' ');
	int64_t count;
	long obj;

	if (sp)
		*sp = '\0';
	if (pb_parse_i64(s, 0, INT64_MAX, &count))
		return parse_error(p, "calls= without a count");
	if (!p->cfn)
		return parse_error(p, "calls= without a cfn= before it");
	obj = p->cob >= 0 ? p->cob : p->ob >= 0 ? p->ob : object_index(p->r, "???");
	p->call_fn = fn_index(p->r, (size_t)obj, p->cfn);
	p->calls = (uint64_t)count;
	p->call_cost = true;
	return 0;
}

/* A call's cost line: the call site, from the current function; its cost is not the function's. */
static int add_arc(struct parse *p, uint64_t ir)
{
	struct pb_callgrind *r = p->r;

	p->call_cost = false;
	p->cob = -1;
	if (p->fn == NONE)
		return parse_error(p, "a call before any ob= and fn=");
	pb_xgrow((void **)&r->arcs, &r->cap_arcs, r->n_arcs + 1, sizeof(*r->arcs));
	r->arcs[r->n_arcs++] = (struct pb_callgrind_arc){ p->fn, p->call_fn, p->calls, ir };
	return 0;
}

/* A cost line: positions, then event counts (trailing zeros may be left out). */
static int cost_line(struct parse *p, char *s)
{
	struct pb_callgrind_object *o;
	uint64_t pos[MAX_POS] = { 0 }, v, ir = 0, i1mr = 0;
	char *tok;
	int k = 0, ev = 0;
	int64_t n;

	if (!p->call_cost && (p->fn == NONE || p->ob < 0))
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
	memcpy(p->last, pos, sizeof(pos));
	/* A call's line holds the callee's inclusive cost: not this instruction's own. */
	if (p->call_cost)
		return add_arc(p, ir);
	p->r->fns[p->fn].ir += ir;
	if (!p->instr || (!ir && !i1mr))
		return 0;
	o = &p->r->objs[p->ob];
	if (strcmp(o->path, "???") == 0)
		add_anchor(o, p->r->fns[p->fn].name, pos[0], ir);
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

/* "positions: instr line" (or "line": costs per source line) */
static int positions_line(struct parse *p, char *s)
{
	char *tok;

	p->instr = false;
	for (p->n_pos = 0; (tok = next_word(&s)); p->n_pos++)
		if (p->n_pos == 0)
			p->instr = strcmp(tok, "instr") == 0;
	if (!p->n_pos || p->n_pos > MAX_POS)
		return parse_error(p, "positions: names no position column, or more than four");
	if (!p->instr && p->need_instr)
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
	if ((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '*') {
		if (!p->n_events)
			return parse_error(p, "a cost line before the events: line");
		if (!p->instr && p->need_instr)
			return pb_error("%s: no 'positions: instr' line: record with valgrind "
					"--tool=callgrind --dump-instr=yes --cache-sim=yes", p->path);
		return cost_line(p, s);
	}
	if (p->call_cost)
		return parse_error(p, "calls= without its cost line after it");
	if (starts(s, "events:", &rest))
		return events_line(p, rest);
	if (starts(s, "positions:", &rest))
		return positions_line(p, rest);
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
		p->cob = -1;
		if (name_ref(p, &p->fns, rest, &name))
			return -1;
		/* Before any ob=: the cost line that follows says what is missing. */
		p->fn = p->ob >= 0 ? fn_index(p->r, (size_t)p->ob, name) : NONE;
		return 0;
	}
	if (starts(s, "cfn=", &rest)) {
		if (name_ref(p, &p->fns, rest, &name))
			return -1;
		/* A plain name points into the line, a table's may be redefined: keep a copy. */
		free(p->cfn);
		p->cfn = pb_xstrdup(name);
		return 0;
	}
	if (starts(s, "calls=", &rest))
		return calls_line(p, rest);
	/* fl= fi= fe= cfi= cfl= jump= jcnd= and the header lines (version:, cmd:, desc:, ...). */
	if (strchr(s, '=') || strchr(s, ':'))
		return 0;
	return pb_error("%s:%zu: not a line of callgrind's format: '%.60s'", p->path, p->lineno, s);
}

static int parse_file(const char *path, bool need_instr, struct pb_callgrind *r)
{
	struct pb_buf in = PB_BUF_INIT;
	struct parse p;
	char *line, *nl;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.r = r;
	p.need_instr = need_instr;
	p.n_pos = 1; /* the format's default: "positions: line" */
	p.ob = p.cob = -1;
	p.fn = NONE;
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
		if (nl && nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		p.lineno++;
		if (one_line(&p, line))
			goto out;
	}
	if (p.call_cost) {
		parse_error(&p, "calls= without its cost line after it");
		goto out;
	}
	if (!p.n_events) {
		pb_error("%s: not a callgrind output file: no 'events:' line (is it truncated?)", path);
		goto out;
	}
	r->files++;
	ret = 0;
out:
	free(p.cfn);
	names_release(&p.obs);
	names_release(&p.fns);
	pb_buf_release(&in);
	return ret;
}

int pb_callgrind_parse(const char *path, struct pb_callgrind *r)
{
	return parse_file(path, true, r);
}

int pb_callgrind_parse_calls(const char *path, struct pb_callgrind *r)
{
	return parse_file(path, false, r);
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

/* r->calls from r->arcs: one entry per callee, with its calls summed over every call site. */
static void count_calls(struct pb_callgrind *r)
{
	uint64_t *count = pb_xcalloc(r->n_fns + 1, sizeof(*count));
	size_t i, n = 0;

	for (i = 0; i < r->n_calls; i++) {
		free(r->calls[i].object);
		free(r->calls[i].fn);
	}
	free(r->calls);
	for (i = 0; i < r->n_arcs; i++) {
		n += !count[r->arcs[i].callee] && r->arcs[i].calls;
		count[r->arcs[i].callee] += r->arcs[i].calls;
	}
	r->calls = n ? pb_xcalloc(n, sizeof(*r->calls)) : NULL;
	r->n_calls = 0;
	for (i = 0; i < r->n_fns; i++) {
		if (!count[i])
			continue;
		r->calls[r->n_calls].object = pb_xstrdup(r->objs[r->fns[i].obj].path);
		r->calls[r->n_calls].fn = pb_xstrdup(r->fns[i].name);
		r->calls[r->n_calls].count = count[i];
		r->n_calls++;
	}
	free(count);
	if (r->n_calls > 1)
		qsort(r->calls, r->n_calls, sizeof(*r->calls), cmp_calls);
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
	count_calls(r);
}

int pb_callgrind_read(const char *path, struct pb_callgrind *r)
{
	memset(r, 0, sizeof(*r));
	if (access(path, R_OK) != 0)
		return pb_error_errno("%s: cannot read the callgrind file", path);
	if (pb_callgrind_parse(path, r)) {
		pb_callgrind_release(r);
		return -1;
	}
	pb_callgrind_finish(r);
	return 0;
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

char **pb_callgrind_argv_calls(const char *outdir, const char *const *argv, const char *shell)
{
	/* As pb_callgrind_argv's, without the cache simulator: it doubles the run's time. Said
	 * explicitly: a ~/.valgrindrc or $VALGRIND_OPTS that turns the simulators on does not count. */
	const char *opts[] = { "-q", "--cache-sim=no", "--branch-sim=no", "--dump-instr=yes",
			       "--demangle=no", NULL };

	return pb_vgout_argv("callgrind", opts, outdir, argv, shell);
}

void pb_callgrind_argv_free(char **argv)
{
	pb_vgout_free(argv);
}
