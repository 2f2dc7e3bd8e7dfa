/* parse_proc_pid.c — per-process /proc files people save: `cat
 * /proc/PID/limits` ("Max open files" soft limit: what EMFILE is measured
 * against, fs/file.c alloc_fd() via rlimit(RLIMIT_NOFILE)), `ls -l
 * /proc/PID/fd` (the open descriptors, and which are sockets), and `cat
 * /proc/PID/status` (Name, Pid, PPid, Threads, FDSize).
 *
 * The pid: from the content when it shows it (status's Pid:, a `grep -H`
 * prefix "/proc/PID/limits:"), else from the file name ("proc-limits-1234.txt"),
 * with an info diagnostic saying so. */
#include <stdio.h>
#include <string.h>

#include "parsers.h"
#include "stack_model.h"
#include "format.h"

static const char *line_text(struct analysis *an, struct span line)
{
	struct span t = span_trim(line);
	return arena_strndup(&an->arena, t.p, t.n < 300 ? t.n : 300);
}

/* "/proc/1234/limits:Max open files ..." -> 1234, and the rest */
static int32_t grep_prefix_pid(struct span *line)
{
	if (!span_starts(*line, "/proc/"))
		return 0;
	struct span s = span_make(line->p + 6, line->n - 6);
	int32_t pid = 0;
	if (!stack_take_i32(&s, &pid))
		return 0;
	const char *colon = memchr(s.p, ':', s.n);
	if (!colon)
		return 0;
	line->n -= (size_t)(colon + 1 - line->p);
	line->p = colon + 1;
	return pid;
}

static int32_t pid_from_name(struct analysis *an, struct input *in)
{
	int32_t pid = stack_pid_from_name(in->display);
	if (pid > 0)
		diag_add(&an->diags, DIAG_NOTE, in->display, 0, -1,
			 "pid %d taken from the file name (the content does not show it)", pid);
	return pid;
}

int proc_limits_parse(struct analysis *an, struct input *in)
{
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	int32_t pid = 0;
	bool seen = false;
	while (textcur_next(&c, &line)) {
		int32_t p = grep_prefix_pid(&line);
		if (p)
			pid = p;
		struct span t = span_trim(line);
		int32_t named[2];
		/* "[root@web1 ~]# cat /proc/1234/limits" pasted above it */
		if (!p && stack_cmdline_pids(t, "cat", named, 2) > 0) {
			pid = named[0];
			continue;
		}
		if (!span_starts(t, "Max open files"))
			continue;
		/* "Max open files            64                   20000                files" */
		struct span rest = span_make(t.p + 14, t.n - 14), soft, hard;
		if (!span_token(&rest, &soft) || !span_token(&rest, &hard))
			return diag_add(&an->diags, DIAG_BAD_LINE, in->display, c.line,
					textcur_offset(&c, &line), "'Max open files' without limits");
		uint64_t v;
		if (!pid)
			pid = pid_from_name(an, in);
		if (!pid)
			return diag_add(&an->diags, DIAG_BAD_LINE, in->display, c.line, -1,
					"no pid in the content or the file name: save it with "
					"`grep -H '' /proc/PID/limits`");
		struct process *proc = incident_process(&an->inc, pid, true);
		if (span_eq(soft, "unlimited"))
			proc->fd_limit = -1;
		else if (span_u64(soft, &v) && v < (uint64_t)INT64_MAX)
			proc->fd_limit = (int64_t)v;
		else
			return diag_add(&an->diags, DIAG_BAD_NUMBER, in->display, c.line, -1,
					"soft limit '%.*s'", (int)(soft.n < 40 ? soft.n : 40), soft.p);
		if (!proc->src.file) {
			proc->src.file = in->display;
			proc->src.line = c.line;
			proc->src.at = in->at;
			proc->src.text = line_text(an, line);
		}
		proc->limit_src.file = in->display;
		proc->limit_src.line = c.line;
		proc->limit_src.at = in->at;
		proc->limit_src.text = line_text(an, line);
		in->records++;
		seen = true;
	}
	if (!seen)
		return diag_add(&an->diags, DIAG_BAD_LINE, in->display, 0, -1,
				"no 'Max open files' line");
	return 0;
}

/* One `ls -l /proc/PID/fd` listing: its pid and what it counted. */
struct fd_listing {
	int32_t pid;
	int64_t fds, sockets;
	uint32_t first_line, last_line;
	bool rows;
};

