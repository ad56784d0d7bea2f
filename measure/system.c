/* system.c: read the machine's measurement-relevant state (PMU, frequency, noise knobs), tune and reset it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/counters.h"
#include "measure/system.h"
#include "render/table.h"

/* The first line of root+path, trimmed; NULL when unreadable. Caller frees. */
static char *read_knob(const char *root, const char *path)
{
	char *full = pb_xasprintf("%s%s", root ? root : "", path);
	char *ret = NULL;
	FILE *f = fopen(full, "r");
	char line[4096];

	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			ret = pb_xstrdup(line);
		} else {
			ret = pb_xstrdup("");
		}
		fclose(f);
	}
	free(full);
	return ret;
}

static long read_long(const char *root, const char *path, long fallback)
{
	char *s = read_knob(root, path);
	int64_t v;
	long ret = fallback;

	if (s && pb_parse_i64(s, -(1LL << 40), 1LL << 40, &v) == 0)
		ret = (long)v;
	free(s);
	return ret;
}

static char *cpu_model(const char *root)
{
	char *path = pb_xasprintf("%s/proc/cpuinfo", root ? root : "");
	FILE *f = fopen(path, "r");
	char line[512], *colon, *ret = NULL;

	free(path);
	if (!f)
		return NULL;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) != 0 || !(colon = strchr(line, ':')))
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		ret = pb_xstrdup(colon);
	}
	fclose(f);
	return ret;
}

static bool level_is(const char *s, int level)
{
	int64_t v;

	return pb_parse_i64(s, 0, 9, &v) == 0 && v == level;
}

/* "32K 8-way 64B" for the cache of `level` and `type` of cpu0; NULL when absent. */
static char *cache_desc(const char *root, int level, const char *type)
{
	char path[128], *lv, *ty, *size, *ways, *line, *ret = NULL;
	int i;

	for (i = 0; i < 16 && !ret; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		lv = read_knob(root, path);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		ty = read_knob(root, path);
		if (lv && ty && level_is(lv, level) && strcmp(ty, type) == 0) {
			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
			size = read_knob(root, path);
			snprintf(path, sizeof(path),
				 "/sys/devices/system/cpu/cpu0/cache/index%d/ways_of_associativity", i);
			ways = read_knob(root, path);
			snprintf(path, sizeof(path),
				 "/sys/devices/system/cpu/cpu0/cache/index%d/coherency_line_size", i);
			line = read_knob(root, path);
			ret = pb_xasprintf("%s %s-way %sB", size ? size : "?", ways ? ways : "?",
					   line ? line : "?");
			free(size);
			free(ways);
			free(line);
		}
		free(lv);
		free(ty);
	}
	return ret;
}

static void advise(struct pb_buf *list, size_t *n, const char *fmt, ...) PB_PRINTF(3, 4);

/* Advice lines are kept NUL-separated in `list` until probe turns them into an array. */
static void advise(struct pb_buf *list, size_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pb_buf_vprintf(list, fmt, ap);
	va_end(ap);
	pb_buf_putc(list, '\0');
	(*n)++;
}

static void probe_presets(struct pb_system *s)
{
	const char *const *ev;
	struct pb_buf list = PB_BUF_INIT, why = PB_BUF_INIT;
	size_t i, j;
	int r;

	for (i = 0; i < PB_ARRAY_SIZE(s->presets) && pb_counters_presets[i]; i++) {
		struct pb_system_preset *p = &s->presets[i];

		p->name = pb_counters_presets[i];
		pb_counters_preset(p->name, &ev);
		pb_buf_reset(&list);
		p->opens = true;
		for (j = 0; ev[j]; j++) {
			pb_buf_printf(&list, "%s%s", j ? "," : "", ev[j]);
			if (!p->opens)
				continue;
			pb_buf_reset(&why);
			r = pb_counters_probe(ev[j], &why);
			if (r < 0) {
				/* libpfm4 does not know it on this host: say so rather than fail. */
				pb_buf_printf(&why, "%s", pb_error_message());
				pb_error_clear();
			}
			if (r != 1) {
				p->opens = false;
				p->reason = pb_xasprintf("%s: %s", ev[j], why.data);
			}
		}
		p->events = pb_xstrdup(list.data);
	}
	pb_buf_release(&list);
	pb_buf_release(&why);
}

