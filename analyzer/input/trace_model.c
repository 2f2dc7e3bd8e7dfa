/* trace_model.c — threads of a strace or ltrace trace, and what their ends
 * say (trace_model.h). */
#include "trace_model.h"

#include <linux/futex.h>
#include <math.h>
#include <string.h>
#include <sys/syscall.h>

#include "stack_model.h"
#include "syscall_names.h"

/* Threads one trace may name: a server has hundreds, a fuzzed file could
 * name a new one on every line. */
#define TRACE_THREADS_MAX 8192
/* (call, error) pairs kept per thread, and call names counted per thread */
#define TRACE_FAILS_MAX 64

void trace_reader_init(struct trace_reader *r, struct analysis *an, struct input *in)
{
	memset(r, 0, sizeof(*r));
	r->an = an;
	r->in = in;
	r->t_first = r->t_last = r->t_prev = NAN;
}

struct trace_thread *trace_thread(struct trace_reader *r, int32_t tid, uint32_t line,
				  struct span text)
{
	/* the thread of the previous line is the likeliest */
	for (size_t k = r->threads.n; k-- > 0;)
		if (r->threads.v[k].tid == tid)
			return &r->threads.v[k];
	if (r->threads.n >= TRACE_THREADS_MAX) {
		if (r->threads.n == TRACE_THREADS_MAX) {
			diag_add(&r->an->diags, DIAG_LIMIT, r->in->display, line, -1,
				 "more than %d threads: the lines of the others are not read",
				 TRACE_THREADS_MAX);
			/* one slot past the limit marks the message as given */
			struct trace_thread *x = VEC_PUSH(&r->an->arena, &r->threads);
			memset(x, 0, sizeof(*x));
			x->tid = -1;
		}
		return NULL;
	}
	struct trace_thread *th = VEC_PUSH(&r->an->arena, &r->threads);
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->unprefixed = tid == 0;
	th->first_line = line;
	th->first_text = evidence_text(&r->an->arena, text);
	return th;
}

void trace_event(struct trace_reader *r, double t)
{
	r->events++;
	if (isnan(t))
		return;
	if (isnan(r->t_first))
		r->t_first = t;
	r->t_last = t;
	r->t_prev = t;
}

struct trace_call *trace_enter(struct trace_reader *r, struct trace_thread *th,
			       struct span name, int64_t syscall_nr, uint32_t line, struct span text,
			       double t)
{
	if (th->depth == TRACE_DEPTH)
		th->depth--;	/* deeper than anything real: keep the innermost */
	struct trace_call *c = &th->pending[th->depth++];
	memset(c, 0, sizeof(*c));
	c->name = arena_strndup(&r->an->arena, name.p, name.n);
	c->syscall_nr = syscall_nr;
	c->line = line;
	c->text = evidence_text(&r->an->arena, text);
	c->t = t;
	c->event = r->events;
	c->at_attach = !r->any_completed;
	return c;
}

bool trace_resume(struct trace_reader *r, struct trace_thread *th, struct span name)
{
	(void)r;
	for (int i = th->depth; i-- > 0;)
		if (span_eq(name, th->pending[i].name)) {
			th->depth = i;
			return true;
		}
	return false;
}

/* Errors a loop of which is ordinary: a non-blocking call with nothing to
 * do (EAGAIN), a signal (EINTR), a timeout, a connect in progress. */
static bool soft_error(struct span e)
{
	return span_eq(e, "EAGAIN") || span_eq(e, "EWOULDBLOCK") || span_eq(e, "EINTR") ||
	       span_eq(e, "ETIMEDOUT") || span_eq(e, "EINPROGRESS") || span_starts(e, "ERESTART");
}

