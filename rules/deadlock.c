/* deadlock.c — a cycle in the wait-for graph of mutex owners.
 *
 * A glibc pthread_mutex_t records its owner's tid (__data.__owner, set by
 * lll_mutex_lock in nptl/pthread_mutex_lock.c); the live sampler reads it
 * at the futex address a blocked thread waits on (thread.lock_owner_tid).
 * Thread A waits for a mutex owned by B, B for one owned by A: neither can
 * ever run again. A thread waiting on a condition variable is not in the
 * graph: blocked-on-condvar is not a deadlock. */
#include <stdio.h>
#include <string.h>

#include "derive/classify.h"
#include "rule.h"

static struct thread *find_thread(struct process *p, int32_t tid)
{
	for (size_t i = 0; i < p->threads.n; i++)
		if (p->threads.v[i].tid == tid)
			return &p->threads.v[i];
	return NULL;
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	bool any_owner = false;
	for (size_t i = 0; i < inc->processes.n; i++) {
		struct process *p = inc->processes.v[i];
		size_t nt = p->threads.n;
		if (!nt)
			continue;
		/* colour: 0 unvisited, 1 on the current path, 2 done */
		uint8_t *colour = arena_calloc(&an->arena, nt, 1);
		for (size_t s = 0; s < nt; s++) {
			if (p->threads.v[s].lock_owner_tid >= 0)
				any_owner = true;
			if (colour[s])
				continue;
			/* follow owner edges from s; each thread has at most one */
			size_t path[64], n = 0;
			size_t cur = s;
			while (n < 64) {
				if (colour[cur] == 2)
					break;
				if (colour[cur] == 1) {
					/* a cycle: from cur's position in the path */
					size_t start = 0;
					while (start < n && path[start] != cur)
						start++;
					struct finding *f = finding_new(an, self, SEV_CRITICAL, 0.97,
									"deadlock in pid %d: %zu threads "
									"wait for each other's mutexes",
									p->pid, n - start);
					finding_pid(an, f, p->pid);
					struct strbuf detail = STRBUF_INIT;
					for (size_t k = start; k < n; k++) {
						struct thread *t = &p->threads.v[path[k]];
						const struct thread_note *note = classify_note(an, t);
						finding_tid(an, f, t->tid);
						strbuf_addf(&detail,
							    "%stid %d (%s) waits for mutex 0x%llx owned by "
							    "tid %d", k > start ? "; " : "", t->tid,
							    t->comm ? t->comm : "?",
							    (unsigned long long)t->wait_address,
							    t->lock_owner_tid);
						if (note && note->sample)
							finding_evidence(an, f, &note->sample->src,
									 "tid %d: %s", t->tid,
									 note->what ? note->what : "mutex wait");
					}
					finding_detail(an, f, "%s", detail.buf);
					strbuf_release(&detail);
					finding_fact_int(an, f, "threads_in_cycle", (int64_t)(n - start));
					finding_advice(an, f, "Take the mutexes in one global order "
							      "everywhere (or use pthread_mutex_trylock and "
							      "back off); restart pid %d to recover.", p->pid);
					for (size_t k = start; k < n; k++)
						colour[path[k]] = 2;
					break;
				}
				colour[cur] = 1;
				path[n++] = cur;
				struct thread *t = &p->threads.v[cur];
				if (t->lock_owner_tid < 0 || t->blocked != BLK_MUTEX)
					break;
				struct thread *owner = find_thread(p, t->lock_owner_tid);
				if (!owner)
					break;
				cur = (size_t)(owner - p->threads.v);
			}
			for (size_t k = 0; k < n; k++)
				if (colour[path[k]] == 1)
					colour[path[k]] = 2;
		}
	}
	if (any_owner && !analysis_find(an, self->id, NULL))
		analysis_checked(an, "no deadlock (mutex owners read: no cycle)");
}

const struct rule rule_deadlock = {
	.id = "deadlock",
	.title = "a cycle in the wait-for graph of mutex owners",
	.doc = "Follows each mutex-blocked thread to the owner of the mutex it waits on (glibc "
	       "records the owner's tid in the mutex; the live sampler reads it) and reports "
	       "every cycle with its threads, mutex addresses and the frames where they wait. "
	       "Offline stack dumps do not show owners: there, mutex waits are reported by "
	       "workers-stuck.",
	.needs = NEED_STACKS,
	.run = run,
};
