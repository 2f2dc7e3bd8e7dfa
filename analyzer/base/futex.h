/* futex.h — what a thread blocked in futex(2) waits for, from the
 * operation word of its call (the second argument, as /proc/PID/syscall
 * and the registers show it). Names from <linux/futex.h>
 * (include/uapi/linux/futex.h); the kernel splits the word the same way
 * in do_futex() (kernel/futex/syscalls.c). */
#ifndef STUCKSCOPE_BASE_FUTEX_H
#define STUCKSCOPE_BASE_FUTEX_H

#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>

/* The command: the op word (an int to the kernel) without
 * FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. */
static inline unsigned futex_op_cmd(uint64_t op)
{
	return (unsigned)(uint32_t)op & (unsigned)FUTEX_CMD_MASK;
}

/* The calls that sleep on the futex word at uaddr (the first argument)
 * until woken or until the timeout (the fourth) runs out: a wait, or a
 * priority-inheritance lock (glibc's PTHREAD_PRIO_INHERIT mutexes). */
static inline bool futex_op_waits(uint64_t op)
{
	unsigned cmd = futex_op_cmd(op);
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
	       cmd == FUTEX_WAIT_REQUEUE_PI;
}

#endif
