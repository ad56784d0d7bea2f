/* annotate.c: record a run's per-instruction costs under callgrind and annotate the object that holds its hot code. */
#include "profile/annotate.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/util.h"
#include "core/error.h"
#include "layout/elf.h"
#include "profile/callgrind.h"
#include "measure/result.h"
#include "measure/sampler.h"

/* Whether path is a readable ELF file. */
static bool is_elf(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	bool ok;

	if (!f)
		return false;
	ok = fread(m, 1, 4, f) == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
	fclose(f);
	return ok;
}

/* path made absolute against cwd (NULL: ours) when relative, and canonical when it exists. */
static char *from_cwd(const char *path, const char *cwd)
{
	char here[4096], *p, *real;

	if (path[0] == '/')
		p = pb_xstrdup(path);
	else if (cwd)
		p = pb_xasprintf("%s/%s", cwd, path);
	else
		p = pb_xasprintf("%s/%s", getcwd(here, sizeof(here)) ? here : ".", path);
	real = realpath(p, NULL);
	if (!real)
		return p;
	free(p);
	/* realpath's buffer comes from malloc: the caller frees it as any other. */
	return real;
}

char *pb_annotate_default_object(const char *binary, const char *const *argv, const char *cwd)
{
	const char *path_env = getenv("PATH"), *p, *colon;
	char *cand;

	if (binary) {
		cand = from_cwd(binary, cwd);
		if (is_elf(cand))
			return cand;
		free(cand);
	}
	if (!argv || !argv[0])
		return NULL;
	if (strchr(argv[0], '/')) {
		cand = from_cwd(argv[0], cwd);
		if (is_elf(cand))
			return cand;
		free(cand);
		return NULL;
	}
	for (p = path_env ? path_env : "/usr/bin:/bin"; *p; p = colon + 1) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		cand = colon == p ? pb_xasprintf("./%s", argv[0])
				  : pb_xasprintf("%.*s/%s", (int)(colon - p), p, argv[0]);
		if (is_elf(cand)) {
			char *abs = from_cwd(cand, NULL);

			free(cand);
			return abs;
		}
		free(cand);
		if (!*colon)
			break;
	}
	return NULL;
}

/* The object with the most Ir that is a file we can read. */
static const struct pb_callgrind_object *hottest_object(const struct pb_callgrind *cg)
{
	const struct pb_callgrind_object *best = NULL;
	size_t i;

	for (i = 0; i < cg->n_objs; i++)
		if (cg->objs[i].path[0] == '/' && access(cg->objs[i].path, R_OK) == 0 &&
		    (!best || cg->objs[i].ir > best->ir))
			best = &cg->objs[i];
	return best;
}

static int cmp_heat(const void *a, const void *b)
{
	const struct pb_heat *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function of e called `name` (exactly), or NULL. */
static const struct pb_elf_sym *func_named(const struct pb_elf *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n_funcs; i++)
		if (strcmp(e->funcs[i].name, name) == 0)
			return &e->funcs[i];
	return NULL;
}

/*
 * Costs callgrind left in "???" (code it could not tie to a file: a PIE laid out by its own linker
 * script) that belong to the ELF file at `path`: the load bias is the page-aligned difference
 * between the run-time and the file addresses of the functions both name, voted by Ir; the costs
 * inside the functions that agree are moved to file addresses and appended to *heat.
 */
static void add_unnamed(const struct pb_callgrind *cg, const char *path, struct pb_heat **heat,
			size_t *n, size_t *cap)
{
	const struct pb_callgrind_object *unk = NULL;
	const struct pb_callgrind_anchor *an;
	const struct pb_elf_sym *f;
	struct pb_elf *e = NULL;
	uint64_t *bias = NULL, *votes = NULL, best = 0, best_votes = 0, b, off;
	size_t i, k, n_b = 0;
	bool *agree = NULL;

	for (i = 0; i < cg->n_objs; i++)
		if (strcmp(cg->objs[i].path, "???") == 0)
			unk = &cg->objs[i];
	if (!unk || !unk->n_anchors || pb_elf_open_quiet(&e, path))
		goto out;
	bias = pb_xcalloc(unk->n_anchors, sizeof(*bias));
	votes = pb_xcalloc(unk->n_anchors, sizeof(*votes));
	for (i = 0; i < unk->n_anchors; i++) {
		an = &unk->anchors[i];
		f = func_named(e, an->fn);
		if (!f || an->addr < f->addr)
			continue;
		b = (an->addr - f->addr) & ~(uint64_t)0xfff;
		for (k = 0; k < n_b && bias[k] != b; k++)
			;
		if (k == n_b)
			bias[n_b++] = b;
		votes[k] += an->ir + 1;
		if (votes[k] > best_votes)
			best_votes = votes[k], best = b;
	}
	if (!best_votes)
		goto out;
	/* Only the functions whose code sits where the bias says. */
	agree = pb_xcalloc(e->n_funcs ? e->n_funcs : 1, sizeof(*agree));
	for (i = 0; i < unk->n_anchors; i++) {
		an = &unk->anchors[i];
		f = func_named(e, an->fn);
		if (f && an->addr >= f->addr + best && an->addr - best - f->addr < (f->size ? f->size : 1))
			agree[f - e->funcs] = true;
	}
	for (i = 0; i < unk->n_costs; i++) {
		if (unk->costs[i].addr < best)
			continue;
		off = unk->costs[i].addr - best;
		f = pb_elf_sym_at(e, off);
		if (!f || !f->func || off - f->addr >= (f->size ? f->size : 1))
			continue;
		/* pb_elf_sym_at may give an alias from syms[]: find it among funcs by address. */
		for (k = 0; k < e->n_funcs && e->funcs[k].addr != f->addr; k++)
			;
		if (k == e->n_funcs || !agree[k])
			continue;
		pb_xgrow((void **)heat, cap, *n + 1, sizeof(**heat));
		(*heat)[*n].addr = off;
		(*heat)[*n].v = unk->costs[i].ir;
		(*heat)[*n].misses = unk->costs[i].i1mr;
		(*n)++;
	}
out:
	free(agree);
	free(bias);
	free(votes);
	pb_elf_free(e);
}