void pb_system_probe(struct pb_system *s, const char *root)
{
	struct pb_buf adv = PB_BUF_INIT, why = PB_BUF_INIT;
	struct utsname u;
	size_t n = 0, i;
	const char *p;
	int r;

	memset(s, 0, sizeof(*s));
	s->cpu_model = cpu_model(root);
	if (!root && uname(&u) == 0)
		s->kernel = pb_xasprintf("%s %s", u.sysname, u.release);
	else
		s->kernel = read_knob(root, "/proc/sys/kernel/osrelease");
	s->pmu = pb_xstrdup(pb_counters_pmu());
	s->online = read_knob(root, "/sys/devices/system/cpu/online");
	r = pb_counters_probe("cycles", &why);
	s->hardware_counters = r == 1;
	if (r < 0) {
		pb_buf_puts(&why, pb_error_message());
		pb_error_clear();
	}
	s->hw_reason = r == 1 ? NULL : pb_xstrdup(why.data);
	probe_presets(s);
	s->paranoid = (int)read_long(root, "/proc/sys/kernel/perf_event_paranoid", -99);
	s->governor = read_knob(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	s->boost = (int)read_long(root, "/sys/devices/system/cpu/cpufreq/boost", -1);
	if (s->boost < 0) {
		/* intel_pstate says it the other way round. */
		long no_turbo = read_long(root, "/sys/devices/system/cpu/intel_pstate/no_turbo", -1);

		s->boost = no_turbo < 0 ? -1 : !no_turbo;
	}
	s->smt = read_knob(root, "/sys/devices/system/cpu/smt/control");
	s->aslr = (int)read_long(root, "/proc/sys/kernel/randomize_va_space", -1);
	s->isolcpus = read_knob(root, "/sys/devices/system/cpu/isolated");
	s->nohz_full = read_knob(root, "/sys/devices/system/cpu/nohz_full");
	s->max_sample_rate = read_long(root, "/proc/sys/kernel/perf_event_max_sample_rate", -1);
	s->cache_l1i = cache_desc(root, 1, "Instruction");
	s->cache_l1d = cache_desc(root, 1, "Data");
	s->cache_l2 = cache_desc(root, 2, "Unified");
	s->cache_l3 = cache_desc(root, 3, "Unified");

	if (!s->hardware_counters)
		advise(&adv, &n, "no hardware counters (cycles: %s); use --backend cachegrind for exact "
		       "simulated I1/D1/LL counts, or measure on bare metal", s->hw_reason);
	if (s->paranoid >= 2 && geteuid() != 0)
		advise(&adv, &n, "kernel.perf_event_paranoid is %d: unprivileged users count only "
		       "their own user-space events; `sysctl kernel.perf_event_paranoid=1` (or "
		       "CAP_PERFMON) allows more", s->paranoid);
	if (!s->governor)
		advise(&adv, &n, "no cpufreq interface: the frequency is set by firmware or a hypervisor; "
		       "there is no governor to tune");
	else if (strcmp(s->governor, "performance") != 0)
		advise(&adv, &n, "CPU frequency governor is '%s': frequency changes add noise; "
		       "`placebisect system tune` sets 'performance'", s->governor);
	if (s->boost == 1)
		advise(&adv, &n, "turbo/boost is on: the clock depends on temperature and load; "
		       "`placebisect system tune` turns it off");
	if (s->smt && strcmp(s->smt, "on") == 0)
		advise(&adv, &n, "SMT is on: a sibling hardware thread shares the core's caches; keep "
		       "the sibling of the --cpus CPU idle, or `echo off > "
		       "/sys/devices/system/cpu/smt/control`");
	if (s->aslr == 2 || s->aslr == 1)
		advise(&adv, &n, "ASLR is on (kernel.randomize_va_space=%d): stack and mmap addresses "
		       "change per run, a source of layout noise; `sysctl kernel.randomize_va_space=0` "
		       "removes it for a session", s->aslr);
	if (!s->isolcpus || !s->isolcpus[0])
		advise(&adv, &n, "no isolated CPUs: the benchmark shares its CPU with other tasks; boot "
		       "with isolcpus=N nohz_full=N and measure with --cpus N");
	s->advice = pb_xcalloc(n + 1, sizeof(*s->advice));
	for (i = 0, p = adv.data; i < n; i++, p += strlen(p) + 1)
		s->advice[i] = pb_xstrdup(p);
	pb_buf_release(&adv);
	pb_buf_release(&why);
}

void pb_system_release(struct pb_system *s)
{
	size_t i;

	free(s->cpu_model);
	free(s->kernel);
	free(s->pmu);
	free(s->online);
	free(s->hw_reason);
	for (i = 0; i < PB_ARRAY_SIZE(s->presets); i++) {
		free(s->presets[i].events);
		free(s->presets[i].reason);
	}
	free(s->governor);
	free(s->smt);
	free(s->isolcpus);
	free(s->nohz_full);
	free(s->cache_l1i);
	free(s->cache_l1d);
	free(s->cache_l2);
	free(s->cache_l3);
	for (i = 0; s->advice && s->advice[i]; i++)
		free(s->advice[i]);
	free(s->advice);
	memset(s, 0, sizeof(*s));
}

static void write_str(struct pb_jsonw *w, const char *key, const char *v)
{
	if (v)
		pb_jsonw_string(w, key, v);
	else
		pb_jsonw_null(w, key);
}

static void write_int(struct pb_jsonw *w, const char *key, long v, long unknown)
{
	if (v == unknown)
		pb_jsonw_null(w, key);
	else
		pb_jsonw_int(w, key, v);
}

/* The fields both the full object and the measurement's compact one carry. */
static void write_common(const struct pb_system *s, struct pb_jsonw *w)
{
	write_str(w, "cpu_model", s->cpu_model);
	write_str(w, "kernel", s->kernel);
	write_str(w, "pmu", s->pmu);
	pb_jsonw_bool(w, "hardware_counters", s->hardware_counters);
	write_int(w, "perf_event_paranoid", s->paranoid, -99);
	write_str(w, "governor", s->governor);
	if (s->boost < 0)
		pb_jsonw_null(w, "boost");
	else
		pb_jsonw_bool(w, "boost", s->boost == 1);
	write_str(w, "smt", s->smt);
	write_int(w, "aslr", s->aslr, -1);
}

void pb_system_write(const struct pb_system *s, struct pb_jsonw *w, const char *key)
{
	size_t i;

	pb_jsonw_object(w, key);
	write_common(s, w);
	write_str(w, "hardware_counters_reason", s->hw_reason);
	write_str(w, "online", s->online);
	pb_jsonw_object(w, "presets");
	for (i = 0; i < PB_ARRAY_SIZE(s->presets) && s->presets[i].name; i++) {
		pb_jsonw_object(w, s->presets[i].name);
		write_str(w, "events", s->presets[i].events);
		pb_jsonw_bool(w, "opens", s->presets[i].opens);
		write_str(w, "reason", s->presets[i].reason);
		pb_jsonw_end(w);
	}
	pb_jsonw_end(w);
	write_str(w, "isolcpus", s->isolcpus);
	write_str(w, "nohz_full", s->nohz_full);
	write_int(w, "perf_event_max_sample_rate", s->max_sample_rate, -1);
	pb_jsonw_object(w, "cache");
	write_str(w, "L1i", s->cache_l1i);
	write_str(w, "L1d", s->cache_l1d);
	write_str(w, "L2", s->cache_l2);
	write_str(w, "L3", s->cache_l3);
	pb_jsonw_end(w);
	pb_jsonw_array(w, "advice");
	for (i = 0; s->advice && s->advice[i]; i++)
		pb_jsonw_string(w, NULL, s->advice[i]);
	pb_jsonw_end(w);
	pb_jsonw_end(w);
}

struct pb_json *pb_system_measurement_json(const struct pb_system *s, const char *cpus, long env_pad)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_jsonw w;
	struct pb_json *doc = NULL;

	pb_jsonw_init(&w, &b, true);
	pb_jsonw_object(&w, NULL);
	write_common(s, &w);
	write_str(&w, "cpus", cpus);
	pb_jsonw_int(&w, "env_pad", env_pad);
	pb_jsonw_end(&w);
	pb_jsonw_finish(&w);
	if (pb_json_parse(&doc, b.data, b.len, "system")) {
		/* Our own writer's output always parses; an empty object keeps the contract. */
		pb_error_clear();
		pb_json_parse(&doc, "{}", 2, "system");
	}
	pb_buf_release(&b);
	return doc;
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "-";
}

