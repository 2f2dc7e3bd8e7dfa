/* ptrace_sample.h — consistent stack samples of every thread of a live
 * process (DESIGN.md "Attach, live"; STYLE.md §8).
 *
 * One sample: list /proc/PID/task, read each thread's procfs (state, CPU
 * ticks, wchan) while it runs, PTRACE_SEIZE every thread (re-listing until
 * no new thread appears), PTRACE_INTERRUPT them all, wait for every stop with
 * a hard deadline, read the registers and unwind the raw PCs with
 * libunwind-ptrace, then PTRACE_DETACH them all. Between samples nothing is
 * attached: the target's signals flow, and a stuckscope killed between
 * samples leaves nothing behind. Symbolization (symbolize.h) happens after
 * the target runs again.
 *
 * Errors are strings ("is a zombie", "is already traced by pid 123 (gdb)")
 * for the caller to print as "stuckscope: PID: ...".
 *
 * No call waits without a deadline, an execve() in the target included
 * (issue 16): PTRACE_SEIZE can sleep on the target's cred_guard_mutex while
 * the exec waits in de_thread() for threads we trace; the sampler reaps
 * those, leaves a SEIZE that outlives the deadline, and reports the sample
 * as PS_SAMPLE_EXEC ("target is exec'ing; retry") with nothing attached. */
#ifndef STUCKSCOPE_PTRACE_SAMPLE_H
#define STUCKSCOPE_PTRACE_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pystack.h"

#define PS_MAX_FRAMES 128
#define PS_MAX_PY_FRAMES 128
#define PS_ERR_SIZE 256

enum ps_thread_status {
	PS_OK,		/* stopped, registers read, unwound (n_pcs may still be small) */
	PS_GONE,	/* exited between listing and sampling: not an error */
	PS_NOSTOP,	/* did not stop before the deadline (D state, ...): procfs only */
	PS_ZOMBIE,	/* an exited thread not yet reaped: procfs only */
};

struct ps_thread {
	pid_t tid;
	char comm[32];
	enum ps_thread_status status;
	/* procfs, read while the thread runs (just before it is stopped) */
	char state;			/* R S D T t Z ..., 0 unknown */
	int64_t utime, stime;		/* clock ticks, -1 unknown */
	char wchan[64];			/* "" unknown or 0 */
	/* from the registers while stopped: syscall number and arguments
	 * (orig_rax, rdi, rsi, rdx, r10, r8, r9); -1 = not in a syscall */
	int64_t syscall_nr;
	uint64_t syscall_args[6];
	uint64_t sp;
	/* raw program counters, innermost first; pcs[0] is the interrupted
	 * instruction, the rest are return addresses */
	uint32_t n_pcs;
	uint64_t pcs[PS_MAX_FRAMES];
	int unwind_err;			/* libunwind's last negative code, 0 */
	/* Python-level frames (pystack.h), innermost first, read while the
	 * threads are stopped; the strings belong to the session (valid until
	 * ps_close). py_status: 0 not read (no CPython 3.11 in the process, or
	 * the thread runs no Python), 1 read, -1 its frame chain could not be
	 * read (py_err; py[] holds the frames read before the bad pointer) */
	int py_status;
	uint32_t n_py;
	char py_err[96];
	struct py_frame_out py[PS_MAX_PY_FRAMES];
	int64_t stop_ns;		/* from its PTRACE_INTERRUPT to its PTRACE_DETACH, -1 */
	/* internal */
	bool seized, stopped, interrupted;
	bool exec_stop;			/* stopped in PTRACE_EVENT_EXEC: it exec'd while held */
	int pending_sig;		/* signal seen in a signal-delivery-stop, re-injected at detach */
	uint64_t t_int_ns, t_res_ns;
};

struct ps_sample {
	uint32_t sample_no;		/* 1-based */
	double at;			/* wall time when the threads were stopped */
	struct ps_thread *threads;	/* owned by the session; valid until the next sample */
	size_t n_threads;
	size_t n_stopped, n_gone, n_nostop;
	int64_t window_ns;		/* first PTRACE_INTERRUPT to last PTRACE_DETACH */
	int64_t wait_ns;		/* first PTRACE_INTERRUPT to the last stop seen */
	int64_t unwind_ns;		/* register reads + unwinding, all stopped */
	int64_t python_ns;		/* reading the Python frames, all stopped; -1 not done */
	char py_err[128];		/* the interpreter's thread list could not be read, or "" */
	int64_t detach_ns;
	int64_t seize_ns;		/* before the window: PTRACE_SEIZE of every thread */
	int64_t procfs_ns;		/* before the window: listing + stat/wchan reads */
	uint32_t relists;		/* listings needed until the thread set was stable */
	bool group_stopped;		/* the process entered a job-control stop meanwhile */
	/* The program image: 0 the one found at ps_open, +1 each time the
	 * sampler finds the process exec'd a new one since the previous sample
	 * (its unwinder caches were reset; a caller's symbolizer describes the
	 * old image too). */
	uint32_t image_gen;
};

/* ps_sample() outcomes besides 0 (sampled) and -1 (error) */
#define PS_SAMPLE_EXEC 1	/* met an execve() in progress: no data, nothing attached */

struct ps_session;

/* Check the target (exists, not a zombie, not stopped, not traced, not us)
 * and prepare the unwinder. NULL with err filled on failure. A PID that is
 * a thread id is mapped to its process (err gets a note, return non-NULL). */
struct ps_session *ps_open(pid_t pid, char *err, size_t errsz);
pid_t ps_pid(const struct ps_session *s);
/* What the Python frame reader found at ps_open ("Python frames: CPython
 * 3.11.2 in python3.11 ..."), or why a Python process's frames are not read;
 * "" for a process without Python. */
const char *ps_python_note(const struct ps_session *s);
/* Per-sample stop deadline (default 250 ms). */
void ps_set_timeout_ms(struct ps_session *s, int ms);
/* One sample. 0 ok; -1 with err filled; PS_SAMPLE_EXEC with err "target is
 * exec'ing; retry (why)" when an execve() ran during the sample (its threads
 * were half in the old program, half gone): out holds no usable threads, the
 * next sample is taken in the new image. Nothing is left attached, stopped
 * or traced in any case. The process vanishing entirely is an error;
 * threads vanishing are not. */
int ps_sample(struct ps_session *s, struct ps_sample *out, char *err, size_t errsz);
/* Detaches anything still attached (never anything after ps_sample returns,
 * but kept for safety) and frees. */
void ps_close(struct ps_session *s);

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT: detach every attached thread, then die
 * of the signal. Idempotent. */
void ps_install_signal_handlers(void);

/* Read `size` bytes of the target's memory (process_vm_readv). */
int ps_read_mem(pid_t pid, uint64_t addr, void *buf, size_t size);

/* glibc pthread_mutex_t (x86_64): __lock at offset 0 is the futex word,
 * __owner (the owning TID) at offset 8. Given the futex address a thread
 * waits on inside pthread_mutex_lock/__lll_lock_wait, the owner's TID, or -1. */
int32_t ps_mutex_owner(pid_t pid, uint64_t futex_addr);

/* Monotonic nanoseconds. */
uint64_t ps_now_ns(void);

#endif