static void fd_listing_commit(struct analysis *an, struct input *in, struct fd_listing *l,
			      bool *any)
{
	if (!l->rows) {
		memset(l, 0, sizeof(*l));
		return;
	}
	int32_t pid = l->pid;
	if (!pid)
		pid = pid_from_name(an, in);
	if (!pid) {
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, l->first_line, -1,
			 "no pid for the listing of %lld descriptors (not in a \"/proc/PID/fd:\" "
			 "header, the command pasted above it, or the file name)",
			 (long long)l->fds);
		memset(l, 0, sizeof(*l));
		return;
	}
	struct process *proc = incident_process(&an->inc, pid, true);
	/* the latest listing wins */
	if (proc->fds < 0 || !proc->fds_src.file || !(in->at < proc->fds_src.at)) {
		proc->fds = l->fds;
		proc->fd_sockets = l->sockets;
		proc->fds_src.file = in->display;
		proc->fds_src.line = l->last_line;
		proc->fds_src.at = in->at;
		proc->fds_src.text = arena_printf(&an->arena, "%lld descriptors open (%lld sockets)",
						  (long long)l->fds, (long long)l->sockets);
	}
	*any = true;
	memset(l, 0, sizeof(*l));
}

/* `ls -l /proc/PID/fd` as pasted, one or several listings:
 *
 *   [root@web1 ~]# ls -l /proc/1234/fd          the command, naming the pid
 *   total 0                                      each listing's first line
 *   dr-x------ 2 root root  0 Nov 25 09:14 .     ls -la
 *   lrwx------ 1 root root 64 Nov 25 09:14 3 -> 'socket:[12345]'
 *           quoted by coreutils >= 8.25 on a terminal (quotearg's
 *           shell-escape style), bare when piped
 *   lrwx------ 1 root root 64 2026-12-04 17:40:04.552684300 +0000 4 -> socket:[817154]
 *           --time-style=full-iso
 *   /proc/1234/fd:                               `ls -l /proc/1234/fd /proc/1240/fd`
 *   ls: cannot read symbolic link '/proc/1234/fd/7': No such file or directory
 *           closed between readdir and readlink: not counted
 *
 * Each listing counts for its own pid. */
int proc_fd_parse(struct analysis *an, struct input *in)
{
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	struct fd_listing cur;
	memset(&cur, 0, sizeof(cur));
	bool any = false;
	uint64_t rows = 0, vanished = 0;
	while (textcur_next(&c, &line)) {
		if (!input_line_ok(an, in, &c, line))
			continue;
		struct span t = span_trim(line);
		if (!t.n)
			continue;
		int32_t pids[4];
		if (span_starts(t, "/proc/") && t.p[t.n - 1] == ':') {
			/* "ls -l /proc/1234/fd /proc/1240/fd": a header per directory */
			fd_listing_commit(an, in, &cur, &any);
			struct span s = span_make(t.p + 6, t.n - 6);
			stack_take_i32(&s, &cur.pid);
			continue;
		}
		if (stack_cmdline_pids(t, "ls", pids, 4) > 0) {
			fd_listing_commit(an, in, &cur, &any);
			cur.pid = pids[0];
			continue;
		}
		if (span_starts(t, "total ")) {
			/* each listing's first line: after rows, a listing of a pid
			 * not named (the pid named above the first stays with it) */
			if (cur.rows)
				fd_listing_commit(an, in, &cur, &any);
			continue;
		}
		if (span_starts(t, "ls: ")) {
			if (span_contains(t, "cannot read symbolic link"))
				vanished++;
			else
				diag_add(&an->diags, DIAG_NOTE, in->display, c.line, -1, "%.*s",
					 (int)(t.n < 200 ? t.n : 200), t.p);
			continue;
		}
		if (t.p[0] == 'd' && (span_starts(t, "dr-x") || span_starts(t, "dr-xr-xr-x")))
			continue;	/* ls -la: "." and ".." */
		if (t.p[0] != 'l' || !span_contains(t, " -> ")) {
			if (span_contains(t, "$ ") || span_contains(t, "# "))
				continue;	/* a prompt with another command */
			diag_add(&an->diags, DIAG_BAD_LINE, in->display, c.line,
				 textcur_offset(&c, &line), "not an `ls -l /proc/PID/fd` line");
			continue;
		}
		if (!cur.rows)
			cur.first_line = c.line;
		cur.rows = true;
		cur.fds++;
		rows++;
		/* "-> socket:[12345]" or "-> 'socket:[12345]'" */
		const char *arrow = NULL;
		for (size_t i = 0; i + 4 <= t.n && !arrow; i++)
			if (memcmp(t.p + i, " -> ", 4) == 0)
				arrow = t.p + i + 4;
		struct span target = arrow ? span_make(arrow, t.n - (size_t)(arrow - t.p))
					   : span_make(t.p + t.n, 0);
		if (target.n && (target.p[0] == '\'' || target.p[0] == '"'))
			target = span_make(target.p + 1, target.n - 1);
		if (span_starts(target, "socket:["))
			cur.sockets++;
		cur.last_line = c.line;
	}
	fd_listing_commit(an, in, &cur, &any);
	if (vanished)
		diag_add(&an->diags, DIAG_NOTE, in->display, 0, -1,
			 "%llu descriptor(s) closed while ls listed them: not counted",
			 (unsigned long long)vanished);
	if (!rows)
		return -1;
	in->records = rows;
	return any ? 0 : -1;
}