void trace_complete(struct trace_reader *r, struct trace_thread *th, struct span name,
		    struct span error, uint32_t line, struct span text)
{
	th->calls++;
	r->any_completed = true;
	for (size_t i = 0; i < th->fails.n; i++)
		if (span_eq(name, th->fails.v[i].syscall))
			th->fails.v[i].calls++;
	/* ERESTART*: interrupted by a signal and restarted, not a failure
	 * (print_erestart(), src/syscall.c) */
	if (!error.n || span_starts(error, "ERESTART"))
		return;
	struct trace_fail *f = NULL;
	for (size_t i = 0; i < th->fails.n && !f; i++)
		if (span_eq(name, th->fails.v[i].syscall) && span_eq(error, th->fails.v[i].error))
			f = &th->fails.v[i];
	if (!f) {
		if (th->fails.n >= TRACE_FAILS_MAX)
			return;
		f = VEC_PUSH(&r->an->arena, &th->fails);
		memset(f, 0, sizeof(*f));
		f->syscall = arena_strndup(&r->an->arena, name.p, name.n);
		f->error = arena_strndup(&r->an->arena, error.p, error.n);
		f->src.file = r->in->display;
		f->src.line = line;
		f->src.at = r->in->at;
		f->src.text = evidence_text(&r->an->arena, text);
	}
	if (!f->calls)
		f->calls = 1;	/* this call, counted above only when known */
	f->failures++;
	f->last_call = th->calls;
}

static bool take_digits(struct span *s, int max, uint64_t *v, int *n)
{
	*v = 0;
	*n = 0;
	while ((size_t)*n < s->n && *n < max && span_is_digit(s->p[*n])) {
		*v = *v * 10 + (uint64_t)(s->p[*n] - '0');
		(*n)++;
	}
	return *n > 0;
}

static double take_frac(struct span *s, size_t *i)
{
	double f = 0, scale = 0.1;
	if (*i < s->n && s->p[*i] == '.') {
		(*i)++;
		while (*i < s->n && span_is_digit(s->p[*i])) {
			f += (s->p[*i] - '0') * scale;
			scale /= 10;
			(*i)++;
		}
	}
	return f;
}

/* The value on the reader's clock; the first kind of time seen sets it. */
static bool clock_use(struct trace_reader *r, enum trace_clock kind, double v, double *t)
{
	if (r->clock == TRACE_CLOCK_NONE)
		r->clock = kind;
	if (r->clock != kind)
		return false;	/* -t together with -r: the first one counts */
	if (kind == TRACE_CLOCK_DAY) {
		/* local time of day: past midnight it starts again at 0 */
		double d = v + r->clock_base;
		if (!isnan(r->t_prev) && d < r->t_prev - 43200) {
			r->clock_base += 86400;
			d += 86400;
		}
		*t = d;
	} else if (kind == TRACE_CLOCK_REL) {
		r->clock_base += v;
		*t = r->clock_base;
	} else {
		*t = v;
	}
	return true;
}

bool trace_take_time(struct trace_reader *r, struct span *s, double *t)
{
	struct span d = *s;
	bool rel_paren = span_starts(d, "(+");
	if (rel_paren)
		d = span_make(d.p + 2, d.n - 2);
	size_t lead = 0;
	while (lead < d.n && d.p[lead] == ' ')
		lead++;
	d = span_make(d.p + lead, d.n - lead);
	uint64_t a;
	int n;
	if (!take_digits(&d, 12, &a, &n))
		return false;
	size_t i = (size_t)n;
	double v;
	enum trace_clock kind;
	if (n == 2 && i < d.n && d.p[i] == ':' && !rel_paren) {
		/* HH:MM:SS[.frac] */
		struct span m = span_make(d.p + 3, d.n >= 3 ? d.n - 3 : 0);
		uint64_t mm, ss;
		int k;
		if (!take_digits(&m, 2, &mm, &k) || k != 2 || m.n < 6 || m.p[2] != ':')
			return false;
		struct span q = span_make(m.p + 3, m.n - 3);
		if (!take_digits(&q, 2, &ss, &k) || k != 2 || a > 23 || mm > 59 || ss > 60)
			return false;
		i = 8;
		double f = take_frac(&d, &i);
		v = (double)(a * 3600 + mm * 60 + ss) + f;
		kind = TRACE_CLOCK_DAY;
	} else if (i < d.n && d.p[i] == '.') {
		double f = take_frac(&d, &i);
		v = (double)a + f;
		/* -ttt: seconds since the epoch; -r: seconds since the last line */
		kind = !rel_paren && a >= 100000000 ? TRACE_CLOCK_EPOCH : TRACE_CLOCK_REL;
	} else {
		return false;
	}
	if (rel_paren) {
		if (i >= d.n || d.p[i] != ')')
			return false;
		i++;
	}
	if (i < d.n && d.p[i] != ' ')
		return false;
	while (i < d.n && d.p[i] == ' ')
		i++;
	double got;
	bool used = clock_use(r, kind, v, &got);
	size_t used_n = (size_t)(d.p + i - s->p);
	s->p += used_n;
	s->n -= used_n;
	if (used)
		*t = got;
	return true;
}

