/* stack_model.h — what the offline stack parsers (parse_stack_gdb.c,
 * parse_stack_eu.c, parse_stack_py.c, parse_proc_task.c) share: one dump is
 * ONE sample of every thread it shows, and dumps of the same moment (a gdb
 * dump and a /proc/PID/task dump with the same timestamp) fill the SAME
 * sample. */
#ifndef STUCKSCOPE_STACK_MODEL_H
#define STUCKSCOPE_STACK_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/analysis.h"
#include "base/cursor.h"
#include "model/incident.h"

/* Two inputs whose snapshot times are this close were taken at the same
 * moment (a script that runs gdb and then grep on /proc). */
#define SAMPLE_SAME_TIME_S 0.5

/* Which part of a sample a parser fills. */
enum sample_part {
	SAMPLE_NATIVE = 1u << 0,	/* frames (gdb, pstack, eu-stack) */
	SAMPLE_PYTHON = 1u << 1,	/* py_frames (py-bt) */
	SAMPLE_PROC = 1u << 2,		/* state, CPU time, syscall, wchan (procfs) */
};

/* The sample of thread `t` that `src` belongs to, added when there is none:
 * a sample from the same input (src->file), or one from another input whose
 * time is within SAMPLE_SAME_TIME_S of src->at and whose `part` is still
 * empty. A new sample gets *src; samples stay in time order (unknown times
 * last) and are renumbered 1..n, so `sample_no` is the position in time.
 * The returned pointer is valid until the next sample is added to `t`. */
struct stack_sample *thread_sample_at(struct incident *inc, struct thread *t,
				      const struct provenance *src, unsigned part);
/* A new sample of `t` at src->at whatever the thread already holds (a trace
 * that watched a thread enter a call and still be in it at its end is two
 * looks at it), in time order and renumbered like thread_sample_at(). */
struct stack_sample *thread_sample_new(struct incident *inc, struct thread *t,
				       const struct provenance *src);

/* Process `pid`, thread `tid`, and the sample of it that `src` belongs to,
 * all created on demand. `comm` (may be NULL) names the thread when it has
 * no name yet (or always, for SAMPLE_PROC: procfs is the authority), and the
 * process too when tid == pid and it has none. */
struct stack_sample *stack_sample_for(struct analysis *an, int32_t pid, int32_t tid,
				      const char *comm, const struct provenance *src,
				      unsigned part);

/* ---- helpers for the text parsers */

static inline bool span_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Arena copy of a span, NUL-terminated. */
const char *stack_span_dup(struct analysis *an, struct span s);
/* Arena copy of the last path component of s ("/lib64/libc.so.6" -> "libc.so.6"). */
const char *stack_basename_dup(struct analysis *an, struct span s);
/* Leading decimal digits of *s as an int32 (consumed). */
bool stack_take_i32(struct span *s, int32_t *out);
/* A pid from a file name: the first run of 2 to 7 digits in the basename that
 * is not part of a longer number, "gdb-1234.txt" -> 1234. 0 when none. */
int32_t stack_pid_from_name(const char *display);

/* A thread a dump names only by its pthread_t (py-spy without the OS
 * thread id, faulthandler always): a stable negative id, the same in every
 * dump of the process (the kernel's tid is not shown). */
int32_t stack_tid_from_pthread(uint64_t id);
/* The pid on the command line typed before a pasted dump: "$ pstack 1234",
 * "[root@host ~]# gstack 1234", "sudo py-spy dump --pid 1234", "gdb -p 1234
 * -batch ...", "gdb /usr/sbin/app 1234". 0 when the line is no such
 * command or names no pid. */
int32_t stack_pid_from_command(struct span line);
/* The pids a command line pasted above a tool's output names: the line holds
 * `tool` as a word and "-p N[,N...]", "--pid N", "-pN" or "/proc/N/" (a
 * shell prompt and the command, as people paste them). Returns how many
 * were stored in pids (at most max). */
int stack_cmdline_pids(struct span line, const char *tool, int32_t *pids, int max);

/* A frame being collected; kept in an arena vector until the thread ends. */
typedef VEC(struct frame) frame_vec;

/* The frames of one thread of one dump, collected line by line and turned
 * into a sample by stack_thread_commit(). */
struct stack_thread {
	bool open;
	int32_t tid;
	const char *comm;
	uint32_t line;		/* header line, 0 = none */
	const char *text;	/* header line text */
	unsigned parts;		/* what this dump says about it (sample_part) */
	uint32_t dump;		/* provenance.dump: which dump of the file, 0 = the only */
	frame_vec frames;	/* native, innermost first */
	frame_vec py;		/* Python, innermost first */
};

void stack_thread_begin(struct analysis *an, struct stack_thread *th, int32_t tid,
			const char *comm, uint32_t line, struct span text);
/* Adds the collected frames of th to the sample of (pid, th->tid) at the
 * input's time; counts them in in->records. Clears th. */
void stack_thread_commit(struct analysis *an, struct input *in, int32_t pid,
			 struct stack_thread *th);

/* ---- gdb family (parse_stack_gdb.c, parse_stack_py.c) */

/* gdb, pstack/gstack and py-bt output share one reader: thread headers are
 * gdb's in all three, and one file often holds `thread apply all bt` and
 * `thread apply all py-bt` together. */
int gdb_family_parse(struct analysis *an, struct input *in);

/* One py-bt line (parse_stack_py.c). `in_traceback`: a "Traceback (most
 * recent call first):" line was seen for this thread. True when the line was
 * py-bt's; it then added to th->py (or skipped a source-text line). */
bool py_bt_line(struct analysis *an, struct stack_thread *th, struct span line,
		bool *in_traceback);

#endif
