/* counters.c: perf_event_open groups on a benchmark's child, events named through libpfm4, multiplexing scaled. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

#include "core/log.h"
#include "core/util.h"
#include "measure/counters.h"
#include "measure/counters_test.h"

/* Hardware events per group: fits the general-purpose counters of current Intel and AMD cores. */
#define GROUP_MAX_HW 4

struct event {
	char *name;
	struct perf_event_attr attr;
	bool hardware;
	enum pb_event_role role;
	int group;      /* index of its group */
	int fd;         /* -1 when not open */
	int open_errno; /* errno of the failed open; 0 when it opened */
	int slot;       /* position in its leader's group read; -1 when not open */
	char *reason;   /* why it has no value (owned); NULL when it had one */
	bool user_only; /* a software event opened with exclude_kernel after kernel-side was refused */
};

struct pb_counters {
	struct event *ev;
	size_t n, cap;
	int n_groups;
};

/* ---- The system calls, replaceable by tests (counters_test.h). ---- */

static int real_open(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

int pb_counters_paranoid(void)
{
	struct pb_buf b = PB_BUF_INIT;
	int64_t v = -99;
	char *nl;

	if (pb_buf_read_file(&b, "/proc/sys/kernel/perf_event_paranoid") == 0) {
		nl = strchr(b.data, '\n');
		if (nl)
			*nl = '\0';
		if (pb_parse_i64(b.data, -10, 10, &v))
			v = -99;
	}
	pb_error_clear();
	pb_buf_release(&b);
	return (int)v;
}

static const struct pb_counters_sys real_sys = { real_open, read, close, pb_counters_paranoid };
static struct pb_counters_sys sys = { real_open, read, close, pb_counters_paranoid };

void pb_counters_test_set_sys(const struct pb_counters_sys *s)
{
	sys = s ? *s : real_sys;
}

uint32_t pb_counters_test_attr_type(const void *attr)
{
	return ((const struct perf_event_attr *)attr)->type;
}

uint64_t pb_counters_test_attr_config(const void *attr)
{
	return ((const struct perf_event_attr *)attr)->config;
}

int pb_counters_test_attr_exclude_kernel(const void *attr)
{
	return ((const struct perf_event_attr *)attr)->exclude_kernel;
}

int pb_counters_test_attr_is_leader_flags(const void *attr)
{
	const struct perf_event_attr *a = attr;

	return a->disabled && a->enable_on_exec;
}

/* ---- libpfm4 ---- */

static int pfm_ready(void)
{
	static int state; /* 0 not tried, 1 ok, -1 failed */
	int r;

	if (state == 0) {
		r = pfm_initialize();
		state = r == PFM_SUCCESS ? 1 : -1;
		if (state < 0)
			return pb_error_as(PB_EXIT_ENV, "libpfm4 could not initialise: %s", pfm_strerror(r));
	}
	return state > 0 ? 0 : pb_error_as(PB_EXIT_ENV, "libpfm4 could not initialise");
}

static bool pmu_present(pfm_pmu_t pmu)
{
	pfm_pmu_info_t info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	return pfm_get_pmu_info(pmu, &info) == PFM_SUCCESS && info.is_present;
}

const char *pb_counters_pmu(void)
{
	static char name[64];
	pfm_pmu_info_t info;
	int p;

	if (pfm_ready()) {
		pb_error_clear();
		return "none";
	}
	if (name[0])
		return name;
	snprintf(name, sizeof(name), "none");
	for (p = 0; p < PFM_PMU_MAX; p++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info((pfm_pmu_t)p, &info) == PFM_SUCCESS && info.is_present &&
		    info.type == PFM_PMU_TYPE_CORE) {
			snprintf(name, sizeof(name), "%s", info.name);
			break;
		}
	}
	return name;
}

