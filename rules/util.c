/* util.c — small look-ups several rules share. */
#include <math.h>
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

bool incident_has_stacks(const struct incident *inc)
{
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t t = 0; t < inc->processes.v[i]->threads.n; t++)
			if (inc->processes.v[i]->threads.v[t].samples.n)
				return true;
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

static bool syn_flood_on(const struct kernel_event *e, const struct listener *l)
{
	if (e->kind != KEV_SYN_FLOOD)
		return false;
	if (!l)
		return true;
	if (e->port < 0 || l->addr.any_port || e->port != l->addr.port)
		return false;
	/* 6.1+ names the address: "0.0.0.0:8000" is the wildcard listener,
	 * "127.0.0.1:8000" another one on the same port */
	if (e->addr.family && l->addr.family && !endpoint_equal(&e->addr, &l->addr))
		return false;
	return true;
}

uint32_t rule_syn_flood_lines(const struct incident *inc, const struct listener *l,
			      const struct kernel_event **first)
{
	uint32_t n = 0;
	*first = NULL;
	for (size_t i = 0; i < inc->kernel_events.n; i++) {
		const struct kernel_event *e = &inc->kernel_events.v[i];
		if (!syn_flood_on(e, l))
			continue;
		if (!*first)
			*first = e;
		n += e->count;
	}
	return n;
}

uint64_t rule_kernel_events(const struct incident *inc, enum kernel_event_kind kind,
			    const struct kernel_event **first)
{
	uint64_t n = 0;
	*first = NULL;
	for (size_t i = 0; i < inc->kernel_events.n; i++) {
		const struct kernel_event *e = &inc->kernel_events.v[i];
		if (e->kind != kind)
			continue;
		if (!*first)
			*first = e;
		n += e->count;
	}
	return n;
}

bool rule_kernel_event_in_window(const struct incident *inc, const struct kernel_event *e)
{
	if (isnan(e->src.at) || isnan(inc->t_first))
		return true;
	return e->src.at >= inc->t_first - 600 && e->src.at <= inc->t_last + 600;
}
