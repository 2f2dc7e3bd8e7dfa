/* cmd_stacks.c — `stuckscope stacks --pid PID`: sample every thread of a
 * live process a few times (probes/ptrace_sample.c), symbolize after it runs
 * again (probes/symbolize.c), classify the threads (classify.c) and print
 * threads with identical stacks together, with counts: the poor man's
 * profiler view (eu-stack, py-spy dump), plus what each group waits on and
 * how long the target was stopped for each sample.
 *
 * Exit status: 0 sampled, 1 usage, 2 could not sample ("stuckscope: PID: ..."). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "model/analysis.h"
#include "cli.h"
#include "commands.h"
#include "derive/classify.h"
#include "base/json.h"
#include "base/procstat.h"
#include "probes/ptrace_sample.h"
#include "report/report.h"
#include "probes/symbolize.h"


#define EXIT_OK 0
#define EXIT_NOSAMPLE 2

/* Program images one run symbolizes: a process that exec'd since the first
 * sample needs new symbol tables for each program (libdwfl modules, with
 * libc's DWARF some 15 MB and 100-400 ms each), and the old ones stay open
 * for the frames already taken. Past this, samples are still taken (the
 * target is stopped and let go as always) but dropped, so a target that
 * execs in a loop cannot make stuckscope grow without bound. */
#define STACKS_MAX_IMAGES 4

struct sample_timing {
	uint32_t sample_no;
	double at;
	size_t threads, stopped, gone, nostop;
	int64_t window_ns, wait_ns, unwind_ns, detach_ns, seize_ns, symbolize_ns, max_stop_ns;
	int64_t python_ns;	/* reading the Python frames (inside the stop window), -1 */
	int64_t wall_ns;	/* the whole sample: listing, seizing, stop, symbolize */
	bool group_stopped;
};

struct stacks_run {
	struct analysis an;
	pid_t pid;
	struct process *proc;
	const char *live_file;
	VEC(struct sample_timing) timing;
	VEC(const char *) messages;
	const char *python;	/* what the Python frame reader found, NULL none */
	uint32_t py_errors;	/* threads whose Python frames could not be read */
	/* symbolizers of program images the process exec'd away from: the
	 * frames of earlier samples point into them until the report is out */
	VEC(struct symbolizer *) old_syms;
};