/* Encode one name; returns 0, or the libpfm4 error code. */
static int encode(const char *name, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;

	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	/* User-level only: what the benchmark's code does, and allowed at perf_event_paranoid 2. */
	return pfm_get_os_event_encoding(name, PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
}

/* ---- presets ---- */

const char *const pb_counters_presets[] = { "ipc", "icache", "itlb", "frontend", NULL };
const char *const pb_counters_software_events[] = { "task-clock", "page-faults", "context-switches",
						    "cpu-clock", NULL };

enum host { HOST_GENERIC, HOST_INTEL, HOST_ZEN2, HOST_ZEN3, HOST_ZEN4 };

static enum host host_kind(void)
{
	if (pfm_ready()) {
		pb_error_clear();
		return HOST_GENERIC;
	}
	if (pmu_present(PFM_PMU_INTEL_SKL) || pmu_present(PFM_PMU_INTEL_ICL))
		return HOST_INTEL;
	if (pmu_present(PFM_PMU_AMD64_FAM19H_ZEN4))
		return HOST_ZEN4;
	if (pmu_present(PFM_PMU_AMD64_FAM19H_ZEN3))
		return HOST_ZEN3;
	if (pmu_present(PFM_PMU_AMD64_FAM17H_ZEN2))
		return HOST_ZEN2;
	return HOST_GENERIC;
}

int pb_counters_preset(const char *name, const char *const **events)
{
	static const char *const ipc[] = { "cycles", "instructions", NULL };
	static const char *const ic_intel[] = { "instructions", "ICACHE_64B:IFTAG_MISS", NULL };
	static const char *const ic_zen[] = { "instructions", "IC_TAG_HIT_MISS:IC_MISS", NULL };
	static const char *const ic_gen[] = { "instructions", "L1-ICACHE-LOAD-MISSES", NULL };
	static const char *const tlb_intel[] = { "instructions", "ITLB_MISSES:WALK_COMPLETED", NULL };
	static const char *const tlb_zen3[] = { "instructions",
						"L1_ITLB_MISS_L2_ITLB_MISS:IF4K:IF2M:IF1G:COALESCED4K", NULL };
	static const char *const tlb_zen4[] = { "instructions", "L1_ITLB_MISS_L2_ITLB_MISS:IF4K:IF2M:IF1G",
						NULL };
	static const char *const tlb_gen[] = { "instructions", "ITLB-LOAD-MISSES", NULL };
	static const char *const fe_intel[] = { "cycles", "IDQ_UOPS_NOT_DELIVERED:CORE", NULL };
	static const char *const fe_zen4[] = { "cycles", "DISPATCH_STALLS_1:FE_NO_OPS", NULL };
	static const char *const fe_zen2[] = { "cycles", "UOPS_QUEUE_EMPTY", NULL };
	static const char *const fe_gen[] = { "cycles", "stalled-cycles-frontend", NULL };
	enum host h;

	if (strcasecmp(name, "ipc") == 0) {
		*events = ipc;
		return 1;
	}
	if (strcasecmp(name, "icache") && strcasecmp(name, "itlb") && strcasecmp(name, "frontend"))
		return 0;
	h = host_kind();
	if (strcasecmp(name, "icache") == 0)
		*events = h == HOST_INTEL ? ic_intel : h == HOST_ZEN3 || h == HOST_ZEN4 ? ic_zen : ic_gen;
	else if (strcasecmp(name, "itlb") == 0)
		*events = h == HOST_INTEL ? tlb_intel : h == HOST_ZEN3 ? tlb_zen3 :
			  h == HOST_ZEN4 ? tlb_zen4 : tlb_gen;
	else
		*events = h == HOST_INTEL ? fe_intel : h == HOST_ZEN4 ? fe_zen4 :
			  h == HOST_ZEN2 ? fe_zen2 : fe_gen;
	return 1;
}

enum pb_event_role pb_counters_role_of(const char *name)
{
	static const struct {
		const char *name;
		enum pb_event_role role;
	} roles[] = {
		{ "cycles", PB_ROLE_CYCLES },
		{ "cpu-cycles", PB_ROLE_CYCLES },
		{ "PERF_COUNT_HW_CPU_CYCLES", PB_ROLE_CYCLES },
		{ "instructions", PB_ROLE_INSTRUCTIONS },
		{ "PERF_COUNT_HW_INSTRUCTIONS", PB_ROLE_INSTRUCTIONS },
		{ "Ir", PB_ROLE_INSTRUCTIONS },
		{ "L1-ICACHE-LOAD-MISSES", PB_ROLE_ICACHE_MISS },
		{ "L1-icache-load-misses", PB_ROLE_ICACHE_MISS },
		{ "ICACHE_64B:IFTAG_MISS", PB_ROLE_ICACHE_MISS },
		{ "IC_TAG_HIT_MISS:IC_MISS", PB_ROLE_ICACHE_MISS },
		{ "I1mr", PB_ROLE_ICACHE_MISS },
		{ "ITLB-LOAD-MISSES", PB_ROLE_ITLB_MISS },
		{ "ITLB_MISSES:WALK_COMPLETED", PB_ROLE_ITLB_MISS },
		{ "IDQ_UOPS_NOT_DELIVERED:CORE", PB_ROLE_FRONTEND_STALL },
		{ "DISPATCH_STALLS_1:FE_NO_OPS", PB_ROLE_FRONTEND_STALL },
		{ "UOPS_QUEUE_EMPTY", PB_ROLE_FRONTEND_STALL },
		{ "stalled-cycles-frontend", PB_ROLE_FRONTEND_STALL },
	};
	size_t i;

	/* I1mr and Ir are cachegrind's and case matters there (Ir vs IR is no event anyway). */
	for (i = 0; i < PB_ARRAY_SIZE(roles); i++)
		if (strcasecmp(roles[i].name, name) == 0)
			return roles[i].role;
	if (strncasecmp(name, "L1_ITLB_MISS_L2_ITLB_MISS", 25) == 0)
		return PB_ROLE_ITLB_MISS;
	return PB_ROLE_NONE;
}

/* ---- the event set ---- */

static bool is_software(const struct perf_event_attr *attr)
{
	return attr->type == PERF_TYPE_SOFTWARE;
}

static int add_event(struct pb_counters *c, const char *name)
{
	struct perf_event_attr attr;
	struct event *e;
	size_t i;
	int r;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->ev[i].name, name) == 0)
			return 0;
	r = encode(name, &attr);
	if (r != PFM_SUCCESS) {
		if (r == PFM_ERR_NOTFOUND)
			return pb_error("event '%s': no such event for this machine's PMU (%s) or the "
					"kernel's software events; try cycles, instructions, "
					"L1-ICACHE-LOAD-MISSES, ITLB-LOAD-MISSES, task-clock, or a preset "
					"(ipc, icache, itlb, frontend)", name, pb_counters_pmu());
		return pb_error("event '%s': %s (libpfm4)", name, pfm_strerror(r));
	}
	pb_xgrow((void **)&c->ev, &c->cap, c->n + 1, sizeof(*c->ev));
	e = &c->ev[c->n++];
	memset(e, 0, sizeof(*e));
	e->name = pb_xstrdup(name);
	e->attr = attr;
	e->hardware = !is_software(&attr);
	/*
	 * Software events count what `perf stat` counts: context switches and CPU migrations happen
	 * in the kernel, so with exclude_kernel (libpfm4's user-level encoding) they always read 0.
	 * Hardware events stay user-level: the benchmark's own code.
	 */
	if (!e->hardware) {
		e->attr.exclude_kernel = 0;
		e->attr.exclude_hv = 0;
	}
	e->role = pb_counters_role_of(name);
	e->fd = -1;
	e->slot = -1;
	return 0;
}

