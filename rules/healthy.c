/* healthy.c — an explicit "checked, nothing wrong" so silence is never
 * ambiguous. Runs last; fires only when no other rule found a warning or
 * worse, and only when there was evidence to check. */
#include <stdio.h>

#include "rule.h"

static void run(struct analysis *an, const struct rule *self)
{
	for (size_t i = 0; i < an->findings.n; i++)
		if (an->findings.v[i]->severity >= SEV_WARNING)
			return;
	const struct incident *inc = &an->inc;
	/* the kernel said it reset connections (tcp_check_oom(): orphans or
	 * tcp_mem; read from a kernel log, noted by derive.c): not healthy,
	 * whatever else looks fine */
	for (size_t i = 0; i < inc->kernel_events.n; i++) {
		const struct kernel_event *e = &inc->kernel_events.v[i];
		if ((e->kind == KEV_ORPHANS || e->kind == KEV_TCP_MEM || e->kind == KEV_SOCKET_MEM) &&
		    rule_kernel_event_in_window(inc, e))
			return;
	}
	/* a process whose threads could not be classified keeps it open */
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->undecided)
			return;
	}
	size_t sources = (inc->sock_snaps.n > 0) + (inc->counter_snaps.n > 0) +
			 (inc->sysctls.n > 0) + incident_has_capture(inc) + incident_has_stacks(inc);
	/* counters or stacks alone cannot see a CLOSE-WAIT pile-up or a
	 * receiver that stopped reading: it takes the connections themselves
	 * (a socket table or a capture) to call a server healthy */
	bool connections = false;
	for (size_t i = 0; i < inc->sock_snaps.n; i++)
		if (!inc->sock_snaps.v[i]->listen_only)
			connections = true;
	if (!sources || (!connections && !incident_has_capture(inc))) {
		if (sources)
			analysis_note(an, "nothing wrong in the %s, but without a socket table or a "
					  "capture the connections themselves were not seen: add `ss "
					  "-tanpie` snapshots to rule out CLOSE-WAIT or unread data",
				      inc->counter_snaps.n && incident_has_stacks(inc)
				      ? "counters and stacks" : inc->counter_snaps.n ? "counters"
				      : incident_has_stacks(inc) ? "stacks" : "evidence");
		return;		/* not enough to call it healthy: inconclusive */
	}
	double conf = 0.5 + 0.1 * (double)sources;
	struct finding *f = finding_new(an, self, SEV_INFO, conf > 0.95 ? 0.95 : conf,
					"checked %zu kinds of evidence: nothing wrong", sources);
	finding_fact_int(an, f, "socket_snapshots", (int64_t)inc->sock_snaps.n);
	finding_fact_int(an, f, "counter_snapshots", (int64_t)inc->counter_snaps.n);
	finding_fact_int(an, f, "listeners", (int64_t)inc->listeners.n);
	finding_fact_int(an, f, "processes", (int64_t)inc->processes.n);
	char detail[1024];
	size_t off = 0;
	for (size_t i = 0; i < an->checked.n; i++)
		buf_append(detail, sizeof(detail), &off, "%s%s", i ? "; " : "", an->checked.v[i]);
	finding_detail(an, f, "%s", off ? detail : "no rule found a problem");
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		if (l->backlog_src.file)
			finding_evidence(an, f, &l->backlog_src, NULL);
	}
	finding_advice(an, f, "Nothing to fix in what was collected. If clients still fail, "
			      "collect during the failure: `stuckscope attach --port PORT`.");
}

const struct rule rule_healthy = {
	.id = "healthy",
	.title = "checked, nothing wrong: lists what was checked",
	.doc = "Emitted when no rule found a warning or worse and there was evidence to check "
	       "(a socket snapshot, two counter snapshots, a capture or stacks). Its detail "
	       "lists every check that passed. With less evidence the verdict is "
	       "'inconclusive' and the report says what to collect.",
	.needs = 0,
	.run = run,
};
