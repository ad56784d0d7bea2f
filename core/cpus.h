/* cpus.h: CPU lists ("0-3,6") parsed and checked against the CPUs that are online. */
#ifndef PB_CORE_CPUS_H
#define PB_CORE_CPUS_H

#include <sched.h>

/*
 * Parse a CPU list (comma-separated numbers and ranges) into *set. With check_online, every CPU
 * must be online (/sys/devices/system/cpu/online); an offline or nonexistent CPU is an error naming
 * it and the online list. `what` names the setting in messages ("--cpus", "measure.cpus").
 * Returns 0 or -1 (class PB_EXIT_USAGE).
 */
int pb_cpus_parse(cpu_set_t *set, const char *list, int check_online, const char *what);

/* The online CPUs as a list string ("0-1"), written into out. Returns 0 or -1. */
int pb_cpus_online(char *out, size_t size);

#endif