/* Groups: all software events in one, hardware events in groups of GROUP_MAX_HW. */
static void assign_groups(struct pb_counters *c)
{
	int sw_group = -1, hw_group = -1, hw_in_group = 0;
	size_t i;

	c->n_groups = 0;
	for (i = 0; i < c->n; i++) {
		if (!c->ev[i].hardware) {
			if (sw_group < 0)
				sw_group = c->n_groups++;
			c->ev[i].group = sw_group;
			continue;
		}
		if (hw_group < 0 || hw_in_group == GROUP_MAX_HW) {
			hw_group = c->n_groups++;
			hw_in_group = 0;
		}
		c->ev[i].group = hw_group;
		hw_in_group++;
	}
}

int pb_counters_new(struct pb_counters **out, const char *const *events)
{
	struct pb_counters *c;
	const char *const *preset;
	size_t i;
	int ret = -1;

	*out = NULL;
	if (pfm_ready())
		return -1;
	c = pb_xcalloc(1, sizeof(*c));
	for (; events && *events; events++) {
		if (pb_counters_preset(*events, &preset)) {
			for (i = 0; preset[i]; i++)
				if (add_event(c, preset[i]))
					goto out;
		} else if (add_event(c, *events)) {
			goto out;
		}
	}
	if (c->n == 0) {
		pb_error("no events to count");
		goto out;
	}
	assign_groups(c);
	*out = c;
	c = NULL;
	ret = 0;
out:
	pb_counters_free(c);
	return ret;
}

static void close_all(struct pb_counters *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->ev[i].fd >= 0)
			sys.close(c->ev[i].fd);
		c->ev[i].fd = -1;
		c->ev[i].slot = -1;
	}
}

void pb_counters_free(struct pb_counters *c)
{
	size_t i;

	if (!c)
		return;
	close_all(c);
	for (i = 0; i < c->n; i++) {
		free(c->ev[i].name);
		free(c->ev[i].reason);
	}
	free(c->ev);
	free(c);
}

