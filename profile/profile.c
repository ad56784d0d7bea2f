/* profile.c: samples → functions (self samples, share) and folded call stacks; the profile's JSON, folded and text forms. */
#include "profile/profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "layout/symbolize.h"
#include "layout/unwind.h"
#include "measure/callgrind.h"
#include "profile/callgrind.h"
#include "measure/runner.h"
#include "measure/sampler.h"
#include "render/table.h"

int pb_profile_run(struct pb_runner_opts *o, bool cachegrind, unsigned freq, struct pb_profile *p)
{
	struct pb_profile_sampling how = { cachegrind, freq, NULL, NULL, 0 };

	return pb_profile_run_with(o, &how, p);
}

int pb_profile_run_with(struct pb_runner_opts *o, const struct pb_profile_sampling *how,
			struct pb_profile *p)
{
	bool cachegrind = how->cachegrind;
	struct pb_sampler *sampler = NULL;
	struct pb_measurement m;
	int ret = -1;

	/* One run: the sampler (or cachegrind) is the measurement; the metric only has to exist. */
	o->runs = 1;
	o->warmups = 0;
	o->metric = cachegrind ? "instructions" : "wall";
	o->events = NULL;
	o->backend = cachegrind ? "cachegrind" : "time";
	o->before_exec = NULL;
	o->hook_arg = NULL;
	if (!cachegrind) {
		if (pb_sampler_new(&sampler, how->freq) ||
		    pb_sampler_call_graph(sampler, how->call_graph ? how->call_graph : "fp",
					  how->call_graph_from,
					  how->max_depth ? how->max_depth : PB_SAMPLER_DEPTH_DEFAULT)) {
			pb_sampler_free(sampler);
			return -1;
		}
		o->before_exec = pb_sampler_attach;
		o->hook_arg = sampler;
	}
	pb_measurement_init(&m);
	if (pb_runner_measure(o, &m) || (sampler && pb_sampler_finish(sampler)))
		goto out;
	if (cachegrind ? pb_profile_from_costs(p, &m) :
			 pb_profile_from_samples(p, pb_sampler_samples(sampler)))
		goto out;
	p->command = m.command ? pb_xstrdup(m.command) : NULL;
	p->benchmark = m.benchmark ? pb_xstrdup(m.benchmark) : NULL;
	p->commit = m.commit ? pb_xstrdup(m.commit) : NULL;
	ret = 0;
out:
	pb_measurement_release(&m);
	pb_sampler_free(sampler);
	return ret;
}

