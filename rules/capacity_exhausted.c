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
		size_t workers = 0, down = 0, known = 0;
		for (size_t k = 0; k < l->pids.n; k++) {
			const struct process *p = incident_process((struct incident *)inc, l->pids.v[k], false);
			if (!p || p->role == ROLE_PARENT)
				continue;
			workers++;
			if (p->state == PST_UNKNOWN)
				continue;
			known++;
			if (p->state == PST_STUCK || p->state == PST_BUSY || p->state == PST_GONE)
				down++;
		}
		if (!known)
			continue;
		if (down < workers || known < workers) {
			analysis_checked(an, "capacity left on %s: %zu of %zu workers accepting or idle",
					 l->name, known - down, workers);
			continue;
		}
		struct finding *f = workers == 1
			? finding_new(an, self, SEV_CRITICAL, 0.9,
				      "no process accepts on %s: its only worker is stuck or busy",
				      l->name)
			: finding_new(an, self, SEV_CRITICAL, 0.9,
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
		finding_detail(an, f, "every worker holding %s is stuck, busy or gone: new connections "
				      "queue until the accept queue is full, then their SYNs are dropped",
			       l->name);
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