size_t pb_counters_count(const struct pb_counters *c)
{
	return c->n;
}

const char *pb_counters_name(const struct pb_counters *c, size_t i)
{
	return c->ev[i].name;
}

bool pb_counters_is_hardware(const struct pb_counters *c, size_t i)
{
	return c->ev[i].hardware;
}

enum pb_event_role pb_counters_role(const struct pb_counters *c, size_t i)
{
	return c->ev[i].role;
}

const char *pb_counters_reason(const struct pb_counters *c, size_t i)
{
	return c->ev[i].reason;
}

/* Software events that happen only in the kernel: user-level counting reads 0 for them. */
static bool kernel_side(const char *name)
{
	static const char *const names[] = { "context-switches", "cs", "cpu-migrations", "migrations",
					     NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

const char *pb_counters_note(const struct pb_counters *c, size_t i)
{
	if (!c->ev[i].user_only)
		return NULL;
	if (kernel_side(c->ev[i].name))
		return "counted in user mode only, where it does not happen: it reads 0 (the kernel "
		       "refused kernel-side counting: kernel.perf_event_paranoid > 1 without "
		       "CAP_PERFMON; `sysctl kernel.perf_event_paranoid=1` counts it as perf stat does)";
	return "counted in user mode only (the kernel refused kernel-side counting: "
	       "kernel.perf_event_paranoid > 1 without CAP_PERFMON; `sysctl "
	       "kernel.perf_event_paranoid=1` counts it as perf stat does)";
}

int pb_counters_sys_open(const void *attr, pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	return sys.open(attr, pid, cpu, group_fd, flags);
}

int pb_counters_sys_close(int fd)
{
	return sys.close(fd);
}

void pb_counters_describe_errno(struct pb_buf *out, int err, bool hardware)
{
	int paranoid;

	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		if (hardware)
			pb_buf_printf(out, "no such PMU event on this machine (%s: the kernel exposes no "
				      "hardware counter for it; virtual machines often hide the PMU)",
				      strerror(err));
		else
			pb_buf_printf(out, "not supported by this kernel (%s)", strerror(err));
		break;
	case EACCES:
	case EPERM:
		paranoid = sys.paranoid();
		pb_buf_printf(out, "not permitted (%s): kernel.perf_event_paranoid is ", strerror(err));
		if (paranoid == -99)
			pb_buf_puts(out, "unreadable");
		else
			pb_buf_printf(out, "%d", paranoid);
		pb_buf_puts(out, "; fix with `sysctl kernel.perf_event_paranoid=1` or give placebisect "
				 "CAP_PERFMON (setcap cap_perfmon+ep)");
		break;
	case EMFILE:
	case ENFILE:
		pb_buf_printf(out, "out of file descriptors (%s); raise `ulimit -n`", strerror(err));
		break;
	case EBUSY:
		pb_buf_printf(out, "the PMU is busy (%s): another tool holds the counters exclusively",
			      strerror(err));
		break;
	case EINVAL:
		pb_buf_printf(out, "the kernel rejected the event's encoding (%s)", strerror(err));
		break;
	default:
		pb_buf_printf(out, "%s", strerror(err));
		break;
	}
}

static void set_reason(struct event *e, const char *reason)
{
	free(e->reason);
	e->reason = reason ? pb_xstrdup(reason) : NULL;
}

int pb_counters_attach(pid_t pid, void *arg)
{
	struct pb_counters *c = arg;
	struct pb_buf why = PB_BUF_INIT;
	struct event *e, *leader;
	size_t i, j, opened = 0;
	int g, slot;

	close_all(c);
	for (i = 0; i < c->n; i++)
		set_reason(&c->ev[i], NULL);
	for (g = 0; g < c->n_groups; g++) {
		leader = NULL;
		slot = 0;
		for (i = 0; i < c->n; i++) {
			e = &c->ev[i];
			if (e->group != g)
				continue;
			e->attr.size = sizeof(e->attr);
			e->attr.inherit = 1;
			e->attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
					      PERF_FORMAT_TOTAL_TIME_RUNNING;
			/* The leader starts the whole group at exec; members follow their leader. */
			e->attr.disabled = leader == NULL;
			e->attr.enable_on_exec = leader == NULL;
			e->fd = sys.open(&e->attr, pid, -1, leader ? leader->fd : -1, PERF_FLAG_FD_CLOEXEC);
			if (e->fd < 0 && !e->hardware && !e->attr.exclude_kernel &&
			    (errno == EACCES || errno == EPERM)) {
				/* perf_event_paranoid > 1: user-level is still allowed, and said so. */
				e->attr.exclude_kernel = 1;
				e->attr.exclude_hv = 1;
				e->user_only = true;
				e->fd = sys.open(&e->attr, pid, -1, leader ? leader->fd : -1,
						 PERF_FLAG_FD_CLOEXEC);
			}
			if (e->fd < 0) {
				e->open_errno = errno;
				e->fd = -1;
				pb_buf_reset(&why);
				pb_counters_describe_errno(&why, e->open_errno, e->hardware);
				set_reason(e, why.data);
				continue;
			}
			e->open_errno = 0;
			e->slot = slot++;
			opened++;
			if (!leader)
				leader = e;
		}
	}
	pb_buf_release(&why);
	if (opened > 0)
		return 0;
	for (j = 0; j < c->n; j++)
		if (c->ev[j].reason)
			return pb_error_as(PB_EXIT_ENV, "cannot count '%s': %s", c->ev[j].name,
					   c->ev[j].reason);
	return pb_error_as(PB_EXIT_ENV, "no event could be opened");
}

/* The group leader of group g (its first open event), or NULL. */
static struct event *leader_of(struct pb_counters *c, int g)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->ev[i].group == g && c->ev[i].fd >= 0)
			return &c->ev[i];
	return NULL;
}