/* A trace time on the analysis timeline (seconds since the epoch). */
static double trace_abs(const struct trace_reader *r, double t)
{
	const struct input *in = r->in;
	if (isnan(t))
		return in->at;
	if (r->clock == TRACE_CLOCK_EPOCH)
		return t;
	if (isnan(in->at) || isnan(r->t_first))
		return in->at;
	/* a timestamp line above the trace marks its start, the file's mtime
	 * its end */
	if (in->at_src == TIME_MTIME)
		return in->at - (r->t_last - t);
	return in->at + (t - r->t_first);
}

static int32_t resolve_pid(struct trace_reader *r, int32_t tid)
{
	if (!tid)
		return r->roots.n ? r->roots.v[0] : r->default_pid;
	for (size_t i = 0; i < r->roots.n; i++)
		if (r->roots.v[i] == tid)
			return tid;
	if (r->roots.n == 1)
		return r->roots.v[0];
	if (r->roots.n > 1) {
		/* several processes attached: a thread's id follows its
		 * process's (ids are handed out in increasing order) */
		int32_t best = r->roots.v[0];
		bool found = false;
		for (size_t i = 0; i < r->roots.n; i++)
			if (r->roots.v[i] <= tid && (!found || r->roots.v[i] > best)) {
				best = r->roots.v[i];
				found = true;
			}
		return best;
	}
	return r->default_pid;
}

/* The loop the thread ended in: the (call, error) failing most, at least
 * TRACE_LOOP_MIN times, the last time among its last calls. */
static const struct trace_fail *thread_loop(const struct trace_thread *th)
{
	const struct trace_fail *best = NULL;
	for (size_t i = 0; i < th->fails.n; i++) {
		const struct trace_fail *f = &th->fails.v[i];
		if (f->failures < TRACE_LOOP_MIN || th->calls - f->last_call > TRACE_LOOP_TAIL ||
		    soft_error(span_cstr(f->error)))
			continue;
		if (!best || f->failures > best->failures)
			best = f;
	}
	return best;
}

static void add_failure(struct trace_reader *r, struct process *p, const struct trace_thread *th,
			const struct trace_fail *f, bool at_end)
{
	struct syscall_failure *sf = NULL;
	for (size_t i = 0; i < p->syscall_failures.n && !sf; i++) {
		struct syscall_failure *x = &p->syscall_failures.v[i];
		if (x->error && strcmp(x->syscall, f->syscall) == 0 && strcmp(x->error, f->error) == 0)
			sf = x;
	}
	if (!sf) {
		sf = VEC_PUSH(&r->an->arena, &p->syscall_failures);
		memset(sf, 0, sizeof(*sf));
		sf->syscall = f->syscall;
		sf->error = f->error;
		sf->src = f->src;
	}
	sf->failures += f->failures;
	sf->calls += f->calls;
	sf->tid = th->tid;
	sf->at_end = sf->at_end || at_end;
}

