/* parse_proc_task.c — per-thread procfs files saved with
 *   grep -H '' /proc/PID/task/TID/{stat,syscall,wchan,comm}
 * with TID the shell glob '*' (each line "PATH:CONTENT"), and a plain `cat`
 * of one stat file.
 *
 *   /proc/1234/task/1235/stat:1235 (python3) S 1 1234 ... 14:utime 15:stime ...
 *       do_task_stat() (fs/proc/array.c): "%d (%s) %c" with the raw comm,
 *       which may hold blanks and ')': it runs to the LAST ')' of the line.
 *       Fields are numbered from 1 as in proc(5): utime 14, stime 15 (ticks).
 *   /proc/1234/task/1235/syscall:202 0x7f.. 0x80 0x0 0x0 0x0 0x0 0x7ffd.. 0x7f..
 *       proc_pid_syscall() (fs/proc/base.c): nr and six arguments, then sp
 *       and pc; "-1 sp pc" blocked outside a syscall; "running".
 *   /proc/1234/task/1235/wchan:futex_wait_queue
 *       proc_pid_wchan(): the symbol, or "0" when there is none.
 *   /proc/1234/task/1235/comm:python3
 *
 * /proc/PID/{stat,comm} (no task/) describe the process: they name it and
 * give its parent. Lines grep printed about threads that exited meanwhile
 * ("grep: /proc/..: No such file or directory") are noted. Every thread of
 * the file becomes one sample at the file's time (stack_model.h), which
 * merges with a stack dump of the same moment. */
#include <string.h>

#include "base/procstat.h"
#include "parsers.h"
#include "stack_model.h"
#include "format.h"

struct task_rec {
	int32_t pid, tid;
	uint32_t line;		/* first line about it */
	const char *text;
	const char *comm;
	char state;
	int64_t utime, stime;
	int64_t syscall_nr;
	uint64_t args[6];
	const char *wchan;
	int32_t ppid;		/* stat field 4: the thread group's parent, -1 unknown */
};

struct task_reader {
	struct analysis *an;
	struct input *in;
	VEC(struct task_rec) recs;
	size_t hint;		/* where to look first */
};

static struct task_rec *task_get(struct task_reader *r, int32_t pid, int32_t tid, uint32_t line,
				 struct span text)
{
	/* grep prints the tasks in the same order for each file name
	 * (stat of all, then syscall of all, ...): search on from the last hit */
	for (size_t k = 0; k < r->recs.n; k++) {
		size_t i = (r->hint + k) % r->recs.n;
		if (r->recs.v[i].pid == pid && r->recs.v[i].tid == tid) {
			r->hint = i + 1;
			return &r->recs.v[i];
		}
	}
	r->hint = r->recs.n + 1;
	struct task_rec *t = VEC_PUSH(&r->an->arena, &r->recs);
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->line = line;
	t->text = stack_span_dup(r->an, text);
	t->utime = t->stime = -1;
	t->syscall_nr = -2;
	t->ppid = -1;
	return t;
}

static int bad(struct task_reader *r, uint32_t line, const char *what, struct span s)
{
	return diag_add(&r->an->diags, DIAG_BAD_LINE, r->in->display, line, -1, "%s '%.*s'", what,
			(int)(s.n < 80 ? s.n : 80), s.p);
}

/* "1235 (py thon)) S 1 ..." (base/procstat.h); *tid gets field 1. A task's
 * line must reach field 15 (stime); the process's own, field 4 (ppid). */
