/* cpus.c: CPU list parsing ("0-3,6") and the online check behind --cpus. */
#include "core/cpus.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/util.h"

/*
 * Parse a list into set; -1 (no error recorded) on bad syntax, -2 with *big set for a CPU number
 * beyond what a cpu_set_t holds (no such CPU on any machine we can pin on).
 */
static int parse_list(cpu_set_t *set, const char *list, int64_t *big)
{
	const char *p = list;
	int64_t lo, hi;
	char num[16];
	size_t n;

	CPU_ZERO(set);
	if (!*p)
		return -1;
	while (*p) {
		n = strspn(p, "0123456789");
		if (!n || n >= sizeof(num))
			return -1;
		memcpy(num, p, n);
		num[n] = '\0';
		if (pb_parse_i64(num, 0, CPU_SETSIZE - 1, &lo))
			return pb_parse_i64(num, 0, INT64_MAX, big) ? -1 : -2;
		p += n;
		hi = lo;
		if (*p == '-') {
			p++;
			n = strspn(p, "0123456789");
			if (!n || n >= sizeof(num))
				return -1;
			memcpy(num, p, n);
			num[n] = '\0';
			if (pb_parse_i64(num, lo, CPU_SETSIZE - 1, &hi))
				return pb_parse_i64(num, lo, INT64_MAX, big) ? -1 : -2;
			p += n;
		}
		for (; lo <= hi; lo++)
			CPU_SET((int)lo, set);
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

int pb_cpus_online(char *out, size_t size)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	size_t n;

	if (!f)
		return pb_error_errno("cannot read /sys/devices/system/cpu/online");
	n = fread(out, 1, size - 1, f);
	fclose(f);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	out[n] = '\0';
	return 0;
}

int pb_cpus_parse(cpu_set_t *set, const char *list, int check_online, const char *what)
{
	cpu_set_t online;
	char buf[256];
	int64_t big = 0;
	int cpu, rc = parse_list(set, list, &big);

	if (rc == -1)
		return pb_error("%s: '%s' is not a CPU list (expected e.g. \"1\", \"0-3\" or \"1,3\")",
				what, list);
	if (rc == -2 && (!check_online || pb_cpus_online(buf, sizeof(buf))))
		return pb_error("%s: CPU %lld does not exist (CPU numbers go up to %d)", what,
				(long long)big, CPU_SETSIZE - 1);
	if (rc == -2)
		return pb_error("%s: CPU %lld does not exist or is offline (online: %s)", what,
				(long long)big, buf);
	if (!check_online)
		return 0;
	if (pb_cpus_online(buf, sizeof(buf)))
		return -1;
	if (parse_list(&online, buf, &big))
		return pb_error_as(PB_EXIT_ENV, "cannot parse the online CPU list '%s'", buf);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && !CPU_ISSET(cpu, &online))
			return pb_error("%s: CPU %d does not exist or is offline (online: %s)", what, cpu, buf);
	return 0;
}
