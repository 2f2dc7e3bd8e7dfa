/* util.c — small look-ups several rules share. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rule.h"

const char *rule_listener_name(const struct listener *l)
{
	return l ? l->name : NULL;
}

bool incident_has_sockets(const struct incident *inc)
{
	return inc->sock_snaps.n > 0;
}

bool incident_has_counters(const struct incident *inc)
{
	return inc->counter_snaps.n > 0;
}

bool incident_has_capture(const struct incident *inc)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->capture)
			return true;
	return false;
}

/* A sample that says something: frames, or what /proc showed. A thread
 * header with nothing under it (py-spy's "Thread 12 (idle)" alone, gdb's
 * "Unable to locate python frame") is no evidence to call stacks fine on. */
static bool sample_says(const struct stack_sample *s)
{
	return s->n_frames || s->n_py_frames || s->state || s->syscall_nr != -2 || s->wchan;
}

bool incident_has_stacks(const struct incident *inc)
{
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t t = 0; t < inc->processes.v[i]->threads.n; t++) {
			const struct thread *th = &inc->processes.v[i]->threads.v[t];
			for (size_t k = 0; k < th->samples.n; k++)
				if (sample_says(&th->samples.v[k]))
					return true;
		}
	return false;
}

void buf_append(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	if (*off >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
	if (*off >= size)
		*off = size - 1;
}