/* The thread's end as samples (trace_model.h). */
static bool thread_samples(struct trace_reader *r, struct trace_thread *th, int32_t pid)
{
	struct analysis *an = r->an;
	const struct trace_fail *loop = thread_loop(th);
	double end = trace_abs(r, r->t_last);
	if (loop) {
		struct provenance src = loop->src;
		src.at = end;
		struct stack_sample *s = stack_sample_for(an, pid, th->tid, th->comm, &src,
							  SAMPLE_PROC);
		s->state = 'R';		/* between the calls of the loop: on CPU */
		s->syscall_nr = -1;
		return true;
	}
	if (!th->depth) {
		if (th->exited)
			return false;
		struct provenance src = {
			.file = r->in->display, .line = th->first_line, .at = end,
			.text = th->first_text,
		};
		stack_sample_for(an, pid, th->tid, th->comm, &src, SAMPLE_PROC);
		return true;
	}
	/* the innermost pending system call decides the syscall; the library
	 * calls around it (ltrace) are the frames, innermost first */
	const struct trace_call *sys = NULL, *outer = &th->pending[0];
	uint32_t nfun = 0;
	for (int i = th->depth; i-- > 0;) {
		if (th->pending[i].syscall_nr >= 0 && !sys)
			sys = &th->pending[i];
		if (th->pending[i].syscall_nr == TRACE_LIBCALL)
			nfun++;
	}
	const struct trace_call *shown = &th->pending[th->depth - 1];
	/* entered as the trace began, or pending for over half of it */
	bool whole;
	if (outer->at_attach)
		whole = true;
	else if (!isnan(outer->t) && !isnan(r->t_first) && r->t_last > r->t_first)
		whole = r->t_last - outer->t >= 0.5 * (r->t_last - r->t_first);
	else
		whole = r->events > 1 && (double)(r->events - outer->event) >= 0.5 * (double)r->events;
	struct frame *frames = NULL;
	if (nfun) {
		frames = arena_calloc(&an->arena, nfun, sizeof(*frames));
		uint32_t k = 0;
		for (int i = th->depth; i-- > 0;)
			if (th->pending[i].syscall_nr == TRACE_LIBCALL)
				frames[k++].function = th->pending[i].name;
	}
	for (int look = whole ? 0 : 1; look < 2; look++) {
		struct provenance src = {
			.file = r->in->display, .line = shown->line,
			.at = look == 0 ? trace_abs(r, outer->t) : end, .text = shown->text,
		};
		struct stack_sample *s;
		if (look == 0 || !whole) {
			s = stack_sample_for(an, pid, th->tid, th->comm, &src,
					     nfun ? SAMPLE_NATIVE : SAMPLE_PROC);
		} else {
			struct process *p = incident_process(&an->inc, pid, true);
			struct thread *t = process_thread(&an->inc, p, th->tid, true);
			s = thread_sample_new(&an->inc, t, &src);
		}
		if (sys) {
			s->syscall_nr = sys->syscall_nr;
			memcpy(s->syscall_args, sys->args, sizeof(s->syscall_args));
		}
		if (nfun && !s->n_frames) {
			s->frames = frames;
			s->n_frames = nfun;
		}
	}
	return true;
}

/* tid -1: the task of the lines without a [pid N] prefix (its tid is
 * only known once its process is) */
static struct trace_thread *find_thread(struct trace_reader *r, int32_t tid)
{
	for (size_t i = 0; i < r->threads.n; i++)
		if (tid < 0 ? r->threads.v[i].unprefixed : r->threads.v[i].tid == tid)
			return &r->threads.v[i];
	return NULL;
}

/* The process of a thread: its clone() says, else the attach lines do. */
static int32_t thread_pid(struct trace_reader *r, const struct trace_thread *th, int32_t *ppid)
{
	*ppid = 0;
	for (int hops = 0; hops < 64; hops++) {
		if (th->pid)
			return th->pid;
		if (!th->parent_tid)
			return resolve_pid(r, th->tid);
		if (!th->clone_thread) {
			/* a child process: its pid is its id, its parent the
			 * creator's process */
			const struct trace_thread *pt = find_thread(r, th->parent_tid);
			if (pt) {
				int32_t unused;
				*ppid = thread_pid(r, pt, &unused);
			}
			return th->tid;
		}
		const struct trace_thread *pt = find_thread(r, th->parent_tid);
		if (!pt)
			return resolve_pid(r, th->parent_tid < 0 ? 0 : th->parent_tid);
		th = pt;
	}
	return resolve_pid(r, th->tid);
}