int pb_counters_collect(struct pb_counters *c, struct pb_counter *out)
{
	uint64_t buf[3 + 2 * GROUP_MAX_HW + 16];
	uint64_t *vals = NULL;
	struct event *leader, *e;
	size_t i, members, need;
	ssize_t got;
	double enabled, running;
	int g, ret = -1;

	for (i = 0; i < c->n; i++) {
		out[i].name = c->ev[i].name;
		out[i].value = NAN;
		out[i].running_ratio = 0;
	}
	for (g = 0; g < c->n_groups; g++) {
		leader = leader_of(c, g);
		if (!leader)
			continue;
		members = 0;
		for (i = 0; i < c->n; i++)
			if (c->ev[i].group == g && c->ev[i].fd >= 0)
				members++;
		need = (3 + members) * sizeof(uint64_t);
		vals = need <= sizeof(buf) ? buf : pb_xmalloc(need);
		got = sys.read(leader->fd, vals, need);
		if (got < 0) {
			pb_error_errno("reading the counters of group '%s'", leader->name);
			goto out;
		}
		if ((size_t)got < 3 * sizeof(uint64_t) || vals[0] != members ||
		    (size_t)got < (3 + vals[0]) * sizeof(uint64_t)) {
			pb_error_as(PB_EXIT_ENV, "reading the counters of group '%s': short or malformed "
				    "group read (%zd bytes for %zu events)", leader->name, got, members);
			goto out;
		}
		enabled = (double)vals[1];
		running = (double)vals[2];
		for (i = 0; i < c->n; i++) {
			e = &c->ev[i];
			if (e->group != g || e->fd < 0)
				continue;
			if (vals[2] == 0) {
				/* Never on the PMU: a zero here would be a lie, not a count. */
				set_reason(e, "never counted (time_running = 0): the PMU had no free counter "
					      "or the event cannot count this task");
				continue;
			}
			out[i].value = (double)vals[3 + e->slot];
			out[i].running_ratio = enabled > 0 ? running / enabled : 1.0;
			if (out[i].running_ratio > 1.0)
				out[i].running_ratio = 1.0;
			if (running < enabled)
				out[i].value *= enabled / running;
		}
		if (vals != buf)
			free(vals);
		vals = NULL;
	}
	ret = 0;
out:
	if (vals != buf)
		free(vals);
	close_all(c);
	return ret;
}

int pb_counters_probe(const char *event, struct pb_buf *reason)
{
	struct perf_event_attr attr;
	int r, fd;

	if (pfm_ready())
		return -1;
	r = encode(event, &attr);
	if (r != PFM_SUCCESS)
		return pb_error("event '%s': %s (libpfm4)", event, pfm_strerror(r));
	attr.size = sizeof(attr);
	attr.disabled = 1;
	fd = sys.open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && is_software(&attr) && (errno == EACCES || errno == EPERM)) {
		attr.exclude_kernel = 1; /* as attach retries: user-level counting still works */
		fd = sys.open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
	if (fd < 0) {
		if (reason)
			pb_counters_describe_errno(reason, errno, !is_software(&attr));
		return 0;
	}
	sys.close(fd);
	return 1;
}
