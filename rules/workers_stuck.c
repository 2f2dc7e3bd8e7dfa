/* workers_stuck.c — worker threads blocked forever, and the workers they
 * take out of the accept() rotation.
 *
 * Stuck (classify.c): the same lock-like wait (condition variable, mutex,
 * semaphore, bare futex) with no timeout in every trailing sample, no CPU
 * ticks used across them. A worker is stuck when it has stuck threads and no
 * thread waiting in accept()/poll() and made no progress. Pre-forked workers
 * share one listening socket: a stuck worker stops calling accept(), the
 * others keep draining the queue until there are too few of them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "derive/classify.h"
#include "model/names.h"
#include "rule.h"

static const char *kind_words(enum blocked_on b)
{
	switch (b) {
	case BLK_CONDVAR: return "condition variables";
	case BLK_MUTEX: return "mutexes";
	case BLK_SEMAPHORE: return "semaphores";
	case BLK_FUTEX: return "futexes";
	default: return "waits";
	}
}

static const struct listener *listener_of_pid(const struct incident *inc, int32_t pid)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		for (size_t k = 0; k < inc->listeners.v[i]->pids.n; k++)
			if (inc->listeners.v[i]->pids.v[k] == pid)
				return inc->listeners.v[i];
	return NULL;
}

/* Threads blocked on a lock in the only sample that shows them, in
 * processes nobody saw accept (classify.c: thread_note.one_look, the
 * process left undecided). One look is what a pasted pstack or py-spy dump
 * gives: it shows where threads wait, not for how long, so the finding
 * says so in its severity (warning), its confidence and its advice (what a
 * second look would confirm). Returns the number of such threads; with
 * `f` NULL only counts. */
static size_t one_look_threads(const struct analysis *an, const struct process *p)
{
	size_t n = 0;
	for (size_t k = 0; k < p->threads.n; k++) {
		const struct thread_note *nt = classify_note(an, &p->threads.v[k]);
		if (nt && nt->one_look)
			n++;
	}
	return n;
}