size_t trace_commit(struct trace_reader *r)
{
	struct analysis *an = r->an;
	size_t n = 0;
	bool noted = false;
	int32_t first_tid = 0;
	/* the main thread's id is its process's, and the lowest of them (ids
	 * are handed out in increasing order, unless they wrapped) */
	for (size_t i = 0; i < r->threads.n; i++)
		if (r->threads.v[i].tid > 0 && (!first_tid || r->threads.v[i].tid < first_tid))
			first_tid = r->threads.v[i].tid;
	for (size_t i = 0; i < r->threads.n; i++) {
		struct trace_thread *th = &r->threads.v[i];
		if (th->tid < 0)
			continue;
		int32_t ppid = 0;
		int32_t pid = thread_pid(r, th, &ppid);
		if (!pid) {
			/* nothing names the process (strace -f -o FILE prints
			 * tids only): the lowest thread id stands for it */
			pid = first_tid;
			if (!noted && pid) {
				diag_add(&an->diags, DIAG_NOTE, r->in->display, th->first_line, -1,
					 "no \"Process N attached\" line and no pid in the file name: "
					 "the threads are taken as one process, named by its lowest "
					 "thread id (%d)", (int)pid);
				noted = true;
			}
		}
		if (!pid)
			pid = r->default_pid;
		if (!pid) {
			if (!r->no_pid_said)
				diag_add(&an->diags, DIAG_BAD_LINE, r->in->display, th->first_line, -1,
					 "no pid in the content or the file name: the trace is read "
					 "but belongs to no process (save it with its \"Process N "
					 "attached\" line, strace -p PID 2>&1, or as strace-PID.txt)");
			r->no_pid_said = true;
			continue;
		}
		if (!th->tid)
			th->tid = pid;	/* lines without a [pid N] prefix: the process's own */
		struct process *p = incident_process(&an->inc, pid, true);
		if (ppid > 0 && p->ppid < 0)
			p->ppid = ppid;
		const struct trace_fail *loop = thread_loop(th);
		for (size_t k = 0; k < th->fails.n; k++)
			add_failure(r, p, th, &th->fails.v[k], &th->fails.v[k] == loop);
		if (thread_samples(r, th, pid))
			n++;
	}
	if (r->default_pid && r->pid_how && !r->roots.n)
		diag_add(&an->diags, DIAG_NOTE, r->in->display, 0, -1, "pid %d taken from %s",
			 (int)r->default_pid, r->pid_how);
	return n;
}

/* ---- line shapes */

bool trace_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || span_is_digit(ch) ||
	       ch == '_' || ch == '?';
}

bool trace_call_name(struct span s, struct span *name)
{
	size_t i = 0;
	while (i < s.n && trace_name_char(s.p[i]))
		i++;
	if (i == 0 || i >= s.n || s.p[i] != '(' || span_is_digit(s.p[0]))
		return false;
	*name = span_make(s.p, i);
	return true;
}

bool trace_take_pid_prefix(struct span *s, int32_t *tid, struct span *comm)
{
	struct span d = *s;
	bool bracket = span_starts(d, "[pid");
	if (bracket) {
		d = span_make(d.p + 4, d.n - 4);
		while (d.n && d.p[0] == ' ')
			d = span_make(d.p + 1, d.n - 1);
	}
	int32_t v;
	if (!stack_take_i32(&d, &v) || v <= 0)
		return false;
	*comm = span_make(NULL, 0);
	if (d.n && d.p[0] == '<') {
		const char *gt = memchr(d.p, '>', d.n);
		if (!gt)
			return false;
		*comm = span_make(d.p + 1, (size_t)(gt - d.p - 1));
		d = span_make(gt + 1, d.n - (size_t)(gt + 1 - d.p));
	}
	if (bracket) {
		if (!d.n || d.p[0] != ']')
			return false;
		d = span_make(d.p + 1, d.n - 1);
	}
	/* "-o FILE -f": the tid, then blanks; a number glued to '.' or ':'
	 * is a timestamp, not a tid */
	if (!d.n || d.p[0] != ' ')
		return false;
	while (d.n && d.p[0] == ' ')
		d = span_make(d.p + 1, d.n - 1);
	*tid = v;
	*s = d;
	return true;
}

void trace_skip_brackets(struct span *s)
{
	while (s->n > 2 && s->p[0] == '[') {
		size_t i = 1;
		while (i < s->n && (span_is_digit(s->p[i]) || s->p[i] == ' ' ||
				    (s->p[i] >= 'a' && s->p[i] <= 'f')))
			i++;
		if (i >= s->n || s->p[i] != ']' || i + 1 >= s->n || s->p[i + 1] != ' ')
			return;
		*s = span_make(s->p + i + 2, s->n - i - 2);
	}
}

/* A time token ("17:40:58.230651", "1796405741.659766", "0.000123",
 * "(+     0.000123)") and its blanks, without a reader's clock. */