/* The last path component. */
static const char *file_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * "Called N times": callgrind's calls= counts of each annotated function, summed over call sites,
 * in the annotated object (by file name) or in code callgrind could not tie to a file.
 */
static void add_calls(struct pb_annotation *a, const struct pb_callgrind *cg, const char *path)
{
	const struct pb_callgrind_calls *c;
	struct pb_ann_func *fn;
	size_t i, k;

	for (i = 0; i < a->n_funcs; i++) {
		fn = &a->funcs[i];
		/* A region has no name callgrind could have counted calls to. */
		fn->has_calls = !fn->pseudo;
		fn->calls = 0;
		for (k = 0; k < cg->n_calls; k++) {
			c = &cg->calls[k];
			if (strcmp(c->fn, fn->sym->name) == 0 &&
			    (strcmp(c->object, "???") == 0 ||
			     strcmp(file_name(c->object), file_name(path)) == 0))
				fn->calls += c->count;
		}
	}
}

int pb_annotate_callgrind(struct pb_annotation **out, const struct pb_callgrind *cg,
			  const char *object, struct pb_ann_opts *o)
{
	const struct pb_callgrind_object *ob;
	struct pb_heat *heat = NULL;
	struct pb_buf names = PB_BUF_INIT;
	size_t i, n = 0, cap = 0, m;
	const char *path;
	int ret = -1;

	*out = NULL;
	ob = object ? pb_callgrind_object(cg, object) : hottest_object(cg);
	path = object ? object : ob ? ob->path : NULL;
	if (path) {
		for (i = 0; ob && i < ob->n_costs; i++) {
			pb_xgrow((void **)&heat, &cap, n + 1, sizeof(*heat));
			heat[n].addr = ob->costs[i].addr;
			heat[n].v = ob->costs[i].ir;
			heat[n].misses = ob->costs[i].i1mr;
			n++;
		}
		add_unnamed(cg, path, &heat, &n, &cap);
	}
	if (!n) {
		for (i = 0; i < cg->n_objs; i++)
			pb_buf_printf(&names, "%s%s", i ? ", " : "", cg->objs[i].path);
		if (path)
			pb_error_as(PB_EXIT_USAGE, "annotate: the run has no costs in %s (its objects: "
				    "%s); name one of them with --object", path,
				    names.len ? names.data : "none");
		else
			pb_error_as(PB_EXIT_USAGE, "annotate: the run has no costs in any file it "
				    "mapped; name the program with --object");
		pb_buf_release(&names);
		free(heat);
		return -1;
	}
	qsort(heat, n, sizeof(*heat), cmp_heat);
	for (i = 1, m = 1; i < n; i++) {
		if (heat[i].addr == heat[m - 1].addr) {
			heat[m - 1].v += heat[i].v;
			heat[m - 1].misses += heat[i].misses;
		} else {
			heat[m++] = heat[i];
		}
	}
	o->heat = heat;
	o->n_heat = m;
	o->unit = "Ir";
	o->has_misses = true;
	o->total = cg->ir;
	ret = pb_annotation_new(out, path, o);
	if (!ret)
		add_calls(*out, cg, path);
	o->heat = NULL;
	o->n_heat = 0;
	free(heat);
	return ret;
}

/* The index of the sampled object that is `object` (by path, else by file name), or -1. */
static long sampled_object(const struct pb_samples *s, const char *object)
{
	size_t i;

	for (i = 0; i < s->n_objects; i++)
		if (s->objects[i].file && strcmp(s->objects[i].path, object) == 0)
			return (long)i;
	for (i = 0; i < s->n_objects; i++)
		if (s->objects[i].file && strcmp(file_name(s->objects[i].path), file_name(object)) == 0)
			return (long)i;
	return -1;
}

