/* capacity_exhausted.c — every worker of a listener stuck, busy or gone:
 * nobody calls accept(), so every new connection waits in a full queue and
 * then fails. The total outage. */
#include <stdio.h>

#include "rule.h"

static void run(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		size_t workers = 0, down = 0, known = 0, accepting = 0;
		for (size_t k = 0; k < l->pids.n; k++) {
			const struct process *p = incident_process((struct incident *)inc, l->pids.v[k], false);
			if (!p || p->role == ROLE_PARENT)
				continue;
			workers++;
			if (p->state == PST_UNKNOWN)
				continue;
			known++;
			if (p->state == PST_STUCK || p->state == PST_BUSY || p->state == PST_GONE) {
				down++;
				if (p->state == PST_STUCK && p->accepting)
					accepting++;
			}
		}
		if (!known)
			continue;
		if (down < workers || known < workers) {
			analysis_checked(an, "capacity left on %s: %zu of %zu workers accepting or idle",
					 l->name, known - down, workers);
			continue;
		}
		/* A stuck worker may still accept (its acceptor runs while its
		 * handlers are stuck): then connections are accepted and hang
		 * instead of queueing, and the title must not say nobody accepts */
		struct finding *f;
		if (accepting && workers == 1)
			f = finding_new(an, self, SEV_CRITICAL, 0.9,
					"no request to %s can complete: its only worker accepts "
					"connections but no thread serves them", l->name);
		else if (accepting)
			f = finding_new(an, self, SEV_CRITICAL, 0.9,
					"no worker of %s can complete a request: all %zu stuck or busy, "
					"%zu of them still accepting", l->name, workers, accepting);
		else if (workers == 1)
			f = finding_new(an, self, SEV_CRITICAL, 0.9,
					"no process accepts on %s: its only worker is stuck or busy",
					l->name);
		else
			f = finding_new(an, self, SEV_CRITICAL, 0.9,
					"no worker of %s accepts: all %zu stuck or busy", l->name,
					workers);
		f->listener = l->name;
		for (size_t k = 0; k < l->pids.n; k++) {
			const struct process *p = incident_process((struct incident *)inc, l->pids.v[k], false);
			if (p && p->role != ROLE_PARENT)
				finding_pid(an, f, p->pid);
		}
		finding_fact_int(an, f, "workers", (int64_t)workers);
		finding_fact_int(an, f, "workers_down", (int64_t)down);
		if (l->max_src.file)
			finding_evidence(an, f, &l->max_src, NULL);
		if (accepting)
			finding_detail(an, f, "every worker holding %s is stuck, busy or gone, and "
					      "%zu of them still accept%s: new connections are accepted "
					      "and then hang unanswered until the client gives up",
				       l->name, accepting, accepting == 1 ? "s" : "");
		else
			finding_detail(an, f, "every worker holding %s is stuck, busy or gone: new "
					      "connections queue until the accept queue is full, then "
					      "their SYNs are dropped", l->name);
		finding_fact_int(an, f, "workers_still_accepting", (int64_t)accepting);
		finding_advice(an, f, "Restart the workers to restore service now; then fix what "
				      "blocks them (see the workers-stuck finding).");
	}
}

const struct rule rule_capacity_exhausted = {
	.id = "capacity-exhausted",
	.title = "every worker busy or stuck: nobody calls accept()",
	.doc = "For each listener whose workers' states are known from stacks, fires when every "
	       "worker (the processes holding the listening socket, parent excluded) is stuck, "
	       "busy or gone: a total outage rather than degraded service.",
	.needs = NEED_STACKS,
	.run = run,
};