static bool one_look_report(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	size_t n_proc = 0, n_threads = 0, n_py = 0, n_futex = 0, top_n = 0;
	uint32_t close_wait = 0;
	const struct thread_note *top = NULL;
	enum blocked_on top_kind = BLK_NONE;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (!p->undecided || p->state != PST_UNKNOWN || !one_look_threads(an, p))
			continue;
		n_proc++;
		close_wait += p->close_wait;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			const struct thread_note *nt = classify_note(an, t);
			if (!nt || !nt->one_look)
				continue;
			n_threads++;
			if (nt->sample && nt->sample->n_py_frames)
				n_py++;
			if (t->blocked == BLK_FUTEX)
				n_futex++;
			/* the most common wait names the bug; a named lock beats a
			 * bare futex */
			size_t same = 0;
			for (size_t q = 0; q < inc->processes.n; q++)
				for (size_t r = 0; r < inc->processes.v[q]->threads.n; r++) {
					const struct thread *o = &inc->processes.v[q]->threads.v[r];
					const struct thread_note *on = classify_note(an, o);
					if (on && on->one_look && on->what && nt->what &&
					    strcmp(on->what, nt->what) == 0)
						same += o->blocked == BLK_FUTEX ? 1 : 2;
				}
			if (same > top_n) {
				top_n = same;
				top = nt;
				top_kind = t->blocked;
			}
		}
	}
	if (!n_threads)
		return false;
	/* one look: a coin toss that grows with what else points the same way
	 * (Python frames name the wait exactly; CLOSE-WAIT says clients gave
	 * up on the process); a bare futex (gdb `info threads` shows frame #0
	 * only) does not say which lock */
	double conf = n_futex == n_threads ? 0.4 : n_py ? 0.6 : 0.5;
	if (close_wait)
		conf += 0.1;
	/* "on mutexes", or "on locks (1 mutex, 2 condition variables)" */
	static const enum blocked_on kinds[] = { BLK_MUTEX, BLK_CONDVAR, BLK_SEMAPHORE, BLK_FUTEX };
	static const char *const one[] = { "mutex", "condition variable", "semaphore", "futex" };
	size_t per_kind[4] = { 0 }, n_kinds = 0;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (!p->undecided || p->state != PST_UNKNOWN)
			continue;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread_note *nt = classify_note(an, &p->threads.v[k]);
			for (size_t q = 0; nt && nt->one_look && q < 4; q++)
				if (p->threads.v[k].blocked == kinds[q] && !per_kind[q]++)
					n_kinds++;
		}
	}
	struct strbuf on = STRBUF_INIT;
	if (n_kinds == 1 && n_threads == 1) {
		for (size_t q = 0; q < 4; q++)
			if (per_kind[q])
				strbuf_addf(&on, "a %s", one[q]);
	} else if (n_kinds == 1) {
		strbuf_addf(&on, "%s", kind_words(top_kind));
	} else {
		strbuf_addf(&on, "locks (");
		for (size_t q = 0, w = 0; q < 4; q++)
			if (per_kind[q])
				strbuf_addf(&on, "%s%zu %s%s", w++ ? ", " : "", per_kind[q],
					   one[q], per_kind[q] == 1 ? "" : q == 0 ? "es" : "s");
		strbuf_addf(&on, ")");
	}
	struct finding *f = finding_new(an, self, SEV_WARNING, conf,
					"%zu thread%s blocked on %s in the only stack sample (%s): "
					"stuck, or only passing by? a second look will tell",
					n_threads, n_threads == 1 ? "" : "s", on.buf,
					top && top->what ? top->what : "lock wait");
	strbuf_release(&on);
	struct strbuf detail = STRBUF_INIT;
	const struct listener *l = NULL;
	strbuf_addf(&detail, "seen once:");
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		size_t once = p->undecided && p->state == PST_UNKNOWN ? one_look_threads(an, p) : 0;
		if (!once)
			continue;
		if (!l)
			l = listener_of_pid(inc, p->pid);
		finding_pid(an, f, p->pid);
		strbuf_addf(&detail, " pid %d (%zu of %zu threads blocked, %s, "
			   "%u CLOSE-WAIT)", p->pid, once, p->threads.n,
			   p->accepting ? "a thread still accepting" : "none accepting", p->close_wait);
		int cited = 0;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			const struct thread_note *nt = classify_note(an, t);
			if (!nt || !nt->one_look)
				continue;
			finding_tid(an, f, t->tid);
			if (cited++ < 3 && nt->sample)
				finding_evidence(an, f, &nt->sample->src, "tid %d (%s): %s", t->tid,
						 t->comm ? t->comm : "?", nt->what ? nt->what : "lock wait");
		}
	}
	strbuf_addf(&detail,
		   ". One stack sample shows where each thread waits, not for how long: a "
		   "thread handed the lock a millisecond later looks the same. %s",
		   n_py == n_threads ? "The Python frames name the wait. "
		   : n_futex == n_threads ? "Only the innermost frame is shown (a futex "
					    "wait): which lock is not. "
		   : "");
	strbuf_addf(&detail,
		   "A second dump a few seconds later with the same frames, and no CPU time "
		   "used in between (utime+stime in /proc/PID/task/TID/stat), would show them "
		   "stuck.");
	finding_detail(an, f, "%s", detail.buf);
	strbuf_release(&detail);
	f->listener = l ? l->name : NULL;
	finding_fact_int(an, f, "samples", 1);
	finding_fact_int(an, f, "blocked_processes", (int64_t)n_proc);
	finding_fact_int(an, f, "blocked_threads", (int64_t)n_threads);
	finding_fact_int(an, f, "close_wait", close_wait);
	if (top_kind != BLK_NONE)
		finding_fact_str(an, f, "blocked_on", blocked_on_str(top_kind));
	if (top && top->what)
		finding_fact_str(an, f, "wait_site", top->what);
	finding_fact_str(an, f, "decided_by", n_py == n_threads ? "python-frames-one-sample"
			 : n_py ? "python-and-native-frames-one-sample" : "native-frames-one-sample");
	struct strbuf pids = STRBUF_INIT;
	for (size_t i = 0; i < f->pids.n; i++)
		strbuf_addf(&pids, "%s%d", i ? " " : "", f->pids.v[i]);
	const char *site = top && top->what ? top->what : "the wait above";
	if (top_kind == BLK_MUTEX)
		finding_advice(an, f, "Take a second look before acting: run the same dump again "
				      "in a few seconds (pstack / py-spy dump / gdb), or `stuckscope "
				      "attach --pid PID` (samples every thread several times and reads "
				      "CPU time and mutex owners), for pid %s. The same frames and no "
				      "CPU used mean stuck: then find who holds the mutex waited on at "
				      "%s and why it is never released (an unlock missing on an error "
				      "path, or a lock order inversion).", pids.buf, site);
	else
		finding_advice(an, f, "Take a second look before acting: run the same dump again "
				      "in a few seconds (pstack / py-spy dump / gdb), or `stuckscope "
				      "attach --pid PID` (samples every thread several times and reads "
				      "CPU time), for pid %s. The same frames and no CPU used mean "
				      "stuck: then find what should wake the wait at %s (a notify that "
				      "never comes, or one sent before the wait began) and give the wait "
				      "a predicate loop and a timeout.", pids.buf, site);
	strbuf_release(&pids);
	return true;
}

