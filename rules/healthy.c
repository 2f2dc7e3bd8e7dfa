/* healthy.c — an explicit "checked, nothing wrong" so silence is never
 * ambiguous. Runs last; fires only when no other rule found a warning or
 * worse, and only when there was evidence to check. */
#include <stdio.h>

#include "derive/classify.h"
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
	/* evidence counts only with records in it: a table whose rows could
	 * not be read, or that shows no socket at all, saw nothing (issue 14:
	 * never "healthy" from zero readable records) */
	size_t socks = 0, cnts = 0;
	bool connections = false;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (!s->rows.n)
			continue;
		socks++;
		/* counters or stacks alone cannot see a CLOSE-WAIT pile-up or a
		 * receiver that stopped reading: it takes the connections
		 * themselves (a socket table or a capture) to call a server
		 * healthy */
		if (!s->listen_only)
			connections = true;
	}
	for (size_t i = 0; i < inc->counter_snaps.n; i++)
		cnts += inc->counter_snaps.v[i]->counters.n > 0;
	size_t sources = (socks > 0) + (cnts > 0) + (inc->sysctls.n > 0) +
			 incident_has_capture(inc) + incident_has_stacks(inc);
	/* threads seen blocked on a lock in the only sample, in processes that
	 * still poll or accept (classify.c one_look): not "nothing wrong" */
	size_t once = 0;
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t k = 0; k < inc->processes.v[i]->threads.n; k++) {
			const struct thread_note *nt = classify_note(an, &inc->processes.v[i]->threads.v[k]);
			if (nt && nt->one_look)
				once++;
		}
	if (!sources || (!connections && !incident_has_capture(inc))) {
		if (sources && once)
			analysis_note(an, "%zu thread%s blocked on a lock in the only stack sample, in "
					  "processes with a thread still accepting or polling: one look "
					  "cannot tell a wait for work from a stuck one; take a second dump "
					  "in a few seconds, and add `ss -tanpie` snapshots to see whether "
					  "connections wait unread or in CLOSE-WAIT", once, once == 1 ? "" : "s");
		else if (sources)
			analysis_note(an, "nothing wrong in the %s, but without a socket table or a "
					  "capture the connections themselves were not seen: add `ss "
					  "-tanpie` snapshots to rule out CLOSE-WAIT or unread data",
				      cnts && incident_has_stacks(inc) ? "counters and stacks"
				      : cnts ? "counters" : incident_has_stacks(inc) ? "stacks"
				      : socks ? "listening sockets" : "settings");
		return;		/* not enough to call it healthy: inconclusive */
	}
	double conf = 0.5 + 0.1 * (double)sources;
	/* one moment of the socket table and nothing over time (no counter
	 * window, no capture, no stack samples): one look at a server that
	 * may fail between looks */
	bool one_look = inc->sock_order.moments <= 1 && inc->counter_order.moments <= 1 &&
			!incident_has_capture(inc) && !incident_has_stacks(inc);
	if (one_look)
		conf -= 0.1;
	/* "nothing wrong" in a capture read in part says nothing of the rest */
	struct finding *f = finding_new(an, self, SEV_INFO,
					(conf > 0.95 ? 0.95 : conf) * captures_keep(an),
					"checked %zu kinds of evidence: nothing wrong", sources);
	finding_fact_int(an, f, "socket_snapshots", (int64_t)inc->sock_snaps.n);
	finding_fact_int(an, f, "counter_snapshots", (int64_t)inc->counter_snaps.n);
	finding_fact_int(an, f, "listeners", (int64_t)inc->listeners.n);
	finding_fact_int(an, f, "processes", (int64_t)inc->processes.n);
	struct strbuf detail = STRBUF_INIT;
	if (one_look) {
		/* first: a long list of checks must not cut it off */
		finding_fact_int(an, f, "looks", 1);
		strbuf_addf(&detail, "one look (one socket snapshot): a second "
			   "one, and two counter snapshots, during the failure would confirm nothing "
			   "builds up; ");
	}
	for (size_t i = 0; i < an->checked.n; i++)
		strbuf_addf(&detail, "%s%s", i ? "; " : "", an->checked.v[i]);
	if (one_look && !an->checked.n)
		strbuf_addf(&detail, "no rule found a problem");
	finding_detail(an, f, "%s", detail.len ? detail.buf : "no rule found a problem");
	strbuf_release(&detail);
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
	       "lists every check that passed; from one socket snapshot alone it says so "
	       "(fact looks: 1). With less evidence the verdict is "
	       "'inconclusive' and the report says what to collect.",
	.needs = 0,
	.run = run,
};