/* The last path component. */
static const char *file_part(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int pb_profile_add_calls(struct pb_profile *p, struct pb_runner_opts *o)
{
	struct pb_callgrind cg;
	const struct pb_callgrind_calls *c;
	size_t i, k;

	/* Only the call counts are read: callgrind without its cache simulator. */
	if (pb_callgrind_record_run("profile", o, false, NULL, &cg))
		return -1;
	for (i = 0; i < p->n_fns; i++) {
		p->fns[i].calls = 0;
		for (k = 0; k < cg.n_calls; k++) {
			c = &cg.calls[k];
			if (strcmp(c->fn, p->fns[i].name) != 0)
				continue;
			/* A sampled profile knows the object (cachegrind's names a source file). */
			if (p->backend && strcmp(p->backend, "perf") == 0 && p->fns[i].object &&
			    p->fns[i].object[0] == '/' && strcmp(c->object, "???") != 0 &&
			    strcmp(file_part(c->object), file_part(p->fns[i].object)) != 0)
				continue;
			p->fns[i].calls += c->count;
		}
	}
	p->calls = true;
	pb_callgrind_release(&cg);
	return 0;
}

void pb_profile_init(struct pb_profile *p)
{
	memset(p, 0, sizeof(*p));
}

void pb_profile_release(struct pb_profile *p)
{
	size_t i;

	for (i = 0; i < p->n_fns; i++) {
		free(p->fns[i].name);
		free(p->fns[i].object);
	}
	for (i = 0; i < p->n_stacks; i++)
		free(p->stacks[i].frames);
	free(p->fns);
	free(p->stacks);
	free(p->command);
	free(p->benchmark);
	free(p->commit);
	free(p->event);
	free(p->backend);
	free(p->call_graph);
	memset(p, 0, sizeof(*p));
}

/* ---- hash tables of indexes (slot = index + 1; 0 = empty), grown at half full ---- */

struct index {
	uint32_t *slot;
	size_t cap; /* a power of two */
	size_t n;
};

/* The slot for `hash`: where `eq` says the entry is, else the empty slot where it belongs. */
static uint32_t *index_find(struct index *ix, uint64_t hash, bool (*eq)(const void *ctx, uint32_t i,
							     const void *key),
			    const void *ctx, const void *key)
{
	size_t mask = ix->cap - 1, i;

	for (i = hash & mask; ix->slot[i]; i = (i + 1) & mask)
		if (eq(ctx, ix->slot[i] - 1, key))
			break;
	return &ix->slot[i];
}

/* Make room for one more entry; rehash() gives each existing entry's hash. */
static void index_reserve(struct index *ix, uint64_t (*rehash)(const void *ctx, uint32_t i), const void *ctx)
{
	uint32_t *old = ix->slot;
	size_t old_cap = ix->cap, i, j, mask;

	if ((ix->n + 1) * 2 <= ix->cap)
		return;
	ix->cap = ix->cap ? ix->cap * 2 : 256;
	ix->slot = pb_xcalloc(ix->cap, sizeof(*ix->slot));
	mask = ix->cap - 1;
	for (i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		for (j = rehash(ctx, old[i] - 1) & mask; ix->slot[j]; j = (j + 1) & mask)
			;
		ix->slot[j] = old[i];
	}
	free(old);
}

/* ---- from samples ---- */

struct frame_key {
	uint32_t object;
	uint32_t pid;    /* for JIT code (named per process); 0 for other frames */
	uint64_t offset;
};

struct build {
	struct pb_profile *p;
	const struct pb_samples *s;
	struct pb_symbolizer *sym;
	/* --call-graph dwarf: the unwinder, each space's maps as it takes them, a frame buffer */
	struct pb_unwinder *unw;
	struct pb_unwind_map **umaps; /* per space; NULL until its first sample */
	uint64_t *pcs;
	size_t cap_fns;
	/* (object, offset) → function: each distinct address is symbolized once */
	struct frame_key *fkeys;
	uint32_t *ffn;
	size_t n_frames, cap_fk, cap_ffn;
	struct index frames;
	/* (name, object) → function */
	struct index fns;
	/* call stacks as function sequences, root first, in one array */
	uint32_t *seq;
	size_t n_seq, cap_seq;
	size_t *stack_at;    /* start of stack k in seq[] */
	uint32_t *stack_len;
	uint64_t *stack_count;
	size_t n_stacks, cap_sa, cap_sl, cap_sc;
	struct index stacks;
};

static uint64_t frame_hash(const struct frame_key *k)
{
	return pb_hash64(&k->offset, sizeof(k->offset), PB_HASH64_SEED ^ k->object ^ (uint64_t)k->pid << 32);
}

static bool frame_eq(const void *ctx, uint32_t i, const void *key)
{
	const struct build *b = ctx;
	const struct frame_key *k = key;

	return b->fkeys[i].object == k->object && b->fkeys[i].offset == k->offset &&
	       b->fkeys[i].pid == k->pid;
}

static uint64_t frame_rehash(const void *ctx, uint32_t i)
{
	return frame_hash(&((const struct build *)ctx)->fkeys[i]);
}

struct fn_key {
	const char *name, *object;
};

static uint64_t fn_hash(const char *name, const char *object)
{
	return pb_hash64(name, strlen(name), pb_hash64(object, strlen(object), PB_HASH64_SEED));
}

static bool fn_eq(const void *ctx, uint32_t i, const void *key)
{
	const struct build *b = ctx;
	const struct fn_key *k = key;

	return strcmp(b->p->fns[i].name, k->name) == 0 && strcmp(b->p->fns[i].object, k->object) == 0;
}

static uint64_t fn_rehash(const void *ctx, uint32_t i)
{
	const struct pb_profile_fn *f = &((const struct build *)ctx)->p->fns[i];

	return fn_hash(f->name, f->object);
}

static uint32_t fn_index(struct build *b, const char *name, const char *object)
{
	struct fn_key k = { name, object };
	struct pb_profile_fn *f;
	uint32_t *slot;

	index_reserve(&b->fns, fn_rehash, b);
	slot = index_find(&b->fns, fn_hash(name, object), fn_eq, b, &k);
	if (*slot)
		return *slot - 1;
	pb_xgrow((void **)&b->p->fns, &b->cap_fns, b->p->n_fns + 1, sizeof(*b->p->fns));
	f = &b->p->fns[b->p->n_fns];
	memset(f, 0, sizeof(*f));
	f->name = pb_xstrdup(name);
	f->object = pb_xstrdup(object);
	*slot = (uint32_t)++b->p->n_fns;
	b->fns.n++;
	return *slot - 1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/*
 * Code a JIT may have written: outside any mapping, or in anonymous memory ("//anon", the name
 * the kernel gives it; its offset is then the address, as the kernel reports an anonymous
 * mapping's page offset as its start).
 */
static bool jit_frame(const struct build *b, const struct pb_frame *f)
{
	const char *path;

	if (f->object == PB_SAMPLE_UNMAPPED)
		return true;
	if (f->object >= b->s->n_objects)
		return false;
	path = b->s->objects[f->object].path;
	return strcmp(path, "//anon") == 0 || strncmp(path, "/anon_hugepage", 14) == 0 ||
	       strncmp(path, "[anon", 5) == 0;
}

/* Name the function of one frame of process `pid`. */
static uint32_t name_frame(struct build *b, const struct pb_frame *f, uint32_t pid)
{
	const struct pb_sample_object *o;
	const char *sym, *map = NULL;
	char *name;
	uint32_t fn;

	if (f->object == PB_SAMPLE_KERNEL)
		return fn_index(b, PB_PROFILE_KERNEL, PB_PROFILE_KERNEL);
	if (jit_frame(b, f) && (sym = pb_symbolize_jit(b->sym, pid, f->offset, &map)))
		return fn_index(b, sym, map);
	if (f->object >= b->s->n_objects)
		return fn_index(b, PB_PROFILE_UNKNOWN, PB_PROFILE_UNKNOWN);
	o = &b->s->objects[f->object];
	sym = o->file ? pb_symbolize(b->sym, o->path, f->offset) : NULL;
	if (sym)
		return fn_index(b, sym, o->path);
	/* Code no symbol covers counts for its object: "[libc.so.6]", "[vdso]". */
	name = o->path[0] == '[' ? pb_xstrdup(o->path) : pb_xasprintf("[%s]", base_name(o->path));
	fn = fn_index(b, name, o->path);
	free(name);
	return fn;
}

static uint32_t frame_fn(struct build *b, const struct pb_frame *f, uint32_t pid)
{
	struct frame_key k = { f->object, jit_frame(b, f) ? pid : 0,
			       f->object == PB_SAMPLE_KERNEL ? 0 : f->offset };
	uint32_t *slot, fn;

	index_reserve(&b->frames, frame_rehash, b);
	slot = index_find(&b->frames, frame_hash(&k), frame_eq, b, &k);
	if (*slot)
		return b->ffn[*slot - 1];
	fn = name_frame(b, f, pid);
	/* name_frame() does not touch the frame index, so the slot is still the right one. */
	pb_xgrow((void **)&b->fkeys, &b->cap_fk, b->n_frames + 1, sizeof(*b->fkeys));
	pb_xgrow((void **)&b->ffn, &b->cap_ffn, b->n_frames + 1, sizeof(*b->ffn));
	b->fkeys[b->n_frames] = k;
	b->ffn[b->n_frames] = fn;
	*slot = (uint32_t)++b->n_frames;
	b->frames.n++;
	return fn;
}

struct seq_key {
	const uint32_t *fns;
	uint32_t n;
};

static uint64_t seq_hash(const uint32_t *fns, uint32_t n)
{
	return pb_hash64(fns, n * sizeof(*fns), PB_HASH64_SEED);
}

static bool seq_eq(const void *ctx, uint32_t i, const void *key)
{
	const struct build *b = ctx;
	const struct seq_key *k = key;

	return b->stack_len[i] == k->n &&
	       memcmp(b->seq + b->stack_at[i], k->fns, k->n * sizeof(*k->fns)) == 0;
}

static uint64_t seq_rehash(const void *ctx, uint32_t i)
{
	const struct build *b = ctx;

	return seq_hash(b->seq + b->stack_at[i], b->stack_len[i]);
}

/* Count the stack held at the end of b->seq (from `start`): a new one, or drop it as a repeat. */
static void count_stack(struct build *b, size_t start)
{
	struct seq_key k;
	uint32_t *slot;

	index_reserve(&b->stacks, seq_rehash, b);
	k.fns = b->seq + start;
	k.n = (uint32_t)(b->n_seq - start);
	slot = index_find(&b->stacks, seq_hash(k.fns, k.n), seq_eq, b, &k);
	if (*slot) {
		b->stack_count[*slot - 1]++;
		b->n_seq = start;
		return;
	}
	pb_xgrow((void **)&b->stack_at, &b->cap_sa, b->n_stacks + 1, sizeof(*b->stack_at));
	pb_xgrow((void **)&b->stack_len, &b->cap_sl, b->n_stacks + 1, sizeof(*b->stack_len));
	pb_xgrow((void **)&b->stack_count, &b->cap_sc, b->n_stacks + 1, sizeof(*b->stack_count));
	b->stack_at[b->n_stacks] = start;
	b->stack_len[b->n_stacks] = k.n;
	b->stack_count[b->n_stacks] = 1;
	*slot = (uint32_t)++b->n_stacks;
	b->stacks.n++;
}

static int cmp_fn(const void *pa, const void *pb)
{
	const struct pb_profile_fn *a = pa, *b = pb;
	int c;

	if (a->samples != b->samples)
		return a->samples > b->samples ? -1 : 1;
	c = strcmp(a->name, b->name);
	return c ? c : strcmp(a->object ? a->object : "", b->object ? b->object : "");
}

static int cmp_stack(const void *pa, const void *pb)
{
	return strcmp(((const struct pb_profile_stack *)pa)->frames,
		      ((const struct pb_profile_stack *)pb)->frames);
}

/* A function name as one folded frame: ';' separates frames and a newline ends the line. */
static void put_frame(struct pb_buf *out, const char *name)
{
	for (; *name; name++)
		pb_buf_putc(out, *name == ';' ? ':' : *name == '\n' ? ' ' : *name);
}

static void finish_stacks(struct build *b)
{
	struct pb_profile *p = b->p;
	struct pb_buf line = PB_BUF_INIT;
	size_t k;
	uint32_t i;

	p->stacks = pb_xcalloc(b->n_stacks + 1, sizeof(*p->stacks));
	for (k = 0; k < b->n_stacks; k++) {
		pb_buf_reset(&line);
		for (i = 0; i < b->stack_len[k]; i++) {
			if (i)
				pb_buf_putc(&line, ';');
			put_frame(&line, p->fns[b->seq[b->stack_at[k] + i]].name);
		}
		p->stacks[k].frames = pb_buf_detach(&line);
		p->stacks[k].count = b->stack_count[k];
	}
	p->n_stacks = b->n_stacks;
	if (p->n_stacks > 1)
		qsort(p->stacks, p->n_stacks, sizeof(*p->stacks), cmp_stack);
	pb_buf_release(&line);
}

/* Anonymous code no perf map named, when it holds a noticeable share: JIT code, most likely. */
static void warn_unnamed_jit(const struct pb_profile *p)
{
	double share = 0;
	size_t i;

	for (i = 0; i < p->n_fns; i++)
		if (strcmp(p->fns[i].object, "//anon") == 0 || strncmp(p->fns[i].object, "[anon", 5) == 0 ||
		    strncmp(p->fns[i].object, "/anon_hugepage", 14) == 0)
			share += p->fns[i].share;
	if (share >= 0.05)
		pb_warn("%.1f%% of the samples are in anonymous memory that no /tmp/perf-PID.map names "
			"(JIT code?): run the JIT with its perf map on (node --perf-basic-prof, "
			"python3.12 -X perf, java with perf-map-agent) to name its functions", 100 * share);
}

/* The address space's mappings as the unwinder takes them (built once per space). */
static const struct pb_unwind_map *unwind_maps(struct build *b, uint32_t space)
{
	const struct pb_sample_space *sp = &b->s->spaces[space];
	const struct pb_sample_object *o;
	struct pb_unwind_map *m;
	size_t i;

	if (b->umaps[space])
		return b->umaps[space];
	m = b->umaps[space] = pb_xcalloc(sp->n_maps + 1, sizeof(*m));
	for (i = 0; i < sp->n_maps; i++) {
		o = sp->maps[i].object < b->s->n_objects ? &b->s->objects[sp->maps[i].object] : NULL;
		m[i] = (struct pb_unwind_map){ sp->maps[i].start, sp->maps[i].end, sp->maps[i].pgoff,
					       o && o->file ? o->path : NULL };
	}
	return m;
}

/*
 * Append the sample's frames to b->seq, root first: a DWARF sample's user stack unwound (after
 * the kernel's frames the sampler kept), else the sampler's frames. Sets *truncated when the
 * stack went deeper than max_depth. Returns the number of user frames.
 */
static uint32_t sample_frames(struct build *b, const struct pb_sample *smp, unsigned max_depth,
			      bool *truncated)
{
	const struct pb_samples *s = b->s;
	const struct pb_sample_user *u;
	struct pb_frame f;
	uint32_t j, kernel = 0, user = 0;
	size_t n = 0, room;

	*truncated = smp->truncated;
	if (smp->user && smp->user <= s->n_users && smp->space < s->n_spaces && b->unw) {
		u = &s->users[smp->user - 1];
		/* The kernel part: the sampler's frames before the user leaf. */
		while (kernel < smp->n && s->frames[smp->first + kernel].object == PB_SAMPLE_KERNEL)
			kernel++;
		room = max_depth > kernel ? max_depth - kernel : 1;
		pb_unwind(b->unw, smp->space, unwind_maps(b, smp->space), smp->n_maps, u->regs,
			  s->stacks + u->stack_at, u->stack_size, b->pcs, room + 1, &n);
		if (n > room) {
			n = room;
			*truncated = true;
		}
		pb_xgrow((void **)&b->seq, &b->cap_seq, b->n_seq + n + kernel, sizeof(*b->seq));
		while (n-- > 0) {
			f = pb_samples_resolve(s, smp->space, smp->n_maps, b->pcs[n]);
			b->seq[b->n_seq++] = frame_fn(b, &f, smp->pid);
			user++;
		}
		for (j = kernel; j-- > 0;)
			b->seq[b->n_seq++] = frame_fn(b, &s->frames[smp->first + j], smp->pid);
		return user;
	}
	pb_xgrow((void **)&b->seq, &b->cap_seq, b->n_seq + smp->n, sizeof(*b->seq));
	/* Frames are leaf first; the folded format wants the root first. */
	for (j = smp->n; j-- > 0;) {
		b->seq[b->n_seq++] = frame_fn(b, &s->frames[smp->first + j], smp->pid);
		user += s->frames[smp->first + j].object != PB_SAMPLE_KERNEL;
	}
	return user;
}

/* A frame-pointer chain that ends at the leaf: no caller, or a caller no mapping holds. */
static bool stops_at_leaf(const struct pb_samples *s, const struct pb_sample *smp)
{
	const struct pb_frame *f = &s->frames[smp->first];
	uint32_t j, user = 0;

	for (j = 0; j < smp->n; j++) {
		if (f[j].object == PB_SAMPLE_KERNEL)
			continue;
		if (++user == 2)
			return f[j].object == PB_SAMPLE_UNMAPPED;
	}
	return user == 1;
}

int pb_profile_from_samples(struct pb_profile *p, const struct pb_samples *s)
{
	struct build b;
	const struct pb_sample *smp;
	unsigned max_depth = s->max_depth ? s->max_depth : PB_SAMPLER_DEPTH_DEFAULT;
	size_t i, start;
	uint32_t user, fn;
	bool truncated;

	memset(&b, 0, sizeof(b));
	b.p = p;
	b.s = s;
	if (s->n_users) {
		if (pb_unwinder_new(&b.unw))
			return -1;
		b.umaps = pb_xcalloc(s->n_spaces + 1, sizeof(*b.umaps));
		b.pcs = pb_xcalloc((size_t)max_depth + 2, sizeof(*b.pcs));
	}
	b.sym = pb_symbolizer_new();
	p->event = pb_xstrdup(s->event);
	p->backend = pb_xstrdup("perf");
	p->call_graph = pb_xstrdup(s->call_graph == PB_CALL_GRAPH_DWARF ? "dwarf" : "fp");
	p->max_depth = max_depth;
	p->kernel = s->kernel;
	p->freq = s->freq;
	p->lost = s->lost + s->dropped;
	p->samples = s->n_samples;
	for (i = 0; i < s->n_samples; i++) {
		smp = &s->samples[i];
		if (smp->n == 0)
			continue;
		start = b.n_seq;
		/* Room for a "[truncated]" root in front. */
		pb_xgrow((void **)&b.seq, &b.cap_seq, b.n_seq + 1, sizeof(*b.seq));
		b.n_seq++;
		user = sample_frames(&b, smp, max_depth, &truncated);
		if (truncated) {
			b.seq[start] = fn_index(&b, PB_PROFILE_TRUNCATED, PB_PROFILE_TRUNCATED);
			p->truncated++;
		} else {
			memmove(b.seq + start, b.seq + start + 1, (b.n_seq - start - 1) * sizeof(*b.seq));
			b.n_seq--;
		}
		if (user) {
			p->user_stacks++;
			if (s->call_graph == PB_CALL_GRAPH_FP && !smp->user && stops_at_leaf(s, smp))
				p->stopped_at_leaf++;
		}
		fn = b.seq[b.n_seq - 1];
		p->fns[fn].samples++;
		count_stack(&b, start);
	}
	finish_stacks(&b);
	for (i = 0; i < p->n_fns; i++)
		p->fns[i].share = p->samples ? (double)p->fns[i].samples / (double)p->samples : 0;
	if (p->n_fns > 1)
		qsort(p->fns, p->n_fns, sizeof(*p->fns), cmp_fn);
	/* Callers without samples of their own named stack frames; the list is of self samples. */
	while (p->n_fns > 0 && p->fns[p->n_fns - 1].samples == 0) {
		p->n_fns--;
		free(p->fns[p->n_fns].name);
		free(p->fns[p->n_fns].object);
	}
	warn_unnamed_jit(p);
	pb_symbolizer_free(b.sym);
	pb_unwinder_free(b.unw);
	if (b.umaps)
		for (i = 0; i < s->n_spaces; i++)
			free(b.umaps[i]);
	free(b.umaps);
	free(b.pcs);
	free(b.fkeys);
	free(b.ffn);
	free(b.frames.slot);
	free(b.fns.slot);
	free(b.seq);
	free(b.stack_at);
	free(b.stack_len);
	free(b.stack_count);
	free(b.stacks.slot);
	return 0;
}

char *pb_profile_stack_warning(const struct pb_profile *p)
{
	if (!p->call_graph || strcmp(p->call_graph, "fp") != 0 || p->user_stacks < 10 ||
	    p->stopped_at_leaf * 2 <= p->user_stacks)
		return NULL;
	return pb_xasprintf("%.0f%% of stacks stop after the leaf (%llu of %llu samples): the binary has "
			    "no frame pointers; use --call-graph dwarf or build with "
			    "-fno-omit-frame-pointer", 100.0 * (double)p->stopped_at_leaf /
			    (double)p->user_stacks, (unsigned long long)p->stopped_at_leaf,
			    (unsigned long long)p->user_stacks);
}

/* ---- from cachegrind's costs ---- */

int pb_profile_from_costs(struct pb_profile *p, const struct pb_measurement *m)
{
	double total = pb_measurement_counter(m, "Ir");
	size_t i;

	if (m->n_functions == 0 || !(total > 0))
		return pb_error_as(PB_EXIT_ENV, "cachegrind recorded no per-function costs for '%s' "
				   "(did the run fail? see the warnings above)",
				   m->command ? m->command : "the benchmark");
	p->event = pb_xstrdup("Ir");
	p->backend = pb_xstrdup("cachegrind");
	p->samples = (uint64_t)llround(total);
	p->fns = pb_xcalloc(m->n_functions, sizeof(*p->fns));
	for (i = 0; i < m->n_functions; i++) {
		p->fns[i].name = pb_xstrdup(m->functions[i].name);
		p->fns[i].object = m->functions[i].file ? pb_xstrdup(m->functions[i].file) : NULL;
		p->fns[i].samples = (uint64_t)llround(m->functions[i].ir);
		p->fns[i].i1mr = (uint64_t)llround(m->functions[i].i1mr);
		p->fns[i].share = m->functions[i].ir / total;
	}
	p->n_fns = m->n_functions;
	qsort(p->fns, p->n_fns, sizeof(*p->fns), cmp_fn);
	return 0;
}

/* ---- output ---- */

void pb_profile_write_json(const struct pb_profile *p, struct pb_jsonw *w)
{
	bool cg = p->backend && strcmp(p->backend, "cachegrind") == 0;
	size_t i;

	pb_jsonw_object(w, NULL);
	pb_jsonw_string(w, "schema", PB_PROFILE_SCHEMA);
	if (p->command)
		pb_jsonw_string(w, "command", p->command);
	if (p->benchmark)
		pb_jsonw_string(w, "benchmark", p->benchmark);
	if (p->commit)
		pb_jsonw_string(w, "commit", p->commit);
	pb_jsonw_string(w, "event", p->event);
	pb_jsonw_string(w, "backend", p->backend);
	pb_jsonw_int(w, "samples", (int64_t)p->samples);
	pb_jsonw_int(w, "lost", (int64_t)p->lost);
	pb_jsonw_bool(w, "kernel", p->kernel);
	pb_jsonw_int(w, "freq", p->freq);
	if (p->call_graph) {
		pb_jsonw_string(w, "call_graph", p->call_graph);
		pb_jsonw_int(w, "max_depth", p->max_depth);
		pb_jsonw_int(w, "truncated", (int64_t)p->truncated);
		pb_jsonw_int(w, "stopped_at_leaf", (int64_t)p->stopped_at_leaf);
	}
	pb_jsonw_array(w, "functions");
	for (i = 0; i < p->n_fns; i++) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "name", p->fns[i].name);
		pb_jsonw_string(w, "object", p->fns[i].object);
		pb_jsonw_int(w, "samples", (int64_t)p->fns[i].samples);
		pb_jsonw_number(w, "share", p->fns[i].share);
		if (cg) {
			pb_jsonw_int(w, "Ir", (int64_t)p->fns[i].samples);
			pb_jsonw_int(w, "I1mr", (int64_t)p->fns[i].i1mr);
		}
		if (p->calls)
			pb_jsonw_int(w, "calls", (int64_t)p->fns[i].calls);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	pb_jsonw_end(w);
	pb_jsonw_finish(w);
}

void pb_profile_write_folded(const struct pb_profile *p, struct pb_buf *out)
{
	size_t i;

	for (i = 0; i < p->n_stacks; i++)
		pb_buf_printf(out, "%s %llu\n", p->stacks[i].frames,
			      (unsigned long long)p->stacks[i].count);
}

void pb_profile_write_text(const struct pb_profile *p, size_t top, struct pb_buf *out)
{
	static const char *const head[] = { "share", "samples", "function", "object" };
	static const char *const head_calls[] = { "share", "samples", "calls", "function", "object" };
	static const char *const head_cg[] = { "share", "Ir", "I1mr", "function", "file" };
	static const char *const head_cg_calls[] = { "share", "Ir", "I1mr", "calls", "function", "file" };
	bool cg = p->backend && strcmp(p->backend, "cachegrind") == 0;
	struct pb_table *t = cg ? (p->calls ? pb_table_new(6, head_cg_calls) : pb_table_new(5, head_cg))
				: (p->calls ? pb_table_new(5, head_calls) : pb_table_new(4, head));
	size_t i, n = p->n_fns < top ? p->n_fns : top;

	pb_buf_printf(out, "Profile of '%s'%s%s", p->command ? p->command : "?",
		      p->benchmark ? " as " : "", p->benchmark ? p->benchmark : "");
	if (cg)
		pb_buf_printf(out, ": %llu instructions (cachegrind, exact)\n",
			      (unsigned long long)p->samples);
	else
		pb_buf_printf(out, ": %llu samples of %s at %u Hz, %llu lost; kernel code %s\n",
			      (unsigned long long)p->samples, p->event, p->freq,
			      (unsigned long long)p->lost,
			      p->kernel ? "counted as [kernel]" : "excluded (perf_event_paranoid)");
	pb_table_align_right(t, 0);
	pb_table_align_right(t, 1);
	if (cg || p->calls)
		pb_table_align_right(t, 2);
	if (cg && p->calls)
		pb_table_align_right(t, 3);
	for (i = 0; i < n; i++) {
		pb_table_cellf(t, "%.2f%%", 100.0 * p->fns[i].share);
		pb_table_cellf(t, "%llu", (unsigned long long)p->fns[i].samples);
		if (cg)
			pb_table_cellf(t, "%llu", (unsigned long long)p->fns[i].i1mr);
		if (p->calls)
			pb_table_cellf(t, "%llu", (unsigned long long)p->fns[i].calls);
		pb_table_cell(t, p->fns[i].name);
		pb_table_cell(t, p->fns[i].object ? base_name(p->fns[i].object) : "?");
	}
	pb_buf_putc(out, '\n');
	pb_table_render_text(t, out);
	if (p->n_fns > n)
		pb_buf_printf(out, "(%zu more functions; --top N shows more)\n", p->n_fns - n);
	pb_table_free(t);
}

/* What a profile document promises its readers (layout --profile, the report). */
static const struct pb_schema_rule profile_rules[] = {
	{ "event", PB_S_STR | PB_S_REQ },
	{ "samples", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "lost", PB_S_NUM | PB_S_NONNEG | PB_S_INT },
	{ "functions", PB_S_ARR | PB_S_REQ },
	{ "functions[].name", PB_S_STR | PB_S_REQ },
	{ "functions[].samples", PB_S_NUM | PB_S_REQ | PB_S_NONNEG | PB_S_INT },
	{ "functions[].share", PB_S_NUM | PB_S_NONNEG },
	{ NULL, 0 },
};

const struct pb_schema pb_profile_schema = { PB_PROFILE_SCHEMA, profile_rules };
