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
#include <string.h>

#include "rule.h"

/* The descriptor-table error a tracer saw most often for the process:
 * EMFILE (its own RLIMIT_NOFILE, alloc_fd() in fs/file.c) or ENFILE (the
 * system's fs.file-max, alloc_empty_file() in fs/file_table.c). */
static const struct syscall_failure *fd_error(const struct process *p)
{
	const struct syscall_failure *best = NULL;
	for (size_t i = 0; i < p->syscall_failures.n; i++) {
		const struct syscall_failure *f = &p->syscall_failures.v[i];
		if (!f->error || (strcmp(f->error, "EMFILE") != 0 && strcmp(f->error, "ENFILE") != 0))
			continue;
		if (!best || f->failures > best->failures)
			best = f;
	}
	return best;
}

/* A failure that repeats is a loop; one or two are a burst that passed. */
#define FD_ERROR_LOOP 3

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
	/* CLOSE-WAIT per process is known only from a socket table with owners */
	bool owners_seen = false;
	for (size_t i = 0; i < inc->sock_snaps.n; i++)
		owners_seen = owners_seen || inc->sock_snaps.v[i]->has_owners;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		bool counted = p->fds >= 0 && p->fd_limit > 0;
		/* at the limit, or within 2 of it (stdin/out/err churn) */
		bool at_limit = counted && p->fds + 2 >= p->fd_limit;
		const struct syscall_failure *err = fd_error(p);
		bool looped = err && err->failures >= FD_ERROR_LOOP;
		if (!at_limit && !looped) {
			if (counted)
				analysis_checked(an, "pid %d: %lld of %lld descriptors", p->pid,
						 (long long)p->fds, (long long)p->fd_limit);
			continue;
		}
		bool system = looped && strcmp(err->error, "ENFILE") == 0;
		int64_t cpu = 0;
		for (size_t k = 0; k < p->threads.n; k++)
			if (p->threads.v[k].cpu_ticks_delta > 0)
				cpu += p->threads.v[k].cpu_ticks_delta;
		struct finding *f;
		if (at_limit)
			f = finding_new(an, self, SEV_CRITICAL, looped ? 0.95 : 0.9,
					"pid %d at its descriptor limit: %lld of %lld open", p->pid,
					(long long)p->fds, (long long)p->fd_limit);
		else if (system)
			f = finding_new(an, self, SEV_CRITICAL, 0.85,
					"pid %d: the system's file table is full: %s() failed with "
					"ENFILE %llu times", p->pid, err->syscall,
					(unsigned long long)err->failures);
		else
			f = finding_new(an, self, SEV_CRITICAL, 0.85,
					"pid %d at its descriptor limit: %s() failed with EMFILE "
					"%llu times", p->pid, err->syscall,
					(unsigned long long)err->failures);
		finding_pid(an, f, p->pid);
		for (size_t l = 0; l < inc->listeners.n && !f->listener; l++)
			for (size_t k = 0; k < inc->listeners.v[l]->pids.n; k++)
				if (inc->listeners.v[l]->pids.v[k] == p->pid)
					f->listener = inc->listeners.v[l]->name;
		f->since = at_limit ? p->fds_src.at : err->src.at;
		if (p->fds >= 0)
			finding_fact_int(an, f, "fds", p->fds);
		if (p->fd_limit > 0)
			finding_fact_int(an, f, "fd_limit", p->fd_limit);
		if (p->fd_sockets >= 0)
			finding_fact_int(an, f, "sockets", p->fd_sockets);
		if (owners_seen || at_limit)
			finding_fact_int(an, f, "close_wait", p->close_wait);
		finding_fact_int(an, f, "cpu_ticks_used", cpu);
		if (looped) {
			finding_fact_str(an, f, "failing_call", err->syscall);
			finding_fact_str(an, f, "error", err->error);
			finding_fact_int(an, f, "failures", (int64_t)err->failures);
			finding_fact_bool(an, f, "loop_at_end", err->at_end);
			if (err->tid)
				finding_tid(an, f, err->tid);
		}
		if (p->fds_src.file)
			finding_evidence(an, f, &p->fds_src, NULL);
		if (p->limit_src.file)
			finding_evidence(an, f, &p->limit_src, NULL);
		if (looped)
			finding_evidence(an, f, &err->src, NULL);
		/* strace -c: how many accept() calls failed (the table names no error) */
		for (size_t k = 0; k < p->syscall_failures.n; k++) {
			const struct syscall_failure *sf = &p->syscall_failures.v[k];
			if (!sf->error && sf->failures && sf->src.file &&
			    (strcmp(sf->syscall, "accept") == 0 || strcmp(sf->syscall, "accept4") == 0)) {
				finding_evidence(an, f, &sf->src, "strace -c: %s failed %llu of %llu "
						 "times", sf->syscall, (unsigned long long)sf->failures,
						 (unsigned long long)sf->calls);
				finding_fact_int(an, f, "strace_c_failures", (int64_t)sf->failures);
			}
		}
		char loop[256] = "";
		if (looped)
			snprintf(loop, sizeof(loop), "; a trace shows %s() failing with %s %llu times%s",
				 err->syscall, err->error, (unsigned long long)err->failures,
				 err->at_end ? ", still retrying when it ended: the loop spins on CPU "
					       "without accepting" : "");
		if (at_limit)
			finding_detail(an, f,
				       "%lld descriptors open (%lld sockets, %u in CLOSE-WAIT) against a "
				       "soft limit of %lld: accept() fails with EMFILE and the connection "
				       "stays queued%s%s",
				       (long long)p->fds, (long long)p->fd_sockets, p->close_wait,
				       (long long)p->fd_limit,
				       cpu > 0 ? arena_printf(&an->arena, "; the process used %lld CPU "
							      "ticks between samples: an accept loop "
							      "retrying EMFILE", (long long)cpu)
					       : "", loop);
		else if (system)
			finding_detail(an, f, "ENFILE: the kernel's table of open files (fs.file-max) "
					      "is full, so no process can open a descriptor%s", loop);
		else
			finding_detail(an, f, "EMFILE: the process holds as many descriptors as its "
					      "RLIMIT_NOFILE allows%s%s, so accept() fails and the "
					      "connection stays queued%s",
				       p->fd_limit > 0 ? arena_printf(&an->arena, " (a soft limit of %lld)",
								      (long long)p->fd_limit) : "",
				       owners_seen ? arena_printf(&an->arena, "; %u of its sockets are in "
								   "CLOSE-WAIT", p->close_wait) : "",
				       loop);
		if (system)
			finding_advice(an, f, "Find the process holding most files (ls /proc/*/fd | "
					      "wc -l per pid) and raise fs.file-max only after that.");
		else
			finding_advice(an, f,
				       "%s Raising the limit (LimitNOFILE=, ulimit -n) buys time only.",
				       p->close_wait ? "Close the leaked connections: the CLOSE-WAIT sockets "
						       "are descriptors the application never closed (an "
						       "error path that skips close())."
						     : "Find what holds the descriptors (ls -l /proc/PID/fd).");
	}
	file_max_reached(an, self);
}

const struct rule rule_fd_exhaustion = {
	.id = "fd-exhaustion",
	.title = "a process at its descriptor limit (EMFILE)",
	.doc = "Compares each process's open descriptors (ls -l /proc/PID/fd, live procfs) with "
	       "its 'Max open files' soft limit (/proc/PID/limits), and reads traces (strace) for "
	       "calls failing with EMFILE or ENFILE again and again. At the limit accept() fails "
	       "with EMFILE, the connection stays queued, and an event loop that retries spins "
	       "on CPU; leaked CLOSE-WAIT sockets are the usual cause, and then they are "
	       "reported as the cause. The kernel log's \"VFS: file-max limit N reached\" is "
	       "the same failure system-wide (ENFILE for every process).",
	.needs = NEED_SOCKETS | NEED_KERNEL_LOG,
	.run = run,
};