void pb_system_render(const struct pb_system *s, struct pb_buf *out)
{
	static const char *const hdr[] = { "finding", "value" };
	struct pb_table *t = pb_table_new(2, hdr);
	size_t i;

	pb_table_cell(t, "CPU");
	pb_table_cell(t, or_unknown(s->cpu_model));
	pb_table_cell(t, "kernel");
	pb_table_cell(t, or_unknown(s->kernel));
	pb_table_cell(t, "online CPUs");
	pb_table_cell(t, or_unknown(s->online));
	pb_table_cell(t, "PMU (libpfm4)");
	pb_table_cell(t, or_unknown(s->pmu));
	pb_table_cell(t, "hardware counters");
	pb_table_cellf(t, "%s", s->hardware_counters ? "yes" : "no");
	for (i = 0; i < PB_ARRAY_SIZE(s->presets) && s->presets[i].name; i++) {
		pb_table_cellf(t, "preset %s", s->presets[i].name);
		pb_table_cellf(t, "%s (%s)", s->presets[i].opens ? "opens" : "unavailable",
			       s->presets[i].events);
	}
	pb_table_cell(t, "perf_event_paranoid");
	if (s->paranoid == -99)
		pb_table_cell(t, "-");
	else
		pb_table_cellf(t, "%d", s->paranoid);
	pb_table_cell(t, "governor");
	pb_table_cell(t, s->governor ? s->governor : "none (no cpufreq)");
	pb_table_cell(t, "boost");
	pb_table_cell(t, s->boost < 0 ? "- (no knob)" : s->boost ? "on" : "off");
	pb_table_cell(t, "SMT");
	pb_table_cell(t, or_unknown(s->smt));
	pb_table_cell(t, "ASLR");
	if (s->aslr < 0)
		pb_table_cell(t, "-");
	else
		pb_table_cellf(t, "%d (randomize_va_space)", s->aslr);
	pb_table_cell(t, "isolcpus");
	pb_table_cell(t, or_unknown(s->isolcpus));
	pb_table_cell(t, "nohz_full");
	pb_table_cell(t, or_unknown(s->nohz_full));
	pb_table_cell(t, "perf_event_max_sample_rate");
	if (s->max_sample_rate < 0)
		pb_table_cell(t, "-");
	else
		pb_table_cellf(t, "%ld", s->max_sample_rate);
	pb_table_cell(t, "L1i / L1d");
	pb_table_cellf(t, "%s / %s", or_unknown(s->cache_l1i), or_unknown(s->cache_l1d));
	pb_table_cell(t, "L2 / L3");
	pb_table_cellf(t, "%s / %s", or_unknown(s->cache_l2), or_unknown(s->cache_l3));
	pb_table_render_text(t, out);
	pb_table_free(t);
	if (s->advice && s->advice[0])
		pb_buf_puts(out, "\nAdvice:\n");
	for (i = 0; s->advice && s->advice[i]; i++)
		pb_buf_printf(out, "  - %s\n", s->advice[i]);
}