static int task_stat(struct task_reader *r, struct task_rec *t, struct span s, uint32_t line,
		     int32_t *tid, const char **comm)
{
	struct procstat ps;
	int rc = procstat_parse(&ps, s.p, s.n);
	if (ps.comm) {
		if (tid)
			*tid = ps.pid;
		if (comm)
			*comm = stack_span_dup(r->an, span_make(ps.comm, ps.comm_len));
	}
	if (t) {
		if (ps.state)
			t->state = ps.state;
		if (ps.ppid >= 0)
			t->ppid = ps.ppid;
		if (ps.utime >= 0)
			t->utime = ps.utime;
		if (ps.stime >= 0)
			t->stime = ps.stime;
	} else if (ps.ppid >= 0) {
		incident_process(&r->an->inc, ps.pid, true)->ppid = ps.ppid;
	}
	if (rc == 0 || ps.err_field > (t ? 15 : 4))
		return 0;
	if (ps.error == PROCSTAT_BAD_FORMAT)
		return diag_add(&r->an->diags, DIAG_BAD_LINE, r->in->display, line, -1,
				"stat: %s in '%.*s'", ps.err, (int)(s.n < 80 ? s.n : 80), s.p);
	return diag_add(&r->an->diags,
			ps.error == PROCSTAT_TRUNCATED ? DIAG_TRUNCATED : DIAG_BAD_NUMBER,
			r->in->display, line, -1, "stat: %s", ps.err);
}

static int task_syscall(struct task_reader *r, struct task_rec *t, struct span s, uint32_t line)
{
	if (span_eq(s, "running")) {
		t->syscall_nr = -1;
		return 0;
	}
	struct span rest = s, tok;
	int64_t nr;
	if (!span_token(&rest, &tok) || !span_i64(tok, &nr))
		return bad(r, line, "syscall: number", s);
	if (nr < 0) {
		t->syscall_nr = -1;	/* "-1 sp pc": blocked, not in a syscall */
		return 0;
	}
	for (int i = 0; i < 6; i++)
		if (!span_token(&rest, &tok) || !span_hex_u64(tok, &t->args[i]))
			return bad(r, line, "syscall: argument in", s);
	t->syscall_nr = nr;
	return 0;
}

/* "/proc/1234/task/1235/stat" -> pid, tid (0 for /proc/1234/stat), file name. */
static bool task_path(struct span *s, int32_t *pid, int32_t *tid, struct span *file)
{
	if (!span_starts(*s, "/proc/"))
		return false;
	struct span d = span_make(s->p + 6, s->n - 6);
	if (!stack_take_i32(&d, pid) || !span_starts(d, "/"))
		return false;
	d = span_make(d.p + 1, d.n - 1);
	*tid = 0;
	if (span_starts(d, "task/")) {
		d = span_make(d.p + 5, d.n - 5);
		if (!stack_take_i32(&d, tid) || !span_starts(d, "/"))
			return false;
		d = span_make(d.p + 1, d.n - 1);
	}
	static const char *const names[] = { "stat:", "syscall:", "wchan:", "comm:" };
	for (size_t i = 0; i < 4; i++)
		if (span_starts(d, names[i])) {
			size_t n = strlen(names[i]);
			*file = span_make(d.p, n - 1);
			*s = span_make(d.p + n, d.n - n);
			return true;
		}
	/* another file (status, stack, ...): name it, content skipped */
	size_t i = 0;
	while (i < d.n && d.p[i] != ':')
		i++;
	*file = span_make(d.p, i);
	*s = span_make(d.p + (i < d.n ? i + 1 : i), d.n - (i < d.n ? i + 1 : i));
	return true;
}

