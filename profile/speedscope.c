/* speedscope.c: folded stacks → speedscope's sampled profile: shared frames, one weighted sample per distinct stack. */
#include "profile/speedscope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

/* Frame names → index (slot = index + 1; 0 empty), open addressing, grown at half full. */
struct names {
	char **v;
	size_t n, cap_v;
	uint32_t *slot;
	size_t cap;
};

static uint32_t name_index(struct names *t, const char *name, size_t len)
{
	size_t i, mask;

	if ((t->n + 1) * 2 > t->cap) {
		uint32_t *old = t->slot;
		size_t old_cap = t->cap;

		t->cap = t->cap ? t->cap * 2 : 256;
		t->slot = pb_xcalloc(t->cap, sizeof(*t->slot));
		for (i = 0; i < old_cap; i++) {
			const char *s = old[i] ? t->v[old[i] - 1] : NULL;
			size_t j;

			if (!s)
				continue;
			for (j = pb_hash64(s, strlen(s), PB_HASH64_SEED) & (t->cap - 1); t->slot[j];
			     j = (j + 1) & (t->cap - 1))
				;
			t->slot[j] = old[i];
		}
		free(old);
	}
	mask = t->cap - 1;
	for (i = pb_hash64(name, len, PB_HASH64_SEED) & mask; t->slot[i]; i = (i + 1) & mask) {
		const char *s = t->v[t->slot[i] - 1];

		if (strncmp(s, name, len) == 0 && s[len] == '\0')
			return t->slot[i] - 1;
	}
	pb_xgrow((void **)&t->v, &t->cap_v, t->n + 1, sizeof(*t->v));
	t->v[t->n] = pb_xstrndup(name, len);
	t->slot[i] = (uint32_t)++t->n;
	return (uint32_t)(t->n - 1);
}

void pb_profile_write_speedscope(const struct pb_profile *p, const char *name, struct pb_buf *out)
{
	struct names t = { 0 };
	struct pb_jsonw w;
	uint32_t **stacks = pb_xcalloc(p->n_stacks + 1, sizeof(*stacks));
	size_t *depth = pb_xcalloc(p->n_stacks + 1, sizeof(*depth));
	uint64_t weight = 0;
	size_t i, k, cap;

	/* Index every stack's frames first: shared.frames comes before the samples in the file. */
	for (i = 0; i < p->n_stacks; i++) {
		const char *f = p->stacks[i].frames, *end;

		cap = 0;
		while (*f) {
			end = strchr(f, ';');
			if (!end)
				end = f + strlen(f);
			pb_xgrow((void **)&stacks[i], &cap, depth[i] + 1, sizeof(**stacks));
			stacks[i][depth[i]++] = name_index(&t, f, (size_t)(end - f));
			f = *end ? end + 1 : end;
		}
		weight += p->stacks[i].count;
	}
	pb_jsonw_init(&w, out, true);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "$schema", "https://www.speedscope.app/file-format-schema.json");
	pb_jsonw_string(&w, "exporter", "placebisect");
	pb_jsonw_string(&w, "name", name);
	pb_jsonw_int(&w, "activeProfileIndex", 0);
	pb_jsonw_object(&w, "shared");
	pb_jsonw_array(&w, "frames");
	for (i = 0; i < t.n; i++) {
		pb_jsonw_object(&w, NULL);
		pb_jsonw_string(&w, "name", t.v[i]);
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_array(&w, "profiles");
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "type", "sampled");
	pb_jsonw_string(&w, "name", name);
	pb_jsonw_string(&w, "unit", "none");
	pb_jsonw_int(&w, "startValue", 0);
	pb_jsonw_int(&w, "endValue", (int64_t)weight);
	pb_jsonw_array(&w, "samples");
	for (i = 0; i < p->n_stacks; i++) {
		pb_jsonw_array(&w, NULL);
		for (k = 0; k < depth[i]; k++)
			pb_jsonw_int(&w, NULL, stacks[i][k]);
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	pb_jsonw_array(&w, "weights");
	for (i = 0; i < p->n_stacks; i++)
		pb_jsonw_int(&w, NULL, (int64_t)p->stacks[i].count);
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_finish(&w);
	pb_buf_putc(out, '\n');
	for (i = 0; i < p->n_stacks; i++)
		free(stacks[i]);
	free(stacks);
	free(depth);
	for (i = 0; i < t.n; i++)
		free(t.v[i]);
	free(t.v);
	free(t.slot);
}