/* ---- tune / reset ---- */

struct knob {
	char *name;  /* "governor cpu0", "boost", "perf_event_max_sample_rate" */
	char *path;  /* absolute, without root */
	char *want;  /* value tune writes */
	char *saved; /* value before tuning (from the state file or read now) */
};

struct knobs {
	struct knob *k;
	size_t n, cap;
};

static void knob_add(struct knobs *ks, const char *name, const char *path, const char *want)
{
	struct knob *k;

	pb_xgrow((void **)&ks->k, &ks->cap, ks->n + 1, sizeof(*ks->k));
	k = &ks->k[ks->n++];
	k->name = pb_xstrdup(name);
	k->path = pb_xstrdup(path);
	k->want = want ? pb_xstrdup(want) : NULL;
	k->saved = NULL;
}

static void knobs_release(struct knobs *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		free(ks->k[i].name);
		free(ks->k[i].path);
		free(ks->k[i].want);
		free(ks->k[i].saved);
	}
	free(ks->k);
	memset(ks, 0, sizeof(*ks));
}

static bool exists(const char *root, const char *path)
{
	char *full = pb_xasprintf("%s%s", root ? root : "", path);
	bool ok = access(full, F_OK) == 0;

	free(full);
	return ok;
}

/* Write value into root+path. Returns 0 or -1 (error recorded, class PB_EXIT_ENV). */
static int write_knob(const char *root, const char *path, const char *value)
{
	char *full = pb_xasprintf("%s%s", root ? root : "", path);
	FILE *f = fopen(full, "w");
	int ret = 0;

	if (!f || fputs(value, f) < 0 || fputc('\n', f) < 0)
		ret = pb_error_errno("cannot write '%s' to %s", value, full);
	if (f && fclose(f) != 0 && ret == 0)
		ret = pb_error_errno("cannot write '%s' to %s", value, full);
	free(full);
	return ret;
}

