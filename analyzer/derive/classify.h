/* classify.h — what each thread and each worker is doing across all samples
 * (DESIGN.md "Domain facts"): stuck, waiting for work, running, sleeping; on
 * what it is blocked; and which evidence decided. Runs before the rules. */
#ifndef STUCKSCOPE_CLASSIFY_H
#define STUCKSCOPE_CLASSIFY_H

#include "model/analysis.h"

/* Where one sample of a thread is blocked. */
struct site {
	enum blocked_on kind;
	bool idle;		/* waiting for work: accept, poll, queue.get, wait4 */
	bool running;		/* on CPU or not in a syscall */
	bool timed;		/* the wait has a timeout (pthread_cond_timedwait, futex timeout) */
	bool ambiguous;		/* a Python lock wait with no Python frames: idle or stuck? */
	bool weak;		/* only the wchan said it (ps, top): no timeout known */
	bool known;		/* the sample said anything at all */
	uint64_t addr;		/* futex / lock address, 0 = unknown */
	const char *what;	/* "Condition.wait() in prefork.py:136 (handle)" */
	const struct frame *frame;	/* the frame that decided, or NULL */
};

void classify_sample(const struct stack_sample *s, struct site *out, char *buf, size_t size);
void classify_processes(struct analysis *an);

/* Per-thread detail kept for the rules (index = position in p->threads). */
struct thread_note {
	const char *what;	/* where it waits, in words */
	const struct stack_sample *sample;	/* the sample cited as evidence */
	const struct frame *frame;
	uint32_t samples_same;	/* samples showing the same wait */
	double window_s;	/* first to last sample */
	bool ambiguous;
	/* blocked on a lock (condition variable, mutex, semaphore, futex, no
	 * timeout) in the only sample that says anything: one look shows where
	 * it waits, not for how long (THR_SLEEPING; workers-stuck reports it
	 * with the confidence of one look) */
	bool one_look;
	bool weak;		/* decided by wchan alone (ps/top WCHAN) */
};
const struct thread_note *classify_note(const struct analysis *an, const struct thread *t);

#endif