static void usage(FILE *f)
{
	fputs("usage: stuckscope stacks --pid PID [--samples N] [--interval MS] [--format text|json]\n"
	      "\n"
	      "Samples every thread of process PID N times (default 5), MS milliseconds apart\n"
	      "(default 100): all threads are stopped together with PTRACE_SEIZE +\n"
	      "PTRACE_INTERRUPT, unwound, and let go at once; names, files and lines are looked\n"
	      "up after the process runs again. Threads with identical stacks are shown once,\n"
	      "with their count, state (stuck, waiting-for-work, running, sleeping), what they\n"
	      "block on and the CPU time they used across the samples. The footer gives how\n"
	      "long the process was stopped for each sample.\n"
	      "\n"
	      "For CPython 3.11 processes the Python-level frames of every thread are read\n"
	      "while it is stopped, shown above the native ones, and used to classify (a\n"
	      "thread in Condition.wait() vs one idle in queue.get()).\n"
	      "\n"
	      "A sample that meets an execve() in the process is dropped (\"target is exec'ing;\n"
	      "retry\" in the notes) with nothing left attached; the next one is taken in the\n"
	      "new program.\n"
	      "\n"
	      "Exit status: 0 sampled, 1 usage error, 2 could not sample.\n", f);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool is_mutex_wait(const struct stack_sample *s)
{
	for (uint32_t i = 0; i < s->n_frames && i < 8; i++) {
		const char *fn = s->frames[i].function;
		if (fn && (strstr(fn, "lll_lock_wait") || strstr(fn, "pthread_mutex_lock") ||
			   strstr(fn, "pthread_mutex_timedlock") || strstr(fn, "pthread_mutex_clocklock")))
			return true;
	}
	return false;
}

/* One sample into the incident: frames symbolized now that the target runs. */
static void add_sample(struct stacks_run *r, struct symbolizer *sym, const struct ps_sample *ps,
		       struct sample_timing *tm)
{
	struct incident *inc = &r->an.inc;
	struct arena *a = &r->an.arena;
	uint64_t t0 = ps_now_ns();
	sym_allow_rescan(sym);
	for (size_t i = 0; i < ps->n_threads; i++) {
		const struct ps_thread *pt = &ps->threads[i];
		if (pt->status == PS_GONE)
			continue;
		struct thread *t = process_thread(inc, r->proc, pt->tid, true);
		if (pt->comm[0])
			t->comm = arena_strdup(a, pt->comm);
		struct stack_sample *s = thread_add_sample(inc, t);
		s->src.file = r->live_file;
		s->src.sample = ps->sample_no;
		s->src.at = ps->at;
		s->sample_no = ps->sample_no;
		s->state = pt->state;
		s->utime = pt->utime;
		s->stime = pt->stime;
		s->syscall_nr = pt->status == PS_OK ? pt->syscall_nr : -2;
		memcpy(s->syscall_args, pt->syscall_args, sizeof(s->syscall_args));
		s->wchan = pt->wchan[0] ? arena_strdup(a, pt->wchan) : NULL;
		s->stop_ns = pt->stop_ns;
		if (pt->stop_ns > tm->max_stop_ns)
			tm->max_stop_ns = pt->stop_ns;
		if (pt->status != PS_OK || !pt->n_pcs)
			continue;
		/* expand inline frames: count first */
		size_t total = 0;
		for (uint32_t k = 0; k < pt->n_pcs; k++) {
			const struct sym_frame *sf;
			total += sym_lookup(sym, pt->pcs[k], k > 0, &sf);
		}
		s->frames = arena_calloc(a, total, sizeof(*s->frames));
		size_t n = 0;
		for (uint32_t k = 0; k < pt->n_pcs; k++) {
			const struct sym_frame *sf;
			size_t m = sym_lookup(sym, pt->pcs[k], k > 0, &sf);
			for (size_t j = 0; j < m && n < total; j++) {
				struct frame *f = &s->frames[n++];
				f->pc = sf[j].pc;
				f->function = sf[j].function;
				f->module = sf[j].module;
				f->file = sf[j].file;
				f->line = sf[j].line;
				f->inlined = sf[j].inlined;
			}
		}
		s->n_frames = (uint32_t)n;
		/* Python frames, read while the threads were stopped; the strings
		 * belong to the sampling session, closed after the report */
		if (pt->n_py) {
			s->py_frames = arena_calloc(a, pt->n_py, sizeof(*s->py_frames));
			for (uint32_t k = 0; k < pt->n_py; k++) {
				struct frame *f = &s->py_frames[k];
				f->function = pt->py[k].function;
				f->file = pt->py[k].file;
				f->line = pt->py[k].line;
				f->python = true;
			}
			s->n_py_frames = pt->n_py;
		}
		if (pt->py_status < 0 && r->py_errors++ < 3)
			*VEC_PUSH(a, &r->messages) = arena_printf(
				a, "sample %u: thread %d: Python frames: %s%s", ps->sample_no,
				pt->tid, pt->py_err, pt->n_py ? " (the frames read before it are shown)" : "");
		/* glibc mutex: the waiter sleeps in futex(&mutex->__lock); the owner's
		 * TID is at offset 8 (__owner). Read only when the frames say it is a
		 * mutex wait, so no other futex word is misread as a mutex. */
		if (s->syscall_nr == SYS_futex && is_mutex_wait(s)) {
			int32_t owner = ps_mutex_owner(r->pid, s->syscall_args[0]);
			if (owner > 0)
				t->lock_owner_tid = owner;
		}
	}
	tm->symbolize_ns = (int64_t)(ps_now_ns() - t0);
}

/* ---- aggregation: threads whose last samples show the same frames */

struct group {
	const struct thread **threads;
	size_t n, cap;
	const struct thread *rep;	/* representative: the first */
	int64_t cpu_ticks;		/* sum over its threads, -1 unknown */
};

static bool same_stack(const struct thread *a, const struct thread *b)
{
	if (a->state != b->state || a->blocked != b->blocked)
		return false;
	if (!a->samples.n || !b->samples.n)
		return a->samples.n == b->samples.n;
	const struct stack_sample *x = &a->samples.v[a->samples.n - 1];
	const struct stack_sample *y = &b->samples.v[b->samples.n - 1];
	if (x->n_frames != y->n_frames || x->n_py_frames != y->n_py_frames)
		return false;
	for (uint32_t i = 0; i < x->n_py_frames; i++) {
		const struct frame *f = &x->py_frames[i], *g = &y->py_frames[i];
		if (f->line != g->line || !f->function != !g->function || !f->file != !g->file ||
		    (f->function && strcmp(f->function, g->function) != 0) ||
		    (f->file && strcmp(f->file, g->file) != 0))
			return false;
	}
	if (!x->n_frames && x->syscall_nr != y->syscall_nr)
		return false;
	for (uint32_t i = 0; i < x->n_frames; i++) {
		const struct frame *f = &x->frames[i], *g = &y->frames[i];
		bool named = f->function || g->function;
		if (named ? (!f->function || !g->function || strcmp(f->function, g->function) != 0 ||
			     f->line != g->line)
			  : f->pc != g->pc)
			return false;
	}
	return true;
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return a->rep->tid < b->rep->tid ? -1 : a->rep->tid > b->rep->tid;
}

static struct group *make_groups(struct stacks_run *r, size_t *ngroups)
{
	struct process *p = r->proc;
	struct group *g = arena_calloc(&r->an.arena, p->threads.n ? p->threads.n : 1, sizeof(*g));
	size_t n = 0;
	for (size_t i = 0; i < p->threads.n; i++) {
		const struct thread *t = &p->threads.v[i];
		size_t k;
		for (k = 0; k < n; k++)
			if (same_stack(g[k].rep, t))
				break;
		if (k == n) {
			g[n].rep = t;
			g[n].cap = 8;
			g[n].threads = arena_calloc(&r->an.arena, g[n].cap, sizeof(*g[n].threads));
			g[n].cpu_ticks = -1;
			n++;
		}
		struct group *gr = &g[k];
		if (gr->n == gr->cap) {
			const struct thread **v = arena_calloc(&r->an.arena, gr->cap * 2, sizeof(*v));
			memcpy(v, gr->threads, gr->n * sizeof(*v));
			gr->threads = v;
			gr->cap *= 2;
		}
		gr->threads[gr->n++] = t;
		if (t->cpu_ticks_delta >= 0)
			gr->cpu_ticks = (gr->cpu_ticks < 0 ? 0 : gr->cpu_ticks) + t->cpu_ticks_delta;
	}
	qsort(g, n, sizeof(*g), cmp_group);
	*ngroups = n;
	return g;
}

static const char *blocking_text(const struct analysis *an, const struct thread *t)
{
	const struct thread_note *note = classify_note(an, t);
	return note && note->what ? note->what : NULL;
}

static double ms(int64_t ns)
{
	return ns < 0 ? NAN : (double)ns / 1e6;
}

/* ---- text */

static void print_frame(FILE *out, uint32_t i, const struct frame *f)
{
	fprintf(out, "    #%-2u ", i);
	if (f->function)
		fputs(f->function, out);
	else
		fprintf(out, "0x%" PRIx64, f->pc);
	if (f->module)
		fprintf(out, " (%s)", f->module);
	if (f->file)
		fprintf(out, " %s:%u", f->file, f->line);
	if (f->inlined)
		fputs(" [inlined]", out);
	fputc('\n', out);
}

static void write_text(FILE *out, struct stacks_run *r, struct group *g, size_t ng,
		       const char *const *nodebug, size_t n_nodebug)
{
	struct process *p = r->proc;
	double span = 0;
	if (r->timing.n > 1)
		span = r->timing.v[r->timing.n - 1].at - r->timing.v[0].at;
	fprintf(out, "process %d (%s): %zu threads, %zu samples over %.2f s; process state: %s\n",
		p->pid, p->comm ? p->comm : "?", p->threads.n, r->timing.n, span,
		proc_state_name(p->state));
	for (size_t k = 0; k < ng; k++) {
		const struct group *gr = &g[k];
		const struct thread *t = gr->rep;
		fprintf(out, "\n%zu thread%s  %s", gr->n, gr->n == 1 ? "" : "s",
			thread_state_name(t->state));
		const char *what = blocking_text(&r->an, t);
		if (what)
			fprintf(out, "  %s", what);
		else if (blocked_on_name(t->blocked))
			fprintf(out, "  blocked on %s", blocked_on_name(t->blocked));
		if (gr->cpu_ticks >= 0)
			fprintf(out, "  cpu +%" PRId64 " ticks", gr->cpu_ticks);
		fputc('\n', out);
		fputs("  threads:", out);
		size_t show = gr->n > 12 ? 10 : gr->n;
		for (size_t i = 0; i < show; i++) {
			const struct thread *x = gr->threads[i];
			fprintf(out, "%s %s/%d", i ? "," : "", x->comm ? x->comm : "?", x->tid);
			if (x->lock_owner_tid > 0)
				fprintf(out, " (mutex held by %d)", x->lock_owner_tid);
		}
		if (show < gr->n)
			fprintf(out, " and %zu more", gr->n - show);
		fputc('\n', out);
		if (t->samples.n) {
			const struct stack_sample *s = &t->samples.v[t->samples.n - 1];
			if (s->n_py_frames) {
				fputs("  python (innermost first):\n", out);
				for (uint32_t i = 0; i < s->n_py_frames; i++) {
					const struct frame *f = &s->py_frames[i];
					fprintf(out, "    #%-2u %s  %s:%u\n", i,
						f->function ? f->function : "??",
						f->file ? f->file : "??", f->line);
				}
				fputs("  native:\n", out);
			}
			if (!s->n_frames)
				fprintf(out, "    (no stack: state %c, syscall %" PRId64 "%s%s)\n",
					s->state ? s->state : '?', s->syscall_nr,
					s->wchan ? ", wchan " : "", s->wchan ? s->wchan : "");
			for (uint32_t i = 0; i < s->n_frames; i++)
				print_frame(out, i, &s->frames[i]);
		}
	}
	fputs("\nsampling (stop window = first PTRACE_INTERRUPT to last detach):\n", out);
	for (size_t i = 0; i < r->timing.n; i++) {
		const struct sample_timing *tm = &r->timing.v[i];
		fprintf(out, "  sample %u: %zu threads stopped", tm->sample_no, tm->stopped);
		if (tm->gone)
			fprintf(out, ", %zu gone", tm->gone);
		if (tm->nostop)
			fprintf(out, ", %zu did not stop", tm->nostop);
		fprintf(out, "; stop window %.3f ms (longest thread %.3f ms), wait %.3f ms, "
			"unwind %.3f ms, ", ms(tm->window_ns), ms(tm->max_stop_ns), ms(tm->wait_ns),
			ms(tm->unwind_ns));
		if (tm->python_ns >= 0)
			fprintf(out, "python frames %.3f ms, ", ms(tm->python_ns));
		fprintf(out, "resume %.3f ms; symbolize %.3f ms; sample %.3f ms\n",
			ms(tm->detach_ns), ms(tm->symbolize_ns), ms(tm->wall_ns));
	}
	if (n_nodebug) {
		fputs("no debug info (names from the symbol table, no file:line):", out);
		for (size_t i = 0; i < n_nodebug; i++)
			fprintf(out, "%s %s", i ? "," : "", nodebug[i]);
		fputc('\n', out);
	}
	if (r->python)
		fprintf(out, "%s\n", r->python);
	if (r->py_errors > 3)
		fprintf(out, "note: Python frames of %u thread samples could not be read (3 shown)\n",
			r->py_errors);
	for (size_t i = 0; i < r->messages.n; i++)
		fprintf(out, "note: %s\n", r->messages.v[i]);
}

/* ---- JSON */

static void jw_opt_int(struct jw *w, int64_t v, bool known)
{
	if (known)
		jw_int(w, v);
	else
		jw_null(w);
}

static void jw_ms(struct jw *w, int64_t ns)
{
	if (ns < 0)
		jw_null(w);
	else
		jw_num(w, (double)ns / 1e6);
}

static void write_json(FILE *out, struct stacks_run *r, struct group *g, size_t ng,
		       const char *const *nodebug, size_t n_nodebug)
{
	struct process *p = r->proc;
	struct jw w;
	char buf[64];
	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "schema_version"); jw_int(&w, 1);
	jw_key(&w, "pid"); jw_int(&w, p->pid);
	jw_key(&w, "comm"); jw_str(&w, p->comm);
	jw_key(&w, "state"); jw_str(&w, proc_state_name(p->state));
	jw_key(&w, "threads"); jw_int(&w, (int64_t)p->threads.n);
	jw_key(&w, "samples"); jw_int(&w, (int64_t)r->timing.n);
	jw_key(&w, "groups"); jw_arr(&w);
	for (size_t k = 0; k < ng; k++) {
		const struct group *gr = &g[k];
		const struct thread *t = gr->rep;
		jw_obj(&w);
		jw_key(&w, "count"); jw_int(&w, (int64_t)gr->n);
		jw_key(&w, "state"); jw_str(&w, thread_state_name(t->state));
		jw_key(&w, "blocked_on"); jw_str(&w, blocked_on_name(t->blocked));
		jw_key(&w, "blocking"); jw_str(&w, blocking_text(&r->an, t));
		jw_key(&w, "cpu_ticks_delta"); jw_opt_int(&w, gr->cpu_ticks, gr->cpu_ticks >= 0);
		jw_key(&w, "threads"); jw_arr(&w);
		for (size_t i = 0; i < gr->n; i++) {
			const struct thread *x = gr->threads[i];
			jw_obj(&w);
			jw_key(&w, "tid"); jw_int(&w, x->tid);
			jw_key(&w, "comm"); jw_str(&w, x->comm);
			jw_key(&w, "wait_address");
			if (x->wait_address) {
				snprintf(buf, sizeof(buf), "0x%" PRIx64, x->wait_address);
				jw_str(&w, buf);
			} else {
				jw_null(&w);
			}
			jw_key(&w, "lock_owner_tid");
			jw_opt_int(&w, x->lock_owner_tid, x->lock_owner_tid > 0);
			jw_key(&w, "cpu_ticks_delta");
			jw_opt_int(&w, x->cpu_ticks_delta, x->cpu_ticks_delta >= 0);
			jw_key(&w, "samples"); jw_int(&w, (int64_t)x->samples.n);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_key(&w, "stack"); jw_arr(&w);
		if (t->samples.n) {
			const struct stack_sample *s = &t->samples.v[t->samples.n - 1];
			for (uint32_t i = 0; i < s->n_frames; i++) {
				const struct frame *f = &s->frames[i];
				jw_obj(&w);
				jw_key(&w, "function"); jw_str(&w, f->function);
				jw_key(&w, "module"); jw_str(&w, f->module);
				jw_key(&w, "file"); jw_str(&w, f->file);
				jw_key(&w, "line"); jw_opt_int(&w, f->line, f->line > 0);
				snprintf(buf, sizeof(buf), "0x%" PRIx64, f->pc);
				jw_key(&w, "pc"); jw_str(&w, buf);
				jw_key(&w, "inlined"); jw_bool(&w, f->inlined);
				jw_obj_end(&w);
			}
		}
		jw_arr_end(&w);
		jw_key(&w, "python_stack"); jw_arr(&w);
		if (t->samples.n) {
			const struct stack_sample *s = &t->samples.v[t->samples.n - 1];
			for (uint32_t i = 0; i < s->n_py_frames; i++) {
				const struct frame *f = &s->py_frames[i];
				jw_obj(&w);
				jw_key(&w, "function"); jw_str(&w, f->function);
				jw_key(&w, "file"); jw_str(&w, f->file);
				jw_key(&w, "line"); jw_opt_int(&w, f->line, f->line > 0);
				jw_obj_end(&w);
			}
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "sampling"); jw_arr(&w);
	for (size_t i = 0; i < r->timing.n; i++) {
		const struct sample_timing *tm = &r->timing.v[i];
		jw_obj(&w);
		jw_key(&w, "sample"); jw_int(&w, tm->sample_no);
		jw_key(&w, "at"); jw_str(&w, time_format(tm->at, buf, sizeof(buf)));
		jw_key(&w, "threads"); jw_int(&w, (int64_t)tm->threads);
		jw_key(&w, "stopped"); jw_int(&w, (int64_t)tm->stopped);
		jw_key(&w, "gone"); jw_int(&w, (int64_t)tm->gone);
		jw_key(&w, "did_not_stop"); jw_int(&w, (int64_t)tm->nostop);
		jw_key(&w, "stop_window_ms"); jw_ms(&w, tm->window_ns);
		jw_key(&w, "max_thread_stop_ms"); jw_ms(&w, tm->max_stop_ns);
		jw_key(&w, "wait_ms"); jw_ms(&w, tm->wait_ns);
		jw_key(&w, "unwind_ms"); jw_ms(&w, tm->unwind_ns);
		jw_key(&w, "resume_ms"); jw_ms(&w, tm->detach_ns);
		jw_key(&w, "seize_ms"); jw_ms(&w, tm->seize_ns);
		jw_key(&w, "symbolize_ms"); jw_ms(&w, tm->symbolize_ns);
		jw_key(&w, "python_ms"); jw_ms(&w, tm->python_ns);
		jw_key(&w, "wall_ms"); jw_ms(&w, tm->wall_ns);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "modules_without_debuginfo"); jw_arr(&w);
	for (size_t i = 0; i < n_nodebug; i++)
		jw_str(&w, nodebug[i]);
	jw_arr_end(&w);
	jw_key(&w, "python"); jw_str(&w, r->python);
	jw_key(&w, "messages"); jw_arr(&w);
	for (size_t i = 0; i < r->messages.n; i++)
		jw_str(&w, r->messages.v[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

static void read_proc_identity(struct stacks_run *r)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/comm", r->pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			r->proc->comm = arena_strdup(&r->an.arena, buf);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", r->pid);
	f = fopen(path, "r");
	if (f) {
		/* the whole line: the comm may hold a newline (base/procstat.h) */
		size_t n = fread(buf, 1, sizeof(buf), f);
		struct procstat ps;
		if (procstat_parse(&ps, buf, n) == 0)
			r->proc->ppid = ps.ppid;
		fclose(f);
	}
}

int cmd_stacks(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "samples", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long pid = -1, samples = 5, interval = 100, timeout = 250;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:n:i:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!cli_parse_long(optarg, 1, 0x7fffffff, &pid)) {
				fprintf(stderr, "stuckscope: --pid: not a process id: '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (!cli_parse_long(optarg, 1, 10000, &samples)) {
				fprintf(stderr, "stuckscope: --samples: expected 1..10000, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'i':
			if (!cli_parse_long(optarg, 0, 3600000, &interval)) {
				fprintf(stderr, "stuckscope: --interval: expected milliseconds, not "
						"'%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (!cli_parse_long(optarg, 1, 60000, &timeout)) {
				fprintf(stderr, "stuckscope: --timeout: expected milliseconds, not "
						"'%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") == 0)
				json = false;
			else {
				fprintf(stderr, "stuckscope: --format: expected text or json, not "
						"'%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stuckscope: stacks: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (pid < 0) {
		fprintf(stderr, "stuckscope: stacks: --pid PID is required\n");
		usage(stderr);
		return EXIT_USAGE;
	}

	ps_install_signal_handlers();
	char err[PS_ERR_SIZE];
	struct ps_session *ps = ps_open((pid_t)pid, err, sizeof(err));
	if (!ps) {
		fprintf(stderr, "stuckscope: %ld: %s\n", pid, err);
		return EXIT_NOSAMPLE;
	}
	struct stacks_run *r = calloc(1, sizeof(*r));
	if (!r) {
		ps_close(ps);
		fprintf(stderr, "stuckscope: %ld: out of memory\n", pid);
		return EXIT_NOSAMPLE;
	}
	analysis_init(&r->an);
	if (err[0])
		*VEC_PUSH(&r->an.arena, &r->messages) = arena_strdup(&r->an.arena, err);
	r->pid = ps_pid(ps);
	if (ps_python_note(ps)[0])
		r->python = arena_strdup(&r->an.arena, ps_python_note(ps));
	ps_set_timeout_ms(ps, (int)timeout);
	r->live_file = arena_printf(&r->an.arena, "live:%d", r->pid);
	r->proc = incident_process(&r->an.inc, r->pid, true);
	r->proc->src.file = r->live_file;
	read_proc_identity(r);

	struct symbolizer *sym = NULL;
	int rc = EXIT_OK;
	long n_taken = 0, n_exec = 0, n_capped = 0;
	const char *last_err = NULL;	/* why the last sample was dropped */
	uint32_t sym_gen = 0;		/* the program image sym describes */
	for (long n = 0; n < samples; n++) {
		if (n && interval)
			sleep_ms(interval);
		struct ps_sample smp;
		uint64_t t_wall = ps_now_ns();
		int prc = ps_sample(ps, &smp, err, sizeof(err));
		if (prc == PS_SAMPLE_EXEC) {
			/* an execve() ran during this sample: dropped, nothing left
			 * attached; the next sample is taken in the new program */
			n_exec++;
			*VEC_PUSH(&r->an.arena, &r->messages) =
				arena_printf(&r->an.arena, "sample %ld: %s", n + 1, err);
			last_err = arena_strdup(&r->an.arena, err);
			continue;
		}
		if (prc < 0) {
			if (n_taken == 0) {
				fprintf(stderr, "stuckscope: %d: %s\n", r->pid, err);
				rc = EXIT_NOSAMPLE;
				goto done;
			}
			/* later samples failing (the process exited): report what we have */
			*VEC_PUSH(&r->an.arena, &r->messages) =
				arena_printf(&r->an.arena, "sample %ld: %s", n + 1, err);
			break;
		}
		if (sym && smp.image_gen != sym_gen) {
			/* the process exec'd since the last sample: names come from the
			 * new program from here on; the old symbolizer stays open for
			 * the frames already taken */
			if (r->old_syms.n + 1 >= STACKS_MAX_IMAGES) {
				n_capped++;
				continue;
			}
			*VEC_PUSH(&r->an.arena, &r->old_syms) = sym;
			sym = NULL;
			*VEC_PUSH(&r->an.arena, &r->messages) = arena_printf(
				&r->an.arena, "sample %ld: the process exec'd a new program since the "
				"previous sample; frames from here on are of the new one", n + 1);
		}
		if (!sym) {
			sym = sym_open(r->pid, err, sizeof(err));
			if (!sym) {
				/* /proc/PID/maps unreadable now: in the middle of an exec
				 * the process id is a zombie leader with no mm for a while.
				 * This sample's PCs cannot be named: dropped. */
				*VEC_PUSH(&r->an.arena, &r->messages) = arena_printf(
					&r->an.arena, "sample %ld: dropped: %s", n + 1, err);
				last_err = arena_strdup(&r->an.arena, err);
				continue;
			}
			sym_gen = smp.image_gen;
		}
		n_taken++;
		struct sample_timing *tm = VEC_PUSH(&r->an.arena, &r->timing);
		memset(tm, 0, sizeof(*tm));
		tm->sample_no = smp.sample_no;
		tm->at = smp.at;
		tm->threads = smp.n_threads;
		tm->stopped = smp.n_stopped;
		tm->gone = smp.n_gone;
		tm->nostop = smp.n_nostop;
		tm->window_ns = smp.window_ns;
		tm->wait_ns = smp.wait_ns;
		tm->unwind_ns = smp.unwind_ns;
		tm->detach_ns = smp.detach_ns;
		tm->seize_ns = smp.seize_ns;
		tm->group_stopped = smp.group_stopped;
		tm->max_stop_ns = -1;
		tm->python_ns = smp.python_ns;
		if (smp.py_err[0])
			*VEC_PUSH(&r->an.arena, &r->messages) = arena_printf(
				&r->an.arena, "sample %u: Python frames: %s", smp.sample_no, smp.py_err);
		add_sample(r, sym, &smp, tm);
		tm->wall_ns = (int64_t)(ps_now_ns() - t_wall);
		if (smp.group_stopped)
			*VEC_PUSH(&r->an.arena, &r->messages) = arena_printf(
				&r->an.arena, "sample %u: the process was stopped by a job-control "
				"signal meanwhile; it was left stopped", smp.sample_no);
		if (smp.n_nostop)
			*VEC_PUSH(&r->an.arena, &r->messages) = arena_printf(
				&r->an.arena, "sample %u: %zu thread(s) did not stop within %ld ms "
				"(uninterruptible sleep?): procfs only", smp.sample_no, smp.n_nostop,
				timeout);
	}
	if (n_capped)
		*VEC_PUSH(&r->an.arena, &r->messages) = arena_printf(
			&r->an.arena, "%ld sample(s) dropped: the process exec'd more than %d programs "
			"during sampling, each needing its own symbol tables", n_capped,
			STACKS_MAX_IMAGES);
	if (n_taken == 0) {
		/* no sample kept: say why (the last reason), nothing else */
		if (n_exec == samples && last_err)
			fprintf(stderr, "stuckscope: %d: %s; all %ld samples met an execve(), nothing "
				"was left attached\n", r->pid, last_err, n_exec);
		else
			fprintf(stderr, "stuckscope: %d: %s\n", r->pid,
				last_err ? last_err : "no sample could be taken");
		rc = EXIT_NOSAMPLE;
		goto done;
	}
	/* ps stays open until the report is written: the Python frames' strings
	 * belong to it (nothing is attached between samples) */

	r->an.inc.t_first = r->timing.n ? r->timing.v[0].at : NAN;
	r->an.inc.t_last = r->timing.n ? r->timing.v[r->timing.n - 1].at : NAN;
	classify_processes(&r->an);
	size_t ng;
	struct group *g = make_groups(r, &ng);
	const char *const *nodebug = NULL;
	size_t n_nodebug = sym ? sym_modules_without_debuginfo(sym, &nodebug) : 0;
	if (json)
		write_json(stdout, r, g, ng, nodebug, n_nodebug);
	else
		write_text(stdout, r, g, ng, nodebug, n_nodebug);
	if (fflush(stdout) != 0)
		rc = EXIT_NOSAMPLE;
done:
	ps_close(ps);
	sym_close(sym);
	for (size_t i = 0; i < r->old_syms.n; i++)
		sym_close(r->old_syms.v[i]);
	analysis_release(&r->an);
	free(r);
	return rc;
}