/* The knobs tune touches on this machine; those it lacks are reported as skipped. */
static void tune_knobs(const char *root, struct knobs *ks, struct knobs *missing)
{
	char path[128], name[48];
	int cpu, gap = 0;

	for (cpu = 0; cpu < 4096 && gap < 8; cpu++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
		if (!exists(root, path)) {
			gap++;
			continue;
		}
		gap = 0;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
		snprintf(name, sizeof(name), "governor cpu%d", cpu);
		if (exists(root, path))
			knob_add(ks, name, path, "performance");
	}
	if (ks->n == 0)
		knob_add(missing, "governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
			 "no cpufreq on this machine (the frequency is set by firmware or a hypervisor)");
	if (exists(root, "/sys/devices/system/cpu/cpufreq/boost"))
		knob_add(ks, "boost", "/sys/devices/system/cpu/cpufreq/boost", "0");
	else if (exists(root, "/sys/devices/system/cpu/intel_pstate/no_turbo"))
		knob_add(ks, "boost", "/sys/devices/system/cpu/intel_pstate/no_turbo", "1");
	else
		knob_add(missing, "boost", "/sys/devices/system/cpu/cpufreq/boost",
			 "no boost/turbo knob on this machine");
	/* The kernel lowers the rate when sampling interrupts run long; fix it at its default. */
	if (exists(root, "/proc/sys/kernel/perf_event_max_sample_rate"))
		knob_add(ks, "perf_event_max_sample_rate", "/proc/sys/kernel/perf_event_max_sample_rate",
			 "100000");
	else
		knob_add(missing, "perf_event_max_sample_rate",
			 "/proc/sys/kernel/perf_event_max_sample_rate", "no perf_event sysctl on this machine");
}

