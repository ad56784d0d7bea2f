/* layout.c: analyse one binary: choose the hot set (names, profile, .text.hot, all) and place it. */
#include "layout/layout.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/util.h"

void pb_layout_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

struct weighted {
	const char *name;
	double w;
	size_t order;
};

static int cmp_weighted(const void *pa, const void *pb)
{
	const struct weighted *a = pa, *b = pb;

	if (a->w != b->w)
		return a->w > b->w ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The per-function array of a profile, or of a measurement that carries one. */
static int profile_functions(const struct pb_json **fns, const struct pb_json *doc, const char *path)
{
	const char *schema = pb_json_string(pb_json_get(doc, "schema"), NULL);
	const struct pb_json *runs;

	*fns = NULL;
	if (pb_json_type(doc) != PB_JSON_OBJECT)
		return pb_error("%s: expected a JSON object (a placebisect.profile/1 file)", path);
	if (!schema)
		return pb_error("%s: schema: missing; expected \"placebisect.profile/1\" (written by "
				"'placebisect profile -o FILE')", path);
	if (strcmp(schema, "placebisect.profile/1") == 0) {
		*fns = pb_json_get(doc, "functions");
	} else if (strcmp(schema, "placebisect.measurement/1") == 0) {
		/* Measurements carry per-function data only when a backend recorded some. */
		*fns = pb_json_get(doc, "functions");
		runs = pb_json_get(doc, "runs");
		if (!*fns && pb_json_child(runs))
			*fns = pb_json_get(pb_json_child(runs), "functions");
		if (!*fns)
			return pb_error("%s: this measurement has no per-function data (functions[]); "
					"record a profile with 'placebisect profile ... -o FILE' and "
					"pass that", path);
	} else {
		return pb_error("%s: schema: \"%s\" is not a profile; expected "
				"\"placebisect.profile/1\"", path, schema);
	}
	if (!*fns || pb_json_type(*fns) != PB_JSON_ARRAY)
		return pb_error("%s: functions: expected an array of {name, samples, share}", path);
	return 0;
}

int pb_layout_profile_names(char ***names_out, size_t *n_out, const char *path)
{
	struct pb_json *doc = NULL;
	const struct pb_json *fns, *f, *w;
	struct weighted *v = NULL;
	size_t n = 0, i, k = 0;
	double total = 0, sum = 0;
	char **names = NULL;
	int ret = -1;

	*names_out = NULL;
	*n_out = 0;
	if (pb_json_parse_file(&doc, path))
		goto out;
	if (profile_functions(&fns, doc, path))
		goto out;
	v = pb_xcalloc(pb_json_size(fns) + 1, sizeof(*v));
	for (f = pb_json_child(fns), i = 0; f; f = pb_json_next(f), i++) {
		v[n].name = pb_json_string(pb_json_get(f, "name"), NULL);
		if (!v[n].name) {
			pb_error("%s: functions[%zu].name: expected a string", path, i);
			goto out;
		}
		w = pb_json_get(f, "samples");
		if (!w)
			w = pb_json_get(f, "Ir");
		if (pb_json_type(w) != PB_JSON_NUMBER || pb_json_number(w, -1) < 0) {
			pb_error("%s: functions[%zu].samples: expected a number >= 0", path, i);
			goto out;
		}
		v[n].w = pb_json_number(w, 0);
		v[n].order = i;
		total += v[n].w;
		n++;
	}
	if (total <= 0) {
		pb_error("%s: functions: no samples, so no function is hot; profile a longer run", path);
		goto out;
	}
	qsort(v, n, sizeof(*v), cmp_weighted);
	names = pb_xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n && sum < PB_LAYOUT_PROFILE_COVER * total; i++) {
		sum += v[i].w;
		names[k++] = pb_xstrdup(v[i].name);
	}
	*names_out = names;
	*n_out = k;
	names = NULL;
	ret = 0;
out:
	pb_layout_names_free(names, k);
	free(v);
	pb_json_free(doc);
	return ret;
}

const char *pb_layout_source_name(enum pb_hot_source s)
{
	switch (s) {
	case PB_HOT_NAMES:
		return "--hot";
	case PB_HOT_PROFILE:
		return "profile";
	case PB_HOT_SECTION:
		return ".text.hot";
	case PB_HOT_ALL:
		break;
	}
	return "all functions";
}

static bool in_text_hot(const struct pb_elf *e, const struct pb_elf_sym *f)
{
	const char *s = pb_elf_sym_section(e, f);

	return strcmp(s, ".text.hot") == 0 || strncmp(s, ".text.hot.", 10) == 0;
}

/* Mark the functions called `name`: exact names first, else the same name without clone suffixes. */
static size_t mark_name(const struct pb_elf *e, const char *name, bool *hot)
{
	size_t i, n = 0, blen, flen;
	bool bcold, fcold;

	for (i = 0; i < e->n_funcs; i++)
		if (strcmp(e->funcs[i].name, name) == 0)
			hot[i] = true, n++;
	if (n)
		return n;
	blen = pb_elf_base_name(name, &bcold);
	for (i = 0; i < e->n_funcs; i++) {
		/* The prefix test first: it rejects almost every name without measuring it. */
		if (strncmp(e->funcs[i].name, name, blen) != 0)
			continue;
		flen = pb_elf_base_name(e->funcs[i].name, &fcold);
		if (flen == blen && fcold == bcold)
			hot[i] = true, n++;
	}
	return n;
}

