/* sampler.c: perf_event_open sampling of a benchmark's child: per-CPU ring buffers drained by a thread, records turned into frames. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "core/buf.h"
#include "core/cpus.h"
#include "core/log.h"
#include "core/util.h"
#include "measure/counters.h"
#include "measure/perfrec.h"
#include "measure/sampler.h"

/* Ring buffer data pages per CPU: 256 KiB (dwarf: 1 MiB), halved while the mlock limit refuses it. */
#define RING_PAGES_MAX 64
#define RING_PAGES_MAX_DWARF 256
#define RING_PAGES_MIN 4
/* The drain thread also wakes this often (ms), whatever the watermark. */
#define DRAIN_INTERVAL_MS 50

/* The last 16 bytes of every non-sample record (sample_id_all with TID | TIME): pid, tid, time. */
#define SAMPLE_ID_SIZE 16

struct ring {
	int fd;
	void *base;        /* the mapping: the control page, then the data pages */
	size_t len;
	struct pb_buf raw; /* whole records copied out, in the ring's order */
};

/* One attached run: its events and the thread that drains them. */
struct session {
	struct ring *rings;
	size_t n_rings;
	int stop[2];          /* a byte written to stop[1] ends the drain thread */
	pthread_t thread;
	bool thread_started;
	size_t bytes;         /* sample bytes kept, against PB_SAMPLER_MAX_BYTES */
	uint64_t dropped;
};

struct pb_sampler {
	unsigned freq;
	size_t page;
	uint64_t sample_type;
	unsigned max_stack; /* kernel.perf_event_max_stack: the longest chain the kernel writes */
	/* The event, chosen at the first attach and kept for later runs. */
	bool decided;
	uint32_t type;
	uint64_t config;
	struct session *cur;
	struct pb_samples out;
	size_t cap_samples, cap_frames, cap_objects, cap_spaces, cap_users, cap_stacks;
};

/* ---- set-up ---- */

int pb_sampler_new(struct pb_sampler **out, unsigned freq)
{
	struct pb_sampler *s;
	long page = sysconf(_SC_PAGESIZE);

	*out = NULL;
	if (freq < 1 || freq > 100000)
		return pb_error("--freq %u: expected 1 to 100000 samples per second", freq);
	s = pb_xcalloc(1, sizeof(*s));
	s->freq = freq;
	s->page = page > 0 ? (size_t)page : 4096;
	s->out.freq = freq;
	s->out.event = "cpu-clock";
	s->out.call_graph = PB_CALL_GRAPH_FP;
	s->out.max_depth = PB_SAMPLER_DEPTH_DEFAULT;
	*out = s;
	return 0;
}

int pb_sampler_call_graph(struct pb_sampler *s, const char *spec, const char *what, unsigned max_depth)
{
	int64_t size = PB_SAMPLER_STACK_DEFAULT;

	if (max_depth < 1 || max_depth > PB_SAMPLER_DEPTH_MAX)
		return pb_error("--max-depth %u: expected 1 to %u frames per stack", max_depth,
				PB_SAMPLER_DEPTH_MAX);
	if (strcmp(spec, "fp") == 0) {
		s->out.call_graph = PB_CALL_GRAPH_FP;
		s->out.stack_size = 0;
	} else if (strncmp(spec, "dwarf", 5) == 0 && (spec[5] == '\0' || spec[5] == ',')) {
		if (spec[5] == ',' && pb_parse_i64(spec + 6, 8, PB_SAMPLER_STACK_MAX, &size)) {
			pb_error_clear();
			return pb_error("%s '%s': the user stack to copy per sample is a number of "
					"bytes from 8 to %u (perf's limit; default %u), e.g. dwarf,16384",
					what ? what : "--call-graph", spec, PB_SAMPLER_STACK_MAX,
					PB_SAMPLER_STACK_DEFAULT);
		}
		s->out.call_graph = PB_CALL_GRAPH_DWARF;
		s->out.stack_size = (unsigned)((size + 7) & ~(int64_t)7);
	} else {
		return pb_error("%s '%s': expected fp (frame pointers, the default), dwarf or "
				"dwarf,SIZE (copy SIZE bytes of user stack per sample and unwind with DWARF "
				"CFI: works without frame pointers)", what ? what : "--call-graph", spec);
	}
	s->out.max_depth = max_depth;
	return 0;
}