static void task_line(struct task_reader *r, struct span line, uint32_t lineno, uint64_t *other)
{
	struct span t = span_trim(line), content = t, file;
	int32_t pid, tid;
	if (span_starts(t, "grep: ")) {
		diag_add(&r->an->diags, DIAG_NOTE, r->in->display, lineno, -1, "%.*s",
			 (int)(t.n < 200 ? t.n : 200), t.p);
		return;
	}
	if (!task_path(&content, &pid, &tid, &file)) {
		/* `cat /proc/PID/task/TID/stat`: "1235 (comm) S ..." */
		const char *comm = NULL;
		int32_t id;
		struct span d = t;
		if (stack_take_i32(&d, &id) && span_starts(d, " (")) {
			struct task_rec *rec = task_get(r, 0, id, lineno, t);
			task_stat(r, rec, t, lineno, NULL, &comm);
			if (comm && !rec->comm)
				rec->comm = comm;
			return;
		}
		bad(r, lineno, "not a /proc/PID/task/TID/FILE:CONTENT line:", t);
		return;
	}
	content = span_trim(content);
	if (tid == 0) {
		/* the process's own files */
		struct process *p = incident_process(&r->an->inc, pid, true);
		if (span_eq(file, "comm"))
			p->comm = stack_span_dup(r->an, content);
		else if (span_eq(file, "stat")) {
			const char *comm = NULL;
			task_stat(r, NULL, content, lineno, NULL, &comm);
			if (comm && !p->comm)
				p->comm = comm;
		} else
			++*other;
		return;
	}
	struct task_rec *rec = task_get(r, pid, tid, lineno, t);
	if (span_eq(file, "stat")) {
		int32_t id = 0;
		const char *comm = NULL;
		task_stat(r, rec, content, lineno, &id, &comm);
		if (id && id != tid)
			diag_add(&r->an->diags, DIAG_BAD_LINE, r->in->display, lineno, -1,
				 "stat of task %d names task %d", (int)tid, (int)id);
		if (comm && !rec->comm)
			rec->comm = comm;
	} else if (span_eq(file, "syscall")) {
		task_syscall(r, rec, content, lineno);
	} else if (span_eq(file, "wchan")) {
		if (content.n && !span_eq(content, "0"))
			rec->wchan = stack_span_dup(r->an, content);
	} else if (span_eq(file, "comm")) {
		rec->comm = stack_span_dup(r->an, content);	/* whole, unlike stat's */
	} else {
		++*other;
	}
}

int proc_task_parse(struct analysis *an, struct input *in)
{
	struct task_reader r;
	memset(&r, 0, sizeof(r));
	r.an = an;
	r.in = in;
	struct textcur c;
	struct span line;
	uint64_t other = 0;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (c.has_nul) {
			diag_add(&an->diags, DIAG_BINARY, in->display, c.line, textcur_offset(&c, &line),
				 "NUL byte in a text line");
			continue;
		}
		if (span_trim(line).n == 0)
			continue;
		task_line(&r, line, c.line, &other);
	}
	if (other)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, 0, -1,
			 "%llu line(s) of other /proc files", (unsigned long long)other);
	for (size_t i = 0; i < r.recs.n; i++) {
		struct task_rec *t = &r.recs.v[i];
		int32_t pid = t->pid;
		if (!pid) {
			/* a bare stat names only its task; a thread group's
			 * first task has the tgid as its id */
			pid = t->tid;
			diag_add(&an->diags, DIAG_NOTE, in->display, t->line, -1,
				 "no /proc/PID path: task %d taken as its own process", (int)t->tid);
		}
		struct provenance src = {
			.file = in->display, .line = t->line, .at = in->at, .text = t->text,
		};
		struct stack_sample *s = stack_sample_for(an, pid, t->tid, t->comm, &src, SAMPLE_PROC);
		s->state = t->state;
		s->utime = t->utime;
		s->stime = t->stime;
		s->syscall_nr = t->syscall_nr;
		memcpy(s->syscall_args, t->args, sizeof(s->syscall_args));
		s->wchan = t->wchan;
		if (t->ppid >= 0) {
			/* every task of a thread group reports the group's parent */
			struct process *proc = incident_process(&an->inc, pid, false);
			if (proc && proc->ppid < 0)
				proc->ppid = t->ppid;
		}
		in->records++;
	}
	if (!r.recs.n)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no /proc/PID/task/TID line found");
	return 0;
}

/* grep -H . /proc/PID/task/TID/{stat,syscall,wchan,comm} for every TID */
static int proc_task_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "/proc/") && span_contains(l->t, "/task/") &&
		    (span_contains(l->t, "/stat:") || span_contains(l->t, "/syscall:") ||
		     span_contains(l->t, "/wchan:") || span_contains(l->t, "/comm:")))
			return sniff_strong(l);
	}
	return 0;
}

const struct format format_proc_task = {
	.name = "proc-task", .cls = EV_STACKS, .sniff = proc_task_sniff, .parse = proc_task_parse,
};
