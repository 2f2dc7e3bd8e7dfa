/* util.c — small look-ups several rules share. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rule.h"

bool incident_has_sockets(const struct incident *inc)
{
	return inc->sock_snaps.n > 0;
}

bool incident_has_capture(const struct incident *inc)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->capture)
			return true;
	return false;
}

/* What was not read may hold the packets that contradict a finding (the
 * SYN-ACK of a SYN counted as unanswered) or that show the problem (the
 * overflow a "healthy" verdict missed): the finding keeps the share that
 * was read, and never more than 0.9 of its confidence. */
double unread_keep(double unread_share)
{
	if (!(unread_share > 0))
		return 1.0;
	double keep = 1.0 - unread_share;
	return keep > 0.9 ? 0.9 : keep < 0 ? 0 : keep;
}

double capture_keep(const struct capture_stats *c)
{
	return c ? unread_keep(c->unread_share) : 1.0;
}

double captures_keep(const struct analysis *an)
{
	double keep = 1.0;
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->cls == EV_CAPTURE && in->status != INPUT_ERROR) {
			double k = unread_keep(in->unread_share);
			if (k < keep)
				keep = k;
		}
	}
	return keep;
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