/* kernel.perf_event_max_stack: the longest chain the kernel walks. */
static unsigned kernel_max_stack(void)
{
	struct pb_buf b = PB_BUF_INIT;
	int64_t v = 127;

	if (pb_buf_read_file(&b, "/proc/sys/kernel/perf_event_max_stack") == 0) {
		b.data[strcspn(b.data, "\n")] = '\0';
		if (pb_parse_i64(b.data, 1, 65535, &v))
			v = 127;
	}
	pb_error_clear();
	pb_buf_release(&b);
	return (unsigned)v;
}

static void make_attr(struct perf_event_attr *a, const struct pb_sampler *s, uint32_t type,
		      uint64_t config, bool kernel)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = type;
	a->config = config;
	a->freq = 1;
	a->sample_freq = s->freq;
	a->sample_type = s->sample_type;
	if (s->out.call_graph == PB_CALL_GRAPH_DWARF) {
		/* The kernel's part of the chain still comes from the kernel; the user part is unwound. */
		a->exclude_callchain_user = 1;
		a->sample_regs_user = PB_PERFREC_REGS_MASK;
		a->sample_stack_user = s->out.stack_size;
	}
	/* Counting starts at exec, in every thread and child the benchmark starts. */
	a->disabled = 1;
	a->enable_on_exec = 1;
	a->inherit = 1;
	a->exclude_kernel = !kernel;
	a->exclude_hv = 1;
	/* Executable mappings (files and libraries), execs and forks: enough to place every address. */
	a->mmap = 1;
	a->mmap2 = 1;
	a->mmap_data = 0;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	a->watermark = 1;
	a->wakeup_watermark = (uint32_t)(RING_PAGES_MAX * s->page / 4);
}

static void close_session(struct session *ss)
{
	size_t i;

	if (!ss)
		return;
	for (i = 0; i < ss->n_rings; i++) {
		if (ss->rings[i].base)
			munmap(ss->rings[i].base, ss->rings[i].len);
		if (ss->rings[i].fd >= 0)
			pb_counters_sys_close(ss->rings[i].fd);
		pb_buf_release(&ss->rings[i].raw);
	}
	if (ss->stop[0] >= 0)
		close(ss->stop[0]);
	if (ss->stop[1] >= 0)
		close(ss->stop[1]);
	free(ss->rings);
	free(ss);
}

/* kernel.perf_event_max_sample_rate (the kernel lowers it when sampling costs too much). */
static unsigned max_sample_rate(void)
{
	struct pb_buf b = PB_BUF_INIT;
	int64_t v = 100000;

	if (pb_buf_read_file(&b, "/proc/sys/kernel/perf_event_max_sample_rate") == 0) {
		b.data[strcspn(b.data, "\n")] = '\0';
		if (pb_parse_i64(b.data, 1, UINT32_MAX, &v))
			v = 100000;
	}
	pb_error_clear();
	pb_buf_release(&b);
	return (unsigned)v;
}

/* Errors that mean "no such event here", after which the software clock is tried. */
static bool no_such_event(int err)
{
	return err == ENOENT || err == EOPNOTSUPP || err == ENODEV;
}

/*
 * Open on the first CPU, choosing the event (cycles, else cpu-clock) and whether the kernel may be
 * sampled (it may not at perf_event_paranoid >= 2 without a capability: EACCES). Returns the fd.
 */