static int load_state(const char *state_path, struct knobs *saved, bool must_exist)
{
	struct pb_json *doc = NULL, *it;
	const char *name, *path, *value;
	int ret = -1;

	if (access(state_path, F_OK) != 0) {
		if (!must_exist)
			return 0;
		return pb_error("nothing to reset: no saved state at %s (run `placebisect system tune` "
				"first, or pass the --state FILE it used)", state_path);
	}
	if (pb_json_parse_file(&doc, state_path))
		return -1;
	if (strcmp(pb_json_string(pb_json_get(doc, "schema"), ""), "placebisect.system-tune/1") != 0) {
		pb_error("%s: not a placebisect system-tune state file (schema)", state_path);
		goto out;
	}
	for (it = pb_json_child(pb_json_get(doc, "knobs")); it; it = pb_json_next(it)) {
		name = pb_json_string(pb_json_get(it, "name"), NULL);
		path = pb_json_string(pb_json_get(it, "path"), NULL);
		value = pb_json_string(pb_json_get(it, "value"), NULL);
		if (!name || !path || !value || path[0] != '/') {
			pb_error("%s: knobs[]: each needs name, an absolute path and value", state_path);
			goto out;
		}
		knob_add(saved, name, path, NULL);
		saved->k[saved->n - 1].saved = pb_xstrdup(value);
	}
	ret = 0;
out:
	pb_json_free(doc);
	return ret;
}

static int save_state(const char *state_path, const struct knobs *ks)
{
	struct pb_buf b = PB_BUF_INIT;
	struct pb_jsonw w;
	char *dir = pb_xstrdup(state_path), *slash = strrchr(dir, '/');
	size_t i;
	int ret = -1;

	if (slash && slash != dir) {
		*slash = '\0';
		if (pb_mkdir_p(dir))
			goto out;
	}
	pb_jsonw_init(&w, &b, false);
	pb_jsonw_object(&w, NULL);
	pb_jsonw_string(&w, "schema", "placebisect.system-tune/1");
	pb_jsonw_array(&w, "knobs");
	for (i = 0; i < ks->n; i++) {
		if (!ks->k[i].saved)
			continue;
		pb_jsonw_object(&w, NULL);
		pb_jsonw_string(&w, "name", ks->k[i].name);
		pb_jsonw_string(&w, "path", ks->k[i].path);
		pb_jsonw_string(&w, "value", ks->k[i].saved);
		pb_jsonw_end(&w);
	}
	pb_jsonw_end(&w);
	pb_jsonw_end(&w);
	pb_jsonw_finish(&w);
	ret = pb_atomic_write(state_path, b.data, b.len);
out:
	free(dir);
	pb_buf_release(&b);
	return ret;
}

/* One line of the actions report (JSON and table). */
static void action(struct pb_jsonw *w, struct pb_table *t, const char *knob, const char *status,
		   const char *from, const char *to, const char *why)
{
	if (w) {
		pb_jsonw_object(w, NULL);
		pb_jsonw_string(w, "knob", knob);
		pb_jsonw_string(w, "status", status);
		write_str(w, "from", from);
		write_str(w, "to", to);
		write_str(w, "reason", why);
		pb_jsonw_end(w);
	}
	if (t) {
		pb_table_cell(t, knob);
		pb_table_cell(t, status);
		pb_table_cellf(t, "%s%s%s", from ? from : "", from || to ? " -> " : "", to ? to : "");
		pb_table_cell(t, why ? why : "");
	}
}

static int need_root(const char *root, const char *what)
{
	if (root || geteuid() == 0)
		return 0;
	return pb_error_as(PB_EXIT_ENV, "system %s needs root: it writes /sys and /proc/sys; run "
			   "`sudo placebisect system %s`", what, what);
}

int pb_system_tune(const char *root, const char *state_path, struct pb_jsonw *w, const char *key,
		   struct pb_buf *table)
{
	static const char *const hdr[] = { "knob", "status", "value", "note" };
	struct knobs ks = { 0 }, missing = { 0 }, prev = { 0 };
	struct pb_table *t = table ? pb_table_new(4, hdr) : NULL;
	size_t i, j;
	char *cur;
	int ret = -1;