int pb_annotate_sampled(struct pb_annotation **out, struct pb_runner_opts *o, unsigned freq,
			const char *object, struct pb_ann_opts *ao)
{
	struct pb_sampler *sampler = NULL;
	const struct pb_samples *s;
	const struct pb_frame *fr;
	struct pb_measurement m;
	struct pb_elf *e = NULL;
	struct pb_heat *heat = NULL;
	uint64_t *count = NULL, addr;
	size_t i, n = 0, cap = 0, k;
	long ob = -1;
	int ret = -1;

	*out = NULL;
	o->runs = 1;
	o->warmups = 0;
	o->timeout *= PB_VALGRIND_SLOWDOWN; /* the benchmark's own timeout, for the program alone */
	o->metric = "wall";
	o->events = NULL;
	o->backend = "time";
	o->baseline = NULL;
	if (pb_sampler_new(&sampler, freq))
		return -1;
	o->before_exec = pb_sampler_attach;
	o->hook_arg = sampler;
	pb_measurement_init(&m);
	if (pb_runner_measure(o, &m) || pb_sampler_finish(sampler))
		goto out;
	s = pb_sampler_samples(sampler);
	if (object) {
		ob = sampled_object(s, object);
	} else {
		/* The object with the most samples. */
		count = pb_xcalloc(s->n_objects ? s->n_objects : 1, sizeof(*count));
		for (i = 0; i < s->n_samples; i++) {
			fr = &s->frames[s->samples[i].first];
			if (s->samples[i].n && fr->object < s->n_objects && s->objects[fr->object].file)
				count[fr->object]++;
		}
		for (i = 0; i < s->n_objects; i++)
			if (count[i] && (ob < 0 || count[i] > count[ob]))
				ob = (long)i;
	}
	if (ob < 0) {
		pb_error_as(PB_EXIT_USAGE, "annotate: no sample landed in %s (%zu %s in all): profile a "
			    "longer run, raise --freq, or name the object that does the work with --object",
			    object ? object : "any file the program mapped", s->n_samples,
			    pb_plural(s->n_samples, "sample", "samples"));
		goto out;
	}
	if (pb_elf_open_quiet(&e, s->objects[ob].path))
		goto out;
	for (i = 0; i < s->n_samples; i++) {
		fr = &s->frames[s->samples[i].first];
		if (!s->samples[i].n || fr->object != (uint32_t)ob || pb_elf_offset_addr(e, fr->offset, &addr))
			continue;
		pb_xgrow((void **)&heat, &cap, n + 1, sizeof(*heat));
		heat[n].addr = addr;
		heat[n].v = 1;
		heat[n].misses = 0;
		n++;
	}
	qsort(heat, n, sizeof(*heat), cmp_heat);
	for (i = 1, k = n ? 1 : 0; i < n; i++) {
		if (heat[i].addr == heat[k - 1].addr)
			heat[k - 1].v++;
		else
			heat[k++] = heat[i];
	}
	ao->heat = heat;
	ao->n_heat = k;
	ao->unit = "samples";
	ao->has_misses = false;
	ao->total = s->n_samples;
	ret = pb_annotation_new(out, object ? object : s->objects[ob].path, ao);
	ao->heat = NULL;
	ao->n_heat = 0;
out:
	free(heat);
	free(count);
	pb_elf_free(e);
	pb_measurement_release(&m);
	pb_sampler_free(sampler);
	return ret;
}

/* One build of a diff: annotated from its costs, or (nothing run) the functions o names. */
static int annotate_side(struct pb_annotation **out, const struct pb_callgrind *cg,
			 const char *object, struct pb_ann_opts *o)
{
	return cg ? pb_annotate_callgrind(out, cg, object, o) : pb_annotation_new(out, object, o);
}

int pb_annotate_diff(struct pb_annotation **good, struct pb_annotation **bad,
		     const struct pb_callgrind *cg, const char *object,
		     const struct pb_callgrind *cg_bad, const char *bad_object,
		     struct pb_ann_opts *o)
{
	const char **names = NULL;
	size_t i;
	int ret = -1;

	*good = *bad = NULL;
	if (annotate_side(bad, cg_bad, bad_object, o))
		return -1;
	/* The bad build's hot functions, found again in the good build by name. */
	if (!o->n_names) {
		names = pb_xcalloc((*bad)->n_funcs ? (*bad)->n_funcs : 1, sizeof(*names));
		for (i = 0; i < (*bad)->n_funcs; i++)
			names[i] = (*bad)->funcs[i].sym->name;
		o->names = names;
		o->n_names = (*bad)->n_funcs;
	}
	if (annotate_side(good, cg, object, o))
		goto out;
	ret = 0;
out:
	if (names) {
		o->names = NULL;
		o->n_names = 0;
		free(names);
	}
	return ret;
}