static void run(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	size_t workers = 0, stuck_workers = 0, known = 0;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->role == ROLE_WORKER && p->state != PST_UNKNOWN)
			workers++;
		if (p->role != ROLE_PARENT && p->state != PST_UNKNOWN)
			known++;
		if (p->state == PST_STUCK && p->role != ROLE_PARENT)
			stuck_workers++;
	}
	/* without a listener to tie them to, they are processes, not workers */
	const char *noun = workers >= stuck_workers ? "workers" : "processes";
	if (workers < stuck_workers)
		workers = known;
	if (!stuck_workers) {
		if (one_look_report(an, self))
			return;
		/* threads seen blocked once in a process that still accepts:
		 * say so, never "no stuck workers" about them alone */
		size_t once = 0;
		for (size_t i = 0; i < inc->processes.n; i++)
			once += one_look_threads(an, inc->processes.v[i]);
		if (workers && once)
			analysis_checked(an, "no stuck workers (%zu with stacks: every one accepting, "
					 "idle or making progress; %zu threads blocked on a lock in "
					 "the only sample, in processes still accepting)", workers, once);
		else if (workers)
			analysis_checked(an, "no stuck workers (%zu with stacks: every one accepting, "
					 "idle or making progress)", workers);
		return;
	}
	/* the most common wait among stuck threads names the bug */
	const char *top_what = NULL;
	const struct thread_note *top_note = NULL;
	size_t top_n = 0, n_threads = 0;
	enum blocked_on top_kind = BLK_NONE;
	bool ambiguous = false;
	size_t n_py = 0, n_native = 0;
	uint32_t max_same = 0;
	double window = 0, since = NAN;
	int64_t cpu = 0;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->state != PST_STUCK || p->role == ROLE_PARENT)
			continue;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			const struct thread_note *nt = classify_note(an, t);
			if (!nt)
				continue;
			if (nt->ambiguous && t->state != THR_STUCK)
				ambiguous = true;
			if (t->state != THR_STUCK)
				continue;
			n_threads++;
			if (t->cpu_ticks_delta > 0)
				cpu += t->cpu_ticks_delta;
			if (nt->samples_same > max_same)
				max_same = nt->samples_same;
			if (nt->window_s > window)
				window = nt->window_s;
			if (nt->sample && nt->sample->n_py_frames)
				n_py++;
			if (nt->sample && nt->sample->n_frames)
				n_native++;
			if (nt->sample && !isnan(nt->sample->src.at) &&
			    (isnan(since) || nt->sample->src.at - nt->window_s < since))
				since = nt->sample->src.at - nt->window_s;
			size_t same = 0;
			for (size_t q = 0; q < inc->processes.n; q++) {
				const struct process *pp = inc->processes.v[q];
				if (pp->state != PST_STUCK)
					continue;
				for (size_t r = 0; r < pp->threads.n; r++) {
					const struct thread_note *o = classify_note(an, &pp->threads.v[r]);
					if (pp->threads.v[r].state == THR_STUCK && o && o->what &&
					    nt->what && strcmp(o->what, nt->what) == 0)
						same++;
				}
			}
			if (same > top_n) {
				top_n = same;
				top_what = nt->what;
				top_note = nt;
				top_kind = t->blocked;
			}
		}
	}
	const struct listener *l = NULL;
	bool py = n_threads && n_py == n_threads;
	double conf = n_py ? 0.95 : n_threads ? 0.85 : 0.65;
	struct finding *f;
	if (top_what)
		f = finding_new(an, self, SEV_CRITICAL, conf,
				"%zu of %zu %s stuck: threads blocked on %s (%s)", stuck_workers,
				workers, noun, kind_words(top_kind), top_what);
	else
		f = finding_new(an, self, SEV_CRITICAL, conf,
				"%zu of %zu %s stuck: every thread in a lock wait, no acceptor, "
				"CLOSE-WAIT piling up", stuck_workers, workers, noun);
	f->since = since;
	struct strbuf detail = STRBUF_INIT;
	uint32_t close_wait = 0;
	strbuf_addstr(&detail, "stuck:");
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->state != PST_STUCK || p->role == ROLE_PARENT)
			continue;
		if (!l)
			l = listener_of_pid(inc, p->pid);
		finding_pid(an, f, p->pid);
		close_wait += p->close_wait;
		uint32_t st = 0;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			if (t->state != THR_STUCK)
				continue;
			st++;
			finding_tid(an, f, t->tid);
		}
		strbuf_addf(&detail, " pid %d (%u of %zu threads stuck, %u "
			    "CLOSE-WAIT)", p->pid, st, p->threads.n, p->close_wait);
		/* evidence: one stuck thread per worker, the acceptor too */
		int cited = 0;
		for (size_t k = 0; k < p->threads.n && cited < 2; k++) {
			const struct thread *t = &p->threads.v[k];
			const struct thread_note *nt = classify_note(an, t);
			if (!nt || !nt->sample || (t->state != THR_STUCK && !(nt->ambiguous && !cited)))
				continue;
			struct provenance src = nt->sample->src;
			finding_evidence(an, f, &src, "tid %d (%s): %s", t->tid,
					 t->comm ? t->comm : "?", nt->what ? nt->what : "lock wait");
			cited++;
		}
	}
	strbuf_addstr(&detail, ". ");
	if (n_threads)
		strbuf_addf(&detail,
			    "%zu threads stuck, each in the same wait in every trailing sample (up to %u samples over %.0f s), "
			    "%lld CPU ticks used; ", n_threads, max_same, window, (long long)cpu);
	size_t still_accepting = 0;
	uint32_t undrained = 0;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->state == PST_STUCK && p->role != ROLE_PARENT && p->accepting) {
			still_accepting++;
			undrained += p->waiting_conns;
		}
	}
	if (still_accepting == stuck_workers)
		strbuf_addf(&detail,
			    "%s still accept%s connections (a thread in accept()) into a queue no "
			    "thread drains: %u connections %s wait unread or in CLOSE-WAIT. ",
			    stuck_workers == 1 ? "it" : "they", stuck_workers == 1 ? "s" : "",
			    undrained, stuck_workers == 1 ? "it holds" : "they hold");
	else if (still_accepting)
		strbuf_addf(&detail,
			    "%zu of them still accept connections (a thread in accept()) into a "
			    "queue no thread drains: %u connections they hold wait unread or in "
			    "CLOSE-WAIT. ", still_accepting, undrained);
	else
		strbuf_addstr(&detail, "no stuck worker has a thread in accept(). ");
	if (py)
		strbuf_addf(&detail,
			    "Decided by the Python frames (py-bt): native frames show the same "
			    "lock wait for stuck and idle threads.");
	else if (n_py)
		strbuf_addf(&detail,
			    "Decided by the Python frames (py-bt) for %zu threads, by native "
			    "frames and /proc for the others.", n_py);
	else if (ambiguous)
		strbuf_addf(&detail,
			   "No Python frames: decided by CLOSE-WAIT ownership and CPU time, since "
			   "stuck and idle Python threads have the same native stack.");
	else if (n_threads && !n_native)
		/* strace, /proc/PID/task: no frame was seen */
		strbuf_addf(&detail, "Decided by the blocking system calls "
			   "(a trace, /proc) and CPU time: no stack frames were seen.");
	else
		strbuf_addstr(&detail, "Decided by the native frames and /proc.");
	/* mutex waits without owners: say what a deadlock check needs */
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->state != PST_STUCK)
			continue;
		uint64_t addrs[8];
		size_t na = 0;
		bool owners = false;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			if (t->state != THR_STUCK || t->blocked != BLK_MUTEX)
				continue;
			if (t->lock_owner_tid >= 0)
				owners = true;
			bool seen = false;
			for (size_t a = 0; a < na; a++)
				if (addrs[a] == t->wait_address)
					seen = true;
			if (!seen && na < 8)
				addrs[na++] = t->wait_address;
		}
		if (na >= 2 && !owners)
			strbuf_addf(&detail,
				    " In pid %d threads wait on %zu different mutexes and none runs: a "
				    "lock-order deadlock is likely, but the dumps do not show the mutex "
				    "owners (stuckscope stacks reads them live).", p->pid, na);
	}
	size_t healthy = 0;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->role == ROLE_WORKER && (p->state == PST_HEALTHY || p->state == PST_IDLE ||
					       p->state == PST_BUSY)) {
			strbuf_addf(&detail, "%s%d", healthy ? ", " : " Still serving: ",
				    p->pid);
			healthy++;
		}
	}
	if (healthy)
		strbuf_addstr(&detail, ".");
	finding_detail(an, f, "%s", detail.buf);
	strbuf_release(&detail);
	f->listener = l ? l->name : NULL;
	finding_fact_int(an, f, "workers", (int64_t)workers);
	finding_fact_int(an, f, "stuck_workers", (int64_t)stuck_workers);
	finding_fact_int(an, f, "stuck_threads", (int64_t)n_threads);
	finding_fact_int(an, f, "samples", max_same);
	finding_fact_num(an, f, "window_s", round(window * 10) / 10);
	finding_fact_int(an, f, "cpu_ticks_used", cpu);
	finding_fact_int(an, f, "close_wait", close_wait);
	if (top_kind != BLK_NONE)
		finding_fact_str(an, f, "blocked_on", blocked_on_str(top_kind));
	if (top_what)
		finding_fact_str(an, f, "wait_site", top_what);
	finding_fact_str(an, f, "decided_by", py ? "python-frames" : n_py ? "python-and-native-frames"
			 : ambiguous && !n_threads ? "close-wait-and-cpu"
			 : n_threads && !n_native ? "syscalls" : "native-frames");
	const struct frame *fr = top_note ? top_note->frame : NULL;
	const char *where = top_what ? top_what : "the wait above";
	if (fr && fr->file)
		where = arena_printf(&an->arena, "%s:%u (%s)", fr->file, fr->line,
				     fr->function ? fr->function : "?");
	struct strbuf pids = STRBUF_INIT;
	for (size_t i = 0; i < f->pids.n; i++)
		strbuf_addf(&pids, "%s%d", i ? ", " : "", f->pids.v[i]);
	if (top_what && strncmp(top_what, "Event.wait()", 12) == 0)
		finding_advice(an, f, "Nothing ever sets the event waited on at %s: find the code "
				      "that should set it (a backend call that never returns, an error "
				      "path that skips it) and give the wait a timeout. Restarting "
				      "workers %s restores capacity meanwhile.", where, pids.buf);
	else if (top_kind == BLK_MUTEX)
		finding_advice(an, f, "Find who holds the lock waited on at %s and why it is never "
				      "released (an unlock missing on an error path, or a lock order "
				      "inversion). Restarting workers %s restores capacity meanwhile.",
			       where, pids.buf);
	else
		finding_advice(an, f, "Fix the wait at %s: a wait without a predicate loop misses a "
				      "notification sent before it started, and one whose signal never "
				      "comes blocks forever (wait in a loop on the condition, e.g. "
				      "Condition.wait_for() or while(!ready) pthread_cond_wait(), and "
				      "add a timeout). Restarting workers %s restores capacity meanwhile.",
			       where, pids.buf);
	strbuf_release(&pids);
}

const struct rule rule_workers_stuck = {
	.id = "workers-stuck",
	.title = "worker threads blocked forever, and not accepting",
	.doc = "Classifies every thread over all stack samples and /proc snapshots: stuck when "
	       "the same condition-variable, mutex, semaphore or futex wait with no timeout is "
	       "in every trailing sample and no CPU time was used; waiting for work when idle in "
	       "accept, epoll_wait, poll, select or queue.get. A worker is stuck when it has "
	       "stuck threads, none in accept(), and made no progress; or when it has stuck "
	       "threads, no thread running, and holds accepted connections nobody reads in the "
	       "last two socket snapshots (it accepts into a queue no thread drains). Python lock waits look "
	       "the same natively whether stuck or idle: py-bt frames decide, else CLOSE-WAIT "
	       "ownership and CPU time (with lower confidence).",
	.needs = NEED_STACKS,
	.run = run,
};
