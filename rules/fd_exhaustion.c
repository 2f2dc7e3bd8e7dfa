/* fd_exhaustion.c — a process at its descriptor limit.
 *
 * accept() needs a free descriptor: at RLIMIT_NOFILE it fails with EMFILE
 * (alloc_fd(), fs/file.c) and the connection stays in the accept queue. An
 * event loop that retries at once spins on CPU while the queue fills and
 * overflows; descriptors leaked as CLOSE_WAIT sockets are the usual reason
 * the limit is reached.
 *
 * The system-wide limit is the same failure for every process at once:
 * alloc_empty_file() (fs/file_table.c) refuses a new file once fs.file-max
 * files are open, accept() fails with ENFILE, and the kernel logs "VFS:
 * file-max limit N reached" (again only when the count passes its previous
 * peak, old_max). That kernel log line is read by parse_kernlog.c. */
#include <stdio.h>

#include "rule.h"

static void file_max_reached(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	const struct kernel_event *e;
	uint64_t lines = rule_kernel_events(inc, KEV_FILE_MAX, &e);
	if (!lines)
		return;
	/* a line far from the evidence (when its time is known) is history */
	bool in_window = rule_kernel_event_in_window(inc, e);
	struct finding *f = finding_new(an, self, in_window ? SEV_CRITICAL : SEV_INFO,
					in_window ? 0.7 : 0.3,
					"the system's file table was full: fs.file-max %s reached "
					"(kernel log)",
					e->value >= 0 ? arena_printf(&an->arena, "%lld",
								     (long long)e->value)
						      : "limit");
	if (inc->listeners.n == 1)
		f->listener = inc->listeners.v[0]->name;
	f->since = e->src.at;
	if (e->value >= 0)
		finding_fact_int(an, f, "file_max", e->value);
	finding_fact_int(an, f, "kernel_file_max_lines", (int64_t)lines);
	finding_evidence(an, f, &e->src, NULL);
	finding_detail(an, f,
		       "the kernel logged \"%s\" (%s:%u): every process's next open(), socket() "
		       "or accept() failed with ENFILE, so connections stayed in the accept queue "
		       "whatever each process's own limit",
		       e->text ? e->text : "VFS: file-max limit reached", e->src.file, e->src.line);
	finding_advice(an, f,
		       "Find what holds the files (`cat /proc/sys/fs/file-nr`; open descriptors per "
		       "process from /proc/*/fd), close the leak (CLOSE-WAIT sockets are "
		       "descriptors nobody closed), then raise fs.file-max if the load needs it.");
}

static void run(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	bool any_known = false;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		if (p->fds < 0 || p->fd_limit <= 0)
			continue;
		any_known = true;
		/* at the limit, or within 2 of it (stdin/out/err churn) */
		if (p->fds + 2 < p->fd_limit) {
			analysis_checked(an, "pid %d: %lld of %lld descriptors", p->pid,
					 (long long)p->fds, (long long)p->fd_limit);
			continue;
		}
		int64_t cpu = 0;
		for (size_t k = 0; k < p->threads.n; k++)
			if (p->threads.v[k].cpu_ticks_delta > 0)
				cpu += p->threads.v[k].cpu_ticks_delta;
		struct finding *f = finding_new(an, self, SEV_CRITICAL, 0.9,
						"pid %d at its descriptor limit: %lld of %lld open",
						p->pid, (long long)p->fds, (long long)p->fd_limit);
		finding_pid(an, f, p->pid);
		for (size_t l = 0; l < inc->listeners.n && !f->listener; l++)
			for (size_t k = 0; k < inc->listeners.v[l]->pids.n; k++)
				if (inc->listeners.v[l]->pids.v[k] == p->pid)
					f->listener = inc->listeners.v[l]->name;
		f->since = p->fds_src.at;
		finding_fact_int(an, f, "fds", p->fds);
		finding_fact_int(an, f, "fd_limit", p->fd_limit);
		if (p->fd_sockets >= 0)
			finding_fact_int(an, f, "sockets", p->fd_sockets);
		finding_fact_int(an, f, "close_wait", p->close_wait);
		finding_fact_int(an, f, "cpu_ticks_used", cpu);
		if (p->fds_src.file)
			finding_evidence(an, f, &p->fds_src, NULL);
		if (p->limit_src.file)
			finding_evidence(an, f, &p->limit_src, NULL);
		finding_detail(an, f,
			       "%lld descriptors open (%lld sockets, %u in CLOSE-WAIT) against a soft "
			       "limit of %lld: accept() fails with EMFILE and the connection stays "
			       "queued%s",
			       (long long)p->fds, (long long)p->fd_sockets, p->close_wait,
			       (long long)p->fd_limit,
			       cpu > 0 ? arena_printf(&an->arena, "; the process used %lld CPU ticks "
						      "between samples: an accept loop retrying "
						      "EMFILE", (long long)cpu)
				       : "");
		finding_advice(an, f,
			       "%s Raising the limit (LimitNOFILE=, ulimit -n) buys time only.",
			       p->close_wait ? "Close the leaked connections: the CLOSE-WAIT sockets "
					       "are descriptors the application never closed (an "
					       "error path that skips close())."
					     : "Find what holds the descriptors (ls -l /proc/PID/fd).");
	}
	(void)any_known;
	file_max_reached(an, self);
}

const struct rule rule_fd_exhaustion = {
	.id = "fd-exhaustion",
	.title = "a process at its descriptor limit (EMFILE)",
	.doc = "Compares each process's open descriptors (ls -l /proc/PID/fd, live procfs) with "
	       "its 'Max open files' soft limit (/proc/PID/limits). At the limit accept() fails "
	       "with EMFILE, the connection stays queued, and an event loop that retries spins "
	       "on CPU; leaked CLOSE-WAIT sockets are the usual cause, and then they are "
	       "reported as the cause. The kernel log's \"VFS: file-max limit N reached\" is "
	       "the same failure system-wide (ENFILE for every process).",
	.needs = NEED_SOCKETS | NEED_KERNEL_LOG,
	.run = run,
};