int proc_status_parse(struct analysis *an, struct input *in)
{
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	int32_t pid = 0, ppid = -1;
	const char *name = NULL;
	while (textcur_next(&c, &line)) {
		struct span t = span_trim(line), rest, tok;
		const char *colon = memchr(t.p, ':', t.n);
		if (!colon)
			continue;
		struct span key = span_make(t.p, (size_t)(colon - t.p));
		rest = span_trim(span_make(colon + 1, t.n - key.n - 1));
		if (span_eq(key, "Name"))
			name = arena_strndup(&an->arena, rest.p, rest.n < 64 ? rest.n : 64);
		else if (span_eq(key, "Tgid") && span_token(&rest, &tok))
			stack_take_i32(&tok, &pid);
		else if (span_eq(key, "PPid") && span_token(&rest, &tok))
			stack_take_i32(&tok, &ppid);
		in->records++;
	}
	if (!pid)
		return diag_add(&an->diags, DIAG_BAD_LINE, in->display, 0, -1, "no Tgid: line");
	struct process *p = incident_process(&an->inc, pid, true);
	if (ppid >= 0)
		p->ppid = ppid;
	if (name && !p->comm)
		p->comm = name;
	return 0;
}

/* cat /proc/PID/limits (its header), or grep -H of it */
static int proc_limits_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if ((span_starts(l->t, "Limit") && span_contains(l->t, "Soft Limit") &&
		     span_contains(l->t, "Hard Limit")) ||
		    span_contains(l->t, "/limits:Max open files") ||
		    span_contains(l->t, "/limits:Limit "))
			return sniff_strong(l);
	}
	return 0;
}

/* ls -l /proc/PID/fd: "lrwx------ 1 u g 64 ... 3 -> socket:[12345]" */
static int proc_fd_sniff(const struct sniff_view *v)
{
	int rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		struct span t = v->lines[i].t;
		if (t.p[0] == 'l' && span_contains(t, " -> ") &&
		    (span_contains(t, "socket:[") || span_contains(t, "/dev/") ||
		     span_contains(t, "pipe:[") || span_contains(t, "anon_inode:")))
			rows++;
	}
	return rows >= 2 ? SNIFF_ROWS_PROC_FD : 0;
}

/* cat /proc/PID/status: "Name:\tpython3", "Tgid:\t123" ... */
static int proc_status_sniff(const struct sniff_view *v)
{
	int rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		struct span t = v->lines[i].t;
		if (span_starts(t, "Name:\t") || span_starts(t, "Tgid:\t") ||
		    span_starts(t, "PPid:\t") || span_starts(t, "FDSize:\t"))
			rows++;
	}
	return rows >= 3 ? SNIFF_ROWS_PROC_STATUS : 0;
}

const struct format format_proc_limits = {
	.name = "proc-limits", .cls = EV_PROCESS, .sniff = proc_limits_sniff,
	.parse = proc_limits_parse,
};

const struct format format_proc_fd = {
	.name = "proc-fd", .cls = EV_PROCESS, .sniff = proc_fd_sniff, .parse = proc_fd_parse,
};

const struct format format_proc_status = {
	.name = "proc-status", .cls = EV_PROCESS, .sniff = proc_status_sniff,
	.parse = proc_status_parse,
};