static int open_first(struct pb_sampler *s, pid_t pid, int cpu)
{
	static const struct {
		uint32_t type;
		uint64_t config;
		const char *name;
	} cand[] = {
		{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles" },
		{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, "cpu-clock" },
	};
	struct perf_event_attr attr;
	struct pb_buf why = PB_BUF_INIT;
	size_t c;
	int fd = -1, err = 0, k;

	for (c = 0; c < PB_ARRAY_SIZE(cand); c++) {
		if (s->decided && cand[c].type != s->type)
			continue;
		for (k = s->decided ? !s->out.kernel : 0; k < 2; k++) {
			make_attr(&attr, s, cand[c].type, cand[c].config, k == 0);
			fd = pb_counters_sys_open(&attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
			if (fd >= 0) {
				s->decided = true;
				s->type = cand[c].type;
				s->config = cand[c].config;
				s->out.event = cand[c].name;
				s->out.kernel = k == 0;
				return fd;
			}
			err = errno;
			if (err != EACCES && err != EPERM)
				break;
		}
		if (c == 0 && !s->decided && no_such_event(err)) {
			pb_note("no hardware PMU event 'cycles' here (%s): sampling the software "
				"'cpu-clock' event instead", strerror(err));
			continue;
		}
		break;
	}
	if (err == EINVAL && s->freq > max_sample_rate())
		return pb_error("--freq %u is above kernel.perf_event_max_sample_rate (%u): lower --freq "
				"or raise the limit (sysctl kernel.perf_event_max_sample_rate=%u)", s->freq,
				max_sample_rate(), s->freq);
	pb_counters_describe_errno(&why, err, c == 0);
	pb_error_as(PB_EXIT_ENV, "cannot sample '%s' on the benchmark: %s; or profile with "
		    "--backend cachegrind, which needs no perf_event", c < PB_ARRAY_SIZE(cand) ?
		    cand[c].name : "cpu-clock", why.data);
	pb_buf_release(&why);
	return -1;
}

static int map_ring(struct pb_sampler *s, struct ring *r, int cpu)
{
	size_t pages;
	void *p;

	for (pages = s->out.call_graph == PB_CALL_GRAPH_DWARF ? RING_PAGES_MAX_DWARF : RING_PAGES_MAX;;
	     pages /= 2) {
		p = mmap(NULL, (pages + 1) * s->page, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
		if (p != MAP_FAILED)
			break;
		if ((errno != EPERM && errno != ENOMEM) || pages <= RING_PAGES_MIN)
			return pb_error_errno("cannot map the sample buffer of CPU %d (%zu KiB; the limit is "
					      "kernel.perf_event_mlock_kb and `ulimit -l`)", cpu,
					      pages * s->page / 1024);
	}
	r->base = p;
	r->len = (pages + 1) * s->page;
	return 0;
}

/* ---- draining ---- */

/* Copy whole records out of the ring (as far as the kernel has written) and free their space. */
static void drain(struct session *ss, struct ring *r, size_t page)
{
	struct perf_event_mmap_page *pg = r->base;
	const unsigned char *data;
	struct perf_event_header h;
	uint64_t head, tail, size, off, first;

	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	tail = pg->data_tail;
	/* data_offset/data_size are 0 on kernels before 4.1: the data follows the control page. */
	data = (const unsigned char *)r->base + (pg->data_size ? pg->data_offset : page);
	size = pg->data_size ? pg->data_size : r->len - page;
	while (tail < head) {
		off = tail % size;
		first = size - off < sizeof(h) ? size - off : sizeof(h);
		memcpy(&h, data + off, first);
		memcpy((unsigned char *)&h + first, data, sizeof(h) - first);
		if (h.size < sizeof(h) || h.size > head - tail) {
			tail = head; /* a torn record: nothing after it can be trusted */
			break;
		}
		if (h.type == PERF_RECORD_SAMPLE && ss->bytes + h.size > PB_SAMPLER_MAX_BYTES) {
			ss->dropped++;
		} else {
			if (h.type == PERF_RECORD_SAMPLE)
				ss->bytes += h.size;
			first = size - off < h.size ? size - off : h.size;
			pb_buf_add(&r->raw, data + off, first);
			if (first < h.size)
				pb_buf_add(&r->raw, data, h.size - first);
		}
		tail += h.size;
	}
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
}

struct thread_arg {
	struct session *ss;
	size_t page;
};

static void *drain_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct session *ss = ta->ss;
	struct pollfd *pfd = pb_xcalloc(ss->n_rings + 1, sizeof(*pfd));
	size_t i;
	bool stop = false;

	pfd[0] = (struct pollfd){ ss->stop[0], POLLIN, 0 };
	for (i = 0; i < ss->n_rings; i++)
		pfd[i + 1] = (struct pollfd){ ss->rings[i].fd, POLLIN, 0 };
	while (!stop) {
		if (poll(pfd, (nfds_t)ss->n_rings + 1, DRAIN_INTERVAL_MS) < 0 && errno != EINTR)
			break;
		stop = pfd[0].revents != 0;
		for (i = 0; i < ss->n_rings; i++) {
			/* A hung-up event (its tasks are gone) would wake poll forever. */
			if (pfd[i + 1].revents & (POLLHUP | POLLERR))
				pfd[i + 1].fd = -1;
			drain(ss, &ss->rings[i], ta->page);
		}
	}
	free(pfd);
	free(ta);
	return NULL;
}

int pb_sampler_attach(pid_t pid, void *arg)
{
	struct pb_sampler *s = arg;
	struct perf_event_attr attr;
	struct thread_arg *ta;
	struct session *ss;
	char online[256];
	sigset_t all, old;
	cpu_set_t cpus;
	int cpu, rc;

	if (pb_sampler_finish(s))
		return -1;
	s->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
	if (s->out.call_graph == PB_CALL_GRAPH_DWARF)
		s->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	/* A chain that fills the kernel's limit (kernel and user entries together) went on. */
	s->max_stack = kernel_max_stack();
	if (pb_cpus_online(online, sizeof(online)) || pb_cpus_parse(&cpus, online, 0, "online CPUs"))
		return -1;
	ss = pb_xcalloc(1, sizeof(*ss));
	ss->stop[0] = ss->stop[1] = -1;
	ss->rings = pb_xcalloc((size_t)CPU_COUNT(&cpus), sizeof(*ss->rings));
	/* Per CPU: the kernel refuses to map an inherited event that follows a task on any CPU. */
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		struct ring *r = &ss->rings[ss->n_rings];

		if (!CPU_ISSET(cpu, &cpus))
			continue;
		r->raw = (struct pb_buf)PB_BUF_INIT;
		if (ss->n_rings == 0) {
			r->fd = open_first(s, pid, cpu);
		} else {
			make_attr(&attr, s, s->type, s->config, s->out.kernel);
			r->fd = pb_counters_sys_open(&attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
			if (r->fd < 0 && errno == ENODEV)
				continue; /* the CPU went offline meanwhile */
			if (r->fd < 0) {
				struct pb_buf why = PB_BUF_INIT;

				pb_counters_describe_errno(&why, errno, s->type == PERF_TYPE_HARDWARE);
				pb_error_as(PB_EXIT_ENV, "cannot sample '%s' on CPU %d: %s", s->out.event,
					    cpu, why.data);
				pb_buf_release(&why);
			}
		}
		if (r->fd < 0)
			goto fail;
		ss->n_rings++;
		if (map_ring(s, r, cpu))
			goto fail;
	}
	if (pipe2(ss->stop, O_CLOEXEC)) {
		pb_error_errno("cannot create a pipe for the sampler");
		goto fail;
	}
	ta = pb_xmalloc(sizeof(*ta));
	ta->ss = ss;
	ta->page = s->page;
	/* Signals (SIGINT, SIGCHLD) stay with the thread that runs the benchmark: the drainer blocks all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&ss->thread, NULL, drain_thread, ta);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		free(ta);
		pb_error_as(PB_EXIT_ENV, "cannot start the sampler's thread: %s", strerror(rc));
		goto fail;
	}
	ss->thread_started = true;
	s->cur = ss;
	return 0;
fail:
	close_session(ss);
	return -1;
}

/* ---- from records to samples ---- */

struct rec {
	uint64_t time;
	uint32_t ring;
	size_t off;
};

static int cmp_rec(const void *pa, const void *pb)
{
	const struct rec *a = pa, *b = pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->ring != b->ring)
		return a->ring < b->ring ? -1 : 1;
	return a->off < b->off ? -1 : a->off > b->off;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A process and its current image: index into pb_samples.spaces. */
struct proc {
	uint32_t pid;
	uint32_t space;
};

struct replay {
	struct pb_sampler *s;
	struct proc *procs;
	size_t n_procs, cap_procs, last;
};

/* A new, empty address space for `pid`. */
static uint32_t new_space(struct pb_sampler *s, uint32_t pid)
{
	struct pb_samples *o = &s->out;

	pb_xgrow((void **)&o->spaces, &s->cap_spaces, o->n_spaces + 1, sizeof(*o->spaces));
	memset(&o->spaces[o->n_spaces], 0, sizeof(*o->spaces));
	o->spaces[o->n_spaces].pid = pid;
	return (uint32_t)o->n_spaces++;
}

static struct proc *proc_of(struct replay *rp, uint32_t pid)
{
	size_t i;

	if (rp->last < rp->n_procs && rp->procs[rp->last].pid == pid)
		return &rp->procs[rp->last];
	for (i = 0; i < rp->n_procs; i++)
		if (rp->procs[i].pid == pid)
			return &rp->procs[rp->last = i];
	pb_xgrow((void **)&rp->procs, &rp->cap_procs, rp->n_procs + 1, sizeof(*rp->procs));
	rp->procs[rp->n_procs].pid = pid;
	rp->procs[rp->n_procs].space = new_space(rp->s, pid);
	rp->last = rp->n_procs;
	return &rp->procs[rp->n_procs++];
}

static uint32_t intern_object(struct pb_sampler *s, const char *path)
{
	struct pb_samples *o = &s->out;
	size_t i;

	for (i = 0; i < o->n_objects; i++)
		if (strcmp(o->objects[i].path, path) == 0)
			return (uint32_t)i;
	pb_xgrow((void **)&o->objects, &s->cap_objects, o->n_objects + 1, sizeof(*o->objects));
	o->objects[o->n_objects].path = pb_xstrdup(path);
	o->objects[o->n_objects].file = path[0] == '/' && strncmp(path, "/memfd:", 7) != 0 &&
					!strstr(path, " (deleted)");
	return (uint32_t)o->n_objects++;
}

static void on_mmap2(struct replay *rp, const unsigned char *r, size_t size)
{
	struct pb_sample_space *sp;
	struct pb_sample_map *m;
	const char *name = (const char *)r + 72;
	size_t room;

	if (size < 72 + SAMPLE_ID_SIZE + 1)
		return;
	room = size - 72 - SAMPLE_ID_SIZE;
	if (!memchr(name, '\0', room))
		return;
	sp = &rp->s->out.spaces[proc_of(rp, get32(r + 8))->space];
	pb_xgrow((void **)&sp->maps, &sp->cap_maps, sp->n_maps + 1, sizeof(*sp->maps));
	m = &sp->maps[sp->n_maps++];
	m->start = get64(r + 16);
	m->end = m->start + get64(r + 24);
	m->pgoff = get64(r + 32);
	m->object = intern_object(rp->s, name);
}

static void on_fork(struct replay *rp, const unsigned char *r, size_t size)
{
	struct pb_samples *o = &rp->s->out;
	struct pb_sample_space *child, *parent;
	uint32_t pid, ppid, from, to;

	if (size < 8 + 24 + SAMPLE_ID_SIZE)
		return;
	pid = get32(r + 8);
	ppid = get32(r + 12);
	if (pid == ppid)
		return; /* a thread: it shares the mappings */
	/* A new process starts with a copy of its parent's mappings (and no record of them). */
	from = proc_of(rp, ppid)->space;
	to = new_space(rp->s, pid);
	proc_of(rp, pid)->space = to;
	parent = &o->spaces[from];
	child = &o->spaces[to];
	if (parent->n_maps) {
		child->maps = pb_xmalloc(parent->n_maps * sizeof(*child->maps));
		memcpy(child->maps, parent->maps, parent->n_maps * sizeof(*child->maps));
		child->n_maps = child->cap_maps = parent->n_maps;
	}
}

struct pb_frame pb_samples_resolve(const struct pb_samples *s, uint32_t space, uint32_t n_maps,
				   uint64_t addr)
{
	const struct pb_sample_map *m;
	size_t i;

	if (space < s->n_spaces) {
		m = s->spaces[space].maps;
		for (i = n_maps < s->spaces[space].n_maps ? n_maps : s->spaces[space].n_maps; i-- > 0;)
			if (addr >= m[i].start && addr < m[i].end)
				return (struct pb_frame){ m[i].object, addr - m[i].start + m[i].pgoff };
	}
	return (struct pb_frame){ PB_SAMPLE_UNMAPPED, addr };
}

/* Append a frame to the sample being built; false once the depth cap is reached. */
static bool push_frame(struct pb_sampler *s, struct pb_sample *smp, struct pb_frame f)
{
	struct pb_samples *o = &s->out;

	/* Kernel frames fold into one: the kernel is a single object here. */
	if (f.object == PB_SAMPLE_KERNEL && smp->n && o->frames[o->n_frames - 1].object == PB_SAMPLE_KERNEL)
		return true;
	if (smp->n >= o->max_depth)
		return false;
	pb_xgrow((void **)&o->frames, &s->cap_frames, o->n_frames + 1, sizeof(*o->frames));
	o->frames[o->n_frames++] = f;
	smp->n++;
	return true;
}

/* Keep the sampled registers and the valid part of the user stack for the unwinder. */
static size_t keep_user(struct pb_sampler *s, const struct pb_perfrec_sample *rec)
{
	struct pb_samples *o = &s->out;
	struct pb_sample_user *u;

	pb_xgrow((void **)&o->users, &s->cap_users, o->n_users + 1, sizeof(*o->users));
	u = &o->users[o->n_users];
	pb_perfrec_dwarf_regs(rec, u->regs);
	u->stack_at = o->stacks_len;
	u->stack_size = (uint32_t)rec->stack_size;
	pb_xgrow((void **)&o->stacks, &s->cap_stacks, o->stacks_len + rec->stack_size + 1, 1);
	if (rec->stack_size)
		memcpy(o->stacks + o->stacks_len, rec->stack, rec->stack_size);
	o->stacks_len += rec->stack_size;
	return o->n_users++;
}

static void on_sample(struct replay *rp, const unsigned char *r, size_t size, uint16_t misc)
{
	struct pb_sampler *s = rp->s;
	struct pb_samples *o = &s->out;
	struct pb_perfrec_sample rec;
	struct pb_sample smp;
	const struct pb_sample_space *sp;
	uint64_t i, a, ips = 0;
	enum { CTX_NONE, CTX_KERNEL, CTX_USER, CTX_OTHER } ctx = CTX_NONE;
	bool leaf = true, dwarf = s->out.call_graph == PB_CALL_GRAPH_DWARF;

	if (pb_perfrec_parse_sample(&rec, r, size, s->sample_type, dwarf ? PB_PERFREC_REGS_MASK : 0))
		return;
	memset(&smp, 0, sizeof(smp));
	smp.pid = rec.pid;
	smp.tid = rec.tid;
	smp.first = o->n_frames;
	smp.space = proc_of(rp, smp.pid)->space;
	sp = &o->spaces[smp.space];
	smp.n_maps = (uint32_t)sp->n_maps;
	for (i = 0; i < rec.nr; i++) {
		a = get64(rec.chain + 8 * i);
		if (a >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = a == (uint64_t)PERF_CONTEXT_KERNEL ? CTX_KERNEL :
			      a == (uint64_t)PERF_CONTEXT_USER ? CTX_USER : CTX_OTHER;
			/* The first user address is where the task was interrupted, not a return. */
			leaf = true;
			continue;
		}
		ips++;
		if (ctx == CTX_KERNEL) {
			smp.truncated |= !push_frame(s, &smp, (struct pb_frame){ PB_SAMPLE_KERNEL, 0 });
		} else if (ctx == CTX_USER) {
			smp.truncated |= !push_frame(s, &smp, pb_samples_resolve(o, smp.space, smp.n_maps,
										leaf ? a : a - 1));
			leaf = false;
		}
	}
	/* The kernel filled the chain it was allowed: there was more. */
	if (!dwarf && ips >= s->max_stack)
		smp.truncated = true;
	if (dwarf && rec.abi != 0) {
		/* The user leaf (also what is left when the stack cannot be unwound). */
		push_frame(s, &smp, pb_samples_resolve(o, smp.space, smp.n_maps, rec.regs[8]));
		if (rec.stack_size)
			smp.user = keep_user(s, &rec) + 1;
	} else if (smp.n == 0) {
		if ((misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL)
			push_frame(s, &smp, (struct pb_frame){ PB_SAMPLE_KERNEL, 0 });
		else
			push_frame(s, &smp, pb_samples_resolve(o, smp.space, smp.n_maps, rec.ip));
	}
	pb_xgrow((void **)&o->samples, &s->cap_samples, o->n_samples + 1, sizeof(*o->samples));
	o->samples[o->n_samples++] = smp;
}

/* Replay the session's records in time order: mappings, forks and execs shape what samples mean. */
static void replay(struct pb_sampler *s, struct session *ss)
{
	struct replay rp = { s, NULL, 0, 0, 0 };
	struct perf_event_header h;
	struct rec *recs = NULL;
	const unsigned char *r;
	size_t n = 0, cap = 0, i, off;

	for (i = 0; i < ss->n_rings; i++)
		for (off = 0; off + sizeof(h) <= ss->rings[i].raw.len; off += h.size) {
			r = (const unsigned char *)ss->rings[i].raw.data + off;
			memcpy(&h, r, sizeof(h));
			pb_xgrow((void **)&recs, &cap, n + 1, sizeof(*recs));
			recs[n].ring = (uint32_t)i;
			recs[n].off = off;
			if (h.type == PERF_RECORD_SAMPLE)
				recs[n].time = h.size >= 32 ? get64(r + 24) : 0;
			else
				recs[n].time = h.size >= sizeof(h) + SAMPLE_ID_SIZE ? get64(r + h.size - 8) : 0;
			n++;
		}
	if (n > 1)
		qsort(recs, n, sizeof(*recs), cmp_rec);
	for (i = 0; i < n; i++) {
		r = (const unsigned char *)ss->rings[recs[i].ring].raw.data + recs[i].off;
		memcpy(&h, r, sizeof(h));
		switch (h.type) {
		case PERF_RECORD_SAMPLE:
			on_sample(&rp, r, h.size, h.misc);
			break;
		case PERF_RECORD_MMAP2:
			on_mmap2(&rp, r, h.size);
			break;
		case PERF_RECORD_FORK:
			on_fork(&rp, r, h.size);
			break;
		case PERF_RECORD_COMM:
			/* exec: the process's old mappings are gone. */
			if ((h.misc & PERF_RECORD_MISC_COMM_EXEC) && h.size >= 16)
				proc_of(&rp, get32(r + 8))->space = new_space(s, get32(r + 8));
			break;
		case PERF_RECORD_LOST:
			if (h.size >= 24)
				s->out.lost += get64(r + 16);
			break;
		case PERF_RECORD_LOST_SAMPLES:
			if (h.size >= 16)
				s->out.lost += get64(r + 8);
			break;
		default:
			break;
		}
	}
	free(rp.procs);
	free(recs);
}

int pb_sampler_finish(struct pb_sampler *s)
{
	struct session *ss = s->cur;
	size_t i;

	if (!ss)
		return 0;
	s->cur = NULL;
	if (ss->thread_started) {
		/* A full pipe cannot happen: one byte, once. */
		if (write(ss->stop[1], "x", 1) < 0)
			pb_warn("sampler: cannot signal the drain thread: %s", strerror(errno));
		pthread_join(ss->thread, NULL);
	}
	for (i = 0; i < ss->n_rings; i++)
		drain(ss, &ss->rings[i], s->page);
	s->out.dropped += ss->dropped;
	replay(s, ss);
	close_session(ss);
	return 0;
}

const struct pb_samples *pb_sampler_samples(const struct pb_sampler *s)
{
	return &s->out;
}

void pb_sampler_free(struct pb_sampler *s)
{
	size_t i;

	if (!s)
		return;
	pb_sampler_finish(s);
	for (i = 0; i < s->out.n_objects; i++)
		free(s->out.objects[i].path);
	free(s->out.objects);
	for (i = 0; i < s->out.n_spaces; i++)
		free(s->out.spaces[i].maps);
	free(s->out.spaces);
	free(s->out.users);
	free(s->out.stacks);
	free(s->out.samples);
	free(s->out.frames);
	free(s);
}
