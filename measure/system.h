/* system.h: is this machine fit to measure? Its PMU, frequency and noise knobs; tune and reset them. */
#ifndef PB_MEASURE_SYSTEM_H
#define PB_MEASURE_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/json.h"

/* One preset (ipc icache itlb frontend) and whether its events open here. */
struct pb_system_preset {
	const char *name;
	char *events;  /* "cycles,instructions" */
	bool opens;
	char *reason;  /* why not; NULL when it opens */
};

struct pb_system {
	char *cpu_model, *kernel, *pmu, *online;
	bool hardware_counters;
	char *hw_reason;             /* why cycles does not open; NULL when it does */
	struct pb_system_preset presets[4];
	int paranoid;                /* -99: unknown */
	char *governor;              /* cpu0's; NULL: no cpufreq */
	int boost;                   /* 1 on, 0 off, -1 unknown (no knob) */
	char *smt;                   /* smt/control: on off forceoff notsupported notimplemented; NULL */
	int aslr;                    /* randomize_va_space; -1 unknown */
	char *isolcpus, *nohz_full;  /* "" when none; NULL when unknown */
	long max_sample_rate;        /* perf_event_max_sample_rate; -1 unknown */
	char *cache_l1i, *cache_l1d, *cache_l2, *cache_l3; /* "32K 8-way 64B"; NULL when absent */
	char **advice;               /* NULL-terminated, never NULL after probe */
};

/*
 * Look at the machine. `root` prefixes every /sys and /proc path (NULL: "/"; tests use a fake
 * tree). Probing the PMU opens counters on this process. Never fails: what cannot be read is
 * recorded as unknown. Release with pb_system_release().
 */
void pb_system_probe(struct pb_system *s, const char *root);
void pb_system_release(struct pb_system *s);

/* The `system` object (DESIGN.md): every field above, advice included. */
void pb_system_write(const struct pb_system *s, struct pb_jsonw *w, const char *key);
/* A human-readable report with one line of advice per finding. */
void pb_system_render(const struct pb_system *s, struct pb_buf *out);

/*
 * The compact `system{}` object of a measurement (CPU, kernel, PMU, counters, governor, boost,
 * SMT, ASLR, paranoid) plus how the runs were set up: `cpus` the benchmark was pinned to (NULL:
 * not pinned) and `env_pad`, the bytes of PB_ENV_PAD in its environment. A parsed document the
 * caller owns (pb_json_free). Never NULL.
 */
struct pb_json *pb_system_measurement_json(const struct pb_system *s, const char *cpus, long env_pad);

/*
 * `system tune`: governor performance on every CPU that has cpufreq, boost off, and
 * perf_event_max_sample_rate fixed at the kernel default, saving each knob's previous value to
 * `state_path` (atomically; values already saved by an earlier tune are kept, so reset restores
 * the original). A knob this machine does not have is reported as skipped. `root` as for probe;
 * with root NULL the caller must be root (else -1, class PB_EXIT_ENV, saying so). The actions
 * taken are written to *w as an array `key` and to `table` (both may be NULL). Returns 0 or -1.
 */
int pb_system_tune(const char *root, const char *state_path, struct pb_jsonw *w, const char *key,
		   struct pb_buf *table);

/*
 * `system reset`: write back every knob saved in `state_path`, then remove it. No state file is
 * an error (class PB_EXIT_USAGE) saying to tune first. Same conventions as pb_system_tune().
 */
int pb_system_reset(const char *root, const char *state_path, struct pb_jsonw *w, const char *key,
		    struct pb_buf *table);

/* Where tune saves state when --state is not given: /var/lib/placebisect/system-tune.json. */
#define PB_SYSTEM_STATE_DEFAULT "/var/lib/placebisect/system-tune.json"

#endif
