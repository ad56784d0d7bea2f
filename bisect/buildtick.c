/* buildtick.c: a thread that redraws "building 1a2b3c4: 2 min 10 s; log …: <its last line>" while a build runs. */
#include "bisect/buildtick.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"

void pb_buildtick_last_line(const char *path, char *out, size_t size)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	size_t end, start, k = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	out[0] = '\0';
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(buf))
		lseek(fd, st.st_size - (off_t)sizeof(buf), SEEK_SET);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return;
	end = (size_t)n;
	while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && buf[start - 1] != '\n' && buf[start - 1] != '\r')
		start--;
	while (start < end && (buf[start] == ' ' || buf[start] == '\t'))
		start++;
	for (size_t i = start; i < end && k + 1 < size; i++)
		if ((unsigned char)buf[i] >= 0x20 || buf[i] == '\t')
			out[k++] = buf[i] == '\t' ? ' ' : buf[i];
	out[k] = '\0';
}

static void *tick_main(void *arg)
{
	struct pb_buildtick *t = arg;
	char line[72], took[32];
	struct timespec until;

	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&t->cv, &t->mu, &until);
		if (t->stop)
			break;
		pb_buildtick_last_line(t->log, line, sizeof(line));
		pb_format_duration(took, sizeof(took), (double)(pb_now_ns() - t->start_ns) / 1e9);
		pb_progress_tick(t->progress, "building %.7s for %s; log %s%s%s", t->id, took, t->log,
				 line[0] ? ": " : "", line);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

void pb_buildtick_start(struct pb_buildtick *t, struct pb_progress *progress, const char *id,
			const char *log)
{
	memset(t, 0, sizeof(*t));
	if (!progress || !progress->out)
		return;
	t->progress = progress;
	snprintf(t->id, sizeof(t->id), "%s", id);
	t->log = log;
	t->start_ns = pb_now_ns();
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	t->running = pthread_create(&t->thread, NULL, tick_main, t) == 0;
	if (!t->running) {
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
	}
}

void pb_buildtick_stop(struct pb_buildtick *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	t->running = false;
}