static bool skip_time(struct span *s)
{
	struct span d = *s;
	if (span_starts(d, "(+")) {
		const char *close = memchr(d.p, ')', d.n);
		if (!close)
			return false;
		d = span_make(close + 1, d.n - (size_t)(close + 1 - d.p));
	} else {
		size_t i = 0;
		while (i < d.n && d.p[i] == ' ')
			i++;
		size_t digits = i;
		while (i < d.n && (span_is_digit(d.p[i]) || d.p[i] == ':' || d.p[i] == '.'))
			i++;
		if (i == digits || i >= d.n || d.p[i] != ' ' ||
		    (!memchr(d.p + digits, '.', i - digits) && !memchr(d.p + digits, ':', i - digits)))
			return false;
		d = span_make(d.p + i, d.n - i);
	}
	while (d.n && d.p[0] == ' ')
		d = span_make(d.p + 1, d.n - 1);
	*s = d;
	return true;
}

static bool fun_name_is_ltrace(struct span n)
{
	return span_starts(n, "pthread_") || span_starts(n, "__libc_") || span_starts(n, "sem_") ||
	       span_eq(n, "malloc") || span_eq(n, "free") || span_eq(n, "calloc") ||
	       span_eq(n, "realloc") || span_starts(n, "SYS_") || span_starts(n, "PyThread_") ||
	       span_starts(n, "__cxa_");
}

void trace_sniff_scan(const struct sniff_view *v, struct trace_sniff *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		struct span t = l->t, comm;
		int32_t tid;
		if (span_starts(t, "strace: Process ") ||
		    (span_starts(t, "Process ") && span_contains(t, " attached"))) {
			if (span_contains(t, " attached") && !out->banner_line)
				out->banner_line = l;
			out->strace_marks++;
			continue;
		}
		if (span_starts(t, "% time") && span_contains(t, "calls")) {
			if (span_contains(t, "syscall") && !out->table_line)
				out->table_line = l;
			else if (span_contains(t, "function") && !out->ltrace_table_line)
				out->ltrace_table_line = l;
			continue;
		}
		trace_take_pid_prefix(&t, &tid, &comm);
		if (skip_time(&t))
			skip_time(&t);
		trace_skip_brackets(&t);
		if (span_starts(t, "+++ exited with ") || span_contains(t, "{si_signo="))
			out->strace_marks++;
		if (span_starts(t, "+++ exited (status ") ||
		    (span_starts(t, "--- SIG") && span_contains(t, " (")))
			out->ltrace_marks++;
		if (span_starts(t, "<... ")) {
			if (span_contains(t, " resumed>)"))
				out->strace_marks++;
			continue;
		}
		/* ltrace names the caller: "exe->pthread_mutex_lock(",
		 * "libfoo.so->malloc(", or the callee: "malloc@libc.so.6(" */
		const char *arrow = NULL, *paren = memchr(t.p, '(', t.n);
		for (size_t k = 0; paren && k + 2 < (size_t)(paren - t.p); k++)
			if (t.p[k] == '-' && t.p[k + 1] == '>')
				arrow = t.p + k;
		if (arrow && !memchr(t.p, ' ', (size_t)(arrow - t.p))) {
			out->ltrace_marks++;
			out->fun_rows++;
			continue;
		}
		struct span name;
		if (!trace_call_name(t, &name))
			continue;
		if (syscall_name_known(name.p, name.n)) {
			out->sys_rows++;
			if (span_contains(t, " = -1 E"))
				out->strace_marks++;
		} else {
			out->fun_rows++;
			if (fun_name_is_ltrace(name))
				out->ltrace_marks++;
		}
	}
}

/* ---- arguments */

/* The top-level arguments of "name(a, {b, c}, "d, e") ...": up to 6 spans. */
static int split_args(struct span body, struct span *args, int max)
{
	const char *p = memchr(body.p, '(', body.n);
	if (!p)
		return 0;
	const char *end = body.p + body.n;
	p++;
	int n = 0, depth = 0;
	bool quote = false;
	const char *start = p;
	for (; p < end && n < max; p++) {
		char ch = *p;
		if (quote) {
			if (ch == '\\' && p + 1 < end)
				p++;
			else if (ch == '"')
				quote = false;
			continue;
		}
		if (ch == '"')
			quote = true;
		else if (ch == '{' || ch == '[' || ch == '(')
			depth++;
		else if ((ch == '}' || ch == ']') && depth > 0)
			depth--;
		else if (ch == ')' && depth > 0)
			depth--;
		else if ((ch == ',' || ch == ')') && depth == 0) {
			args[n++] = span_trim(span_make(start, (size_t)(p - start)));
			if (ch == ')')
				break;
			start = p + 1;
		} else if (ch == '<' && end - p >= 16 && memcmp(p, "<unfinished ...>", 16) == 0) {
			break;
		}
	}
	if (n < max && p >= end) {
		struct span last = span_trim(span_make(start, (size_t)(end - start)));
		if (span_contains(last, "<unfinished ...>"))
			last.n = (size_t)((const char *)memchr(last.p, '<', last.n) - last.p);
		last = span_trim(last);
		if (last.n)
			args[n++] = last;
	} else if (n < max && p < end && *p == '<') {
		struct span last = span_trim(span_make(start, (size_t)(p - start)));
		if (last.n)
			args[n++] = last;
	}
	return n;
}

/* FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME -> 9|128|256
 * (include/uapi/linux/futex.h); -X raw prints the number. */
static bool futex_op(struct span s, uint64_t *op)
{
	static const struct {
		const char *name;
		unsigned v;
	} ops[] = {
		{ "FUTEX_WAIT", FUTEX_WAIT }, { "FUTEX_WAKE", FUTEX_WAKE },
		{ "FUTEX_FD", 2 }, { "FUTEX_REQUEUE", FUTEX_REQUEUE },
		{ "FUTEX_CMP_REQUEUE", FUTEX_CMP_REQUEUE }, { "FUTEX_WAKE_OP", FUTEX_WAKE_OP },
		{ "FUTEX_LOCK_PI", FUTEX_LOCK_PI }, { "FUTEX_UNLOCK_PI", FUTEX_UNLOCK_PI },
		{ "FUTEX_TRYLOCK_PI", FUTEX_TRYLOCK_PI }, { "FUTEX_WAIT_BITSET", FUTEX_WAIT_BITSET },
		{ "FUTEX_WAKE_BITSET", FUTEX_WAKE_BITSET },
		{ "FUTEX_WAIT_REQUEUE_PI", FUTEX_WAIT_REQUEUE_PI },
		{ "FUTEX_CMP_REQUEUE_PI", FUTEX_CMP_REQUEUE_PI }, { "FUTEX_LOCK_PI2", 13 },
		{ "FUTEX_CLOCK_REALTIME", FUTEX_CLOCK_REALTIME },
	};
	uint64_t v = 0, num;
	bool any = false;
	while (s.n) {
		size_t i = 0;
		while (i < s.n && s.p[i] != '|')
			i++;
		struct span part = span_trim(span_make(s.p, i));
		bool priv = false;
		if (part.n > 8 && memcmp(part.p + part.n - 8, "_PRIVATE", 8) == 0) {
			priv = true;
			part.n -= 8;
		}
		bool found = false;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (span_eq(part, ops[k].name)) {
				v |= ops[k].v;
				found = true;
			}
		if (!found && (span_u64(part, &num) || span_hex_u64(part, &num))) {
			v |= num;
			found = true;
		}
		if (!found)
			return false;
		if (priv)
			v |= FUTEX_PRIVATE_FLAG;
		any = true;
		s = i < s.n ? span_make(s.p + i + 1, s.n - i - 1) : span_make(s.p + s.n, 0);
	}
	*op = v;
	return any;
}

void trace_call_args(struct span body, int64_t nr, uint64_t *out)
{
	struct span a[6];
	int n = split_args(body, a, 6);
	for (int i = 0; i < n; i++) {
		uint64_t v;
		if (span_hex_u64(a[i], &v) && span_starts(a[i], "0x"))
			out[i] = v;
		else if (span_u64(a[i], &v))
			out[i] = v;
	}
	if (nr == SYS_futex) {
		if (n > 1 && !futex_op(a[1], &out[1]))
			out[1] = 1;	/* not understood: not taken for a wait */
		/* the timeout: NULL or a value ({tv_sec=..}, an address); a
		 * terminal's "^C" may follow the last argument printed */
		struct span to = n > 3 ? a[3] : span_make(body.p, 0);
		if (to.n >= 2 && memcmp(to.p + to.n - 2, "^C", 2) == 0)
			to.n -= 2;
		out[3] = to.n && !span_eq(to, "NULL") && !span_eq(to, "0") ? 1 : 0;
	}
}