static int not_found(const struct pb_elf *e, const char *name)
{
	const char **cand = pb_xcalloc(e->n_funcs + 1, sizeof(*cand));
	size_t i, n = 0, len = strlen(name), flen;
	const char *near;

	/* Only names of about the same length can be close; the others would cost edit distances. */
	for (i = 0; i < e->n_funcs; i++) {
		flen = strlen(e->funcs[i].name);
		if (flen + 3 >= len && flen <= len + 3)
			cand[n++] = e->funcs[i].name;
	}
	near = n <= 100000 ? pb_closest(name, cand, n) : NULL;
	if (near)
		pb_error("--hot: %s has no function '%s'; did you mean '%s'?", e->path, name, near);
	else if (e->from_dynsym)
		pb_error("--hot: %s has no exported function '%s' (the binary is stripped: rebuild "
			 "without -s / strip to see the others)", e->path, name);
	else
		pb_error("--hot: %s has no function '%s'", e->path, name);
	free(cand);
	return -1;
}

/* Choose the hot set into hot[] (one flag per elf->funcs entry). */
static int select_hot(struct pb_layout *l, const struct pb_layout_opts *o, bool require_hot, bool *hot)
{
	const struct pb_elf *e = l->elf;
	char **names = NULL;
	const char *const *list = o->hot;
	size_t n = o->n_hot, i, found = 0, cap = 0;
	int ret = -1;

	if (o->n_hot) {
		l->source = PB_HOT_NAMES;
	} else if (o->profile) {
		l->source = PB_HOT_PROFILE;
		if (pb_layout_profile_names(&names, &n, o->profile))
			return -1;
		list = (const char *const *)names;
	} else {
		for (i = 0; i < e->n_funcs; i++)
			if (in_text_hot(e, &e->funcs[i]))
				hot[i] = true, found++;
		l->source = found ? PB_HOT_SECTION : PB_HOT_ALL;
		for (i = 0; !found && i < e->n_funcs; i++)
			hot[i] = true;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (mark_name(e, list[i], hot))
			continue;
		if (require_hot && l->source == PB_HOT_NAMES) {
			not_found(e, list[i]);
			goto out;
		}
		pb_xgrow((void **)&l->missing, &cap, l->n_missing + 1, sizeof(*l->missing));
		l->missing[l->n_missing++] = pb_xstrdup(list[i]);
	}
	if (l->n_missing && l->source == PB_HOT_PROFILE)
		pb_warn("%s: %zu of the profile's %zu hot functions are not in %s (first: '%s'); "
			"placing the other %zu", o->profile, l->n_missing, n, e->path, l->missing[0],
			n - l->n_missing);
	ret = 0;
out:
	pb_layout_names_free(names, n);
	return ret;
}

int pb_layout_open(struct pb_layout **out, const char *path, const struct pb_layout_opts *o,
		   bool require_hot)
{
	struct pb_layout *l = pb_xcalloc(1, sizeof(*l));
	const struct pb_elf_sym **syms = NULL;
	struct pb_disasm *dis = NULL;
	bool *hot = NULL;
	size_t i, k;
	int ret = -1;

	*out = NULL;
	l->l1i = o->l1i;
	if (pb_elf_open(&l->elf, path))
		goto out;
	hot = pb_xcalloc(l->elf->n_funcs + 1, sizeof(*hot));
	if (select_hot(l, o, require_hot, hot))
		goto out;
	for (i = 0; i < l->elf->n_funcs; i++)
		l->n_hot += hot[i];
	l->hot = pb_xcalloc(l->n_hot + 1, sizeof(*l->hot));
	syms = pb_xcalloc(l->n_hot + 1, sizeof(*syms));
	for (i = 0, k = 0; i < l->elf->n_funcs; i++) {
		if (!hot[i])
			continue;
		l->hot[k].sym = &l->elf->funcs[i];
		syms[k++] = &l->elf->funcs[i];
	}
	pb_footprint_compute(&l->fp, syms, l->n_hot, &l->l1i);
	/* Decoding every function of a big binary is slow and says little: only an explicit hot set. */
	if (l->source != PB_HOT_ALL) {
		if (pb_disasm_new(&dis, l->elf))
			goto out;
		l->code_checks = dis != NULL;
		for (i = 0; dis && i < l->n_hot; i++) {
			l->hot[i].br = pb_xcalloc(1, sizeof(*l->hot[i].br));
			if (pb_disasm_branches(dis, l->hot[i].sym, l->l1i.line, l->hot[i].br))
				goto out;
		}
	}
	*out = l;
	l = NULL;
	ret = 0;
out:
	pb_disasm_free(dis);
	free(syms);
	free(hot);
	pb_layout_free(l);
	return ret;
}

void pb_layout_free(struct pb_layout *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; l->hot && i < l->n_hot; i++) {
		if (!l->hot[i].br)
			continue;
		pb_branches_release(l->hot[i].br);
		free(l->hot[i].br);
	}
	free(l->hot);
	pb_footprint_release(&l->fp);
	pb_layout_names_free(l->missing, l->n_missing);
	pb_elf_free(l->elf);
	free(l);
}