	if (need_root(root, "tune"))
		goto out;
	if (load_state(state_path, &prev, false))
		goto out;
	tune_knobs(root, &ks, &missing);
	/* Save first: a tune that dies half-way must still be reversible. */
	for (i = 0; i < ks.n; i++) {
		for (j = 0; j < prev.n && !ks.k[i].saved; j++)
			if (strcmp(prev.k[j].path, ks.k[i].path) == 0)
				ks.k[i].saved = pb_xstrdup(prev.k[j].saved);
		if (!ks.k[i].saved)
			ks.k[i].saved = read_knob(root, ks.k[i].path);
	}
	if (ks.n && save_state(state_path, &ks))
		goto out;
	if (w)
		pb_jsonw_array(w, key);
	for (i = 0; i < missing.n; i++)
		action(w, t, missing.k[i].name, "skipped", NULL, NULL, missing.k[i].want);
	ret = 0;
	for (i = 0; i < ks.n; i++) {
		cur = read_knob(root, ks.k[i].path);
		if (cur && strcmp(cur, ks.k[i].want) == 0) {
			action(w, t, ks.k[i].name, "unchanged", cur, NULL, NULL);
		} else if (write_knob(root, ks.k[i].path, ks.k[i].want)) {
			action(w, t, ks.k[i].name, "failed", cur, ks.k[i].want, pb_error_message());
			ret = -1;
		} else {
			action(w, t, ks.k[i].name, "changed", cur, ks.k[i].want, NULL);
		}
		free(cur);
	}
	if (w)
		pb_jsonw_end(w);
	if (t) {
		pb_table_render_text(t, table);
		if (ks.n)
			pb_buf_printf(table, "\nprevious values saved in %s; `placebisect system reset` "
				      "restores them\n", state_path);
	}
out:
	pb_table_free(t);
	knobs_release(&ks);
	knobs_release(&missing);
	knobs_release(&prev);
	return ret;
}

int pb_system_reset(const char *root, const char *state_path, struct pb_jsonw *w, const char *key,
		    struct pb_buf *table)
{
	static const char *const hdr[] = { "knob", "status", "value", "note" };
	struct knobs saved = { 0 };
	struct pb_table *t = table ? pb_table_new(4, hdr) : NULL;
	size_t i;
	char *cur;
	int ret = -1, failed = 0;

	if (need_root(root, "reset") || load_state(state_path, &saved, true))
		goto out;
	if (w)
		pb_jsonw_array(w, key);
	for (i = 0; i < saved.n; i++) {
		cur = read_knob(root, saved.k[i].path);
		if (!cur) {
			action(w, t, saved.k[i].name, "skipped", NULL, saved.k[i].saved,
			       "the knob no longer exists");
		} else if (strcmp(cur, saved.k[i].saved) == 0) {
			action(w, t, saved.k[i].name, "unchanged", cur, NULL, NULL);
		} else if (write_knob(root, saved.k[i].path, saved.k[i].saved)) {
			action(w, t, saved.k[i].name, "failed", cur, saved.k[i].saved, pb_error_message());
			failed++;
		} else {
			action(w, t, saved.k[i].name, "restored", cur, saved.k[i].saved, NULL);
		}
		free(cur);
	}
	if (w)
		pb_jsonw_end(w);
	if (t)
		pb_table_render_text(t, table);
	if (failed) {
		/* Keep the state so that a second reset can finish the job. */
		pb_error_as(PB_EXIT_ENV, "system reset: %d knob(s) could not be restored; the state "
			    "stays in %s", failed, state_path);
		goto out;
	}
	if (unlink(state_path) != 0) {
		pb_error_errno("system reset: cannot remove %s", state_path);
		goto out;
	}
	ret = 0;
out:
	pb_table_free(t);
	knobs_release(&saved);
	return ret;
}
