/* trace_model.h — what the tracer readers (parse_strace.c, parse_ltrace.c)
 * share. A trace is a continuous look at every thread from its first line to
 * its last, and what matters at 3 a.m. is where each thread was when it
 * ended:
 *
 *   - inside a call that never returned (strace prints the entry and
 *     "<unfinished ...>", or is detached before the result): the thread
 *     waits there. When the call was already pending as the trace began
 *     (strace -p prints every blocked thread's call right after attaching),
 *     or was entered in the first half of the trace, the trace saw the
 *     thread enter it and still be in it at the end: two looks at the same
 *     wait, modelled as two samples (classify.c calls a wait seen in two
 *     samples with no CPU used "stuck" when it is a lock-like wait without
 *     a timeout). A call entered late is one look (one sample);
 *   - in a loop of a call that fails with the same error again and again
 *     up to the end (accept4() = -1 EMFILE): spinning on CPU, modelled as a
 *     running thread, and the failures kept as a fact per process
 *     (struct syscall_failure) for the rules to cite;
 *   - otherwise between calls: nothing known.
 *
 * Times: strace -t/-tt print the local time of day, -ttt the epoch, -r the
 * time since the previous line (printleader(), src/strace.c); the samples
 * are placed relative to the input's own time (its timestamp line marks the
 * start, its mtime the end) unless the trace gives the epoch. */
#ifndef STUCKSCOPE_TRACE_MODEL_H
#define STUCKSCOPE_TRACE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"
#include "format.h"
#include "model/analysis.h"

/* Nested calls kept per thread (ltrace prints a library call, then the
 * system calls it makes, each <unfinished ...>). */
#define TRACE_DEPTH 8
/* Failures of one call with one error, ending the thread's trace, that make
 * a loop: fewer are retries. */
#define TRACE_LOOP_MIN 10
/* Calls of the thread after the last failure that still count as "at the
 * end" (an epoll_wait + accept4 loop alternates two calls). */
#define TRACE_LOOP_TAIL 4

enum trace_clock { TRACE_CLOCK_NONE, TRACE_CLOCK_EPOCH, TRACE_CLOCK_DAY, TRACE_CLOCK_REL };

/* struct trace_call's syscall_nr when the call is not a known system call */
#define TRACE_LIBCALL (-2)		/* a library function (ltrace): a frame */
#define TRACE_SYSCALL_UNKNOWN (-3)	/* a system call not in syscall_names.c */

struct trace_call {
	const char *name;	/* arena copy */
	int64_t syscall_nr;	/* >= 0, TRACE_LIBCALL or TRACE_SYSCALL_UNKNOWN */
	uint64_t args[6];	/* as /proc/PID/task/TID/syscall would show them */
	uint32_t line;
	const char *text;	/* the entry line, as evidence */
	double t;		/* its time on the trace's clock, NAN unknown */
	uint64_t event;		/* its line's index among the trace's lines */
	bool at_attach;		/* pending before any call completed */
};

struct trace_fail {
	const char *syscall, *error;
	uint64_t failures, calls;	/* calls: of that syscall since its first failure */
	uint64_t last_call;		/* the thread's call count at the last failure */
	struct provenance src;		/* the first failure */
};

struct trace_thread {
	int32_t tid;
	int32_t pid;		/* 0 until known */
	int32_t parent_tid;	/* the task whose clone()/fork() made it, 0 none seen, -1 the
				 * task of the lines without a [pid N] prefix */
	bool clone_thread;	/* made with CLONE_THREAD: a thread of its parent's process */
	const char *comm;
	uint64_t calls;		/* completed calls */
	struct trace_call pending[TRACE_DEPTH];
	int depth;
	VEC(struct trace_fail) fails;
	bool exited;
	bool unprefixed;	/* the task of the lines without a [pid N] prefix */
	uint32_t first_line;
	const char *first_text;
};

struct trace_reader {
	struct analysis *an;
	struct input *in;
	VEC(struct trace_thread) threads;
	uint64_t events;		/* trace lines seen */
	bool any_completed;		/* a call returned: the attach burst is over */
	enum trace_clock clock;
	double clock_base;		/* -r: the sum so far; -t/-tt: days added at midnight */
	double t_first, t_last;		/* NAN unknown */
	double t_prev;
	int32_t default_pid;		/* the attached process, 0 unknown */
	const char *pid_how;		/* where default_pid came from, for the note */
	VEC(int32_t) roots;		/* "Process N attached" before the first call */
	bool no_pid_said;		/* the "no pid" diagnostic was given */
};

void trace_reader_init(struct trace_reader *r, struct analysis *an, struct input *in);
struct trace_thread *trace_thread(struct trace_reader *r, int32_t tid, uint32_t line,
				  struct span text);
/* One trace line was read at time t (on the reader's clock, NAN none). */
void trace_event(struct trace_reader *r, double t);
/* A call entered and not returned. */
struct trace_call *trace_enter(struct trace_reader *r, struct trace_thread *th,
			       struct span name, int64_t syscall_nr, uint32_t line, struct span text,
			       double t);
/* The pending call `name` returned (a "<... name resumed>" line): false when
 * none was pending under that name. */
bool trace_resume(struct trace_reader *r, struct trace_thread *th, struct span name);
/* A call completed; `error` (may be empty) is its errno name when it failed. */
void trace_complete(struct trace_reader *r, struct trace_thread *th, struct span name,
		    struct span error, uint32_t line, struct span text);
/* Parse a time prefix ("17:40:58.230651 ", "1796405741.659766 ", "     0.000123 ",
 * "(+     0.000123) ") off *s: true with *t on the reader's clock. */
bool trace_take_time(struct trace_reader *r, struct span *s, double *t);
/* The process of each thread, then its samples and failures. Returns the
 * number of threads that became samples. */
size_t trace_commit(struct trace_reader *r);

/* ---- the line shapes strace and ltrace share */

/* "[pid  1235] ", "[pid 1235<comm>] " (terminal, -f), "1235  ", "1235<comm> "
 * (-o FILE -f) off the start of *s. */
bool trace_take_pid_prefix(struct span *s, int32_t *tid, struct span *comm);
/* -n "[ 202] ", -i "[00007f0be180cebf] " */
void trace_skip_brackets(struct span *s);
bool trace_name_char(char ch);
/* "futex(" at the start of s: its name */
bool trace_call_name(struct span s, struct span *name);

/* The arguments /proc/PID/task/TID/syscall would show, from the call's
 * line, for what classify.c looks into: futex's address, operation
 * (names as strace prints them, or numbers as ltrace -S does) and whether
 * it has a timeout. */
void trace_call_args(struct span body, int64_t syscall_nr, uint64_t *args);

/* What the first lines of a file say about being strace or ltrace output:
 * marks only one of them prints, and call lines whose name is a system
 * call or not. */
struct trace_sniff {
	int strace_marks, ltrace_marks;
	int sys_rows, fun_rows;
	const struct sniff_line *banner_line;	/* "strace: Process N attached" */
	const struct sniff_line *table_line;	/* strace -c "% time ... syscall" */
	const struct sniff_line *ltrace_table_line;	/* ltrace -c "% time ... function" */
};
void trace_sniff_scan(const struct sniff_view *v, struct trace_sniff *out);
/* Rows alone (format.h tiers): above proc-status and below eu-stack; no
 * other format's rows start with "name(" */
#define TRACE_SNIFF_ROWS_STRACE 88
#define TRACE_SNIFF_ROWS_LTRACE 87

#endif
