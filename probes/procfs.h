/* procfs.h — what live attach reads from /proc: which process holds which
 * socket (the inode map `ss -p` builds), process and thread state in the
 * text formats the offline parsers read, counters and sysctls of a target's
 * network namespace. Every reader tolerates the process exiting mid-read
 * (ENOENT/ESRCH are "gone", not errors) and is bounded. Nothing here writes
 * to a target. */
#ifndef STUCKSCOPE_PROCFS_H
#define STUCKSCOPE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/strbuf.h"

/* Bounds of one scan of /proc/ * /fd. */
#define PROCFS_MAX_PROCS 65536
#define PROCFS_MAX_FDS_PER_PROC 262144

/* One descriptor that is a socket: "socket:[INODE]" in /proc/PID/fd/FD. */
struct procfs_fdref {
	uint64_t inode;
	int32_t pid, fd;
};

struct procfs_comm {
	int32_t pid;
	char comm[64];		/* /proc/PID/comm, raw bytes, NUL-terminated */
};

/* inode -> owners, sorted by (inode, pid, fd) once the scan is done. */
struct procfs_sockmap {
	struct procfs_fdref *v;
	size_t n, cap;
	struct procfs_comm *comms;
	size_t n_comms, cap_comms;
	uint32_t procs_scanned, procs_gone;	/* gone: exited while we looked */
	bool truncated;		/* a bound was hit */
};

/* Scan the fd tables of `pids` (all of /proc when pids == NULL) for
 * sockets. Processes that exit meanwhile are skipped. Returns 0, or -1 when
 * /proc itself cannot be read (err says why). */
int procfs_sockmap_scan(struct procfs_sockmap *m, const int32_t *pids, size_t n_pids, char *err,
			size_t errsz);
/* The owners of a socket inode: *count entries from the returned one. */
const struct procfs_fdref *procfs_sockmap_find(const struct procfs_sockmap *m, uint64_t inode,
					       size_t *count);
const char *procfs_sockmap_comm(const struct procfs_sockmap *m, int32_t pid);
void procfs_sockmap_release(struct procfs_sockmap *m);

/* /proc/PID/stat: ppid, state and comm (the part between the first '(' and
 * the last ')', cut to 63 bytes), read by procstat_parse() (base/procstat.h).
 * Returns 0, -1 with errno (ENOENT/ESRCH: the process is gone; EINVAL: not
 * a stat line). */
struct procfs_stat {
	int32_t pid, ppid;
	char state;
	char comm[64];
	uint64_t utime, stime;
};
int procfs_read_stat(pid_t pid, pid_t tid, struct procfs_stat *st);

/* Number of open descriptors (entries of /proc/PID/fd), -1 with errno. */
int64_t procfs_count_fds(pid_t pid);
/* Soft "Max open files" from /proc/PID/limits, -1 unknown ("unlimited" too). */
int64_t procfs_fd_limit(pid_t pid);

/* The whole content of a (proc) file into b; 0 or -1 with errno. Bounded. */
int procfs_read_file(const char *path, struct strbuf *b, size_t max);

/* `grep -H '' /proc/PID/task/ * /{stat,syscall,wchan,comm} /proc/PID/{stat,comm}`
 * as parse_proc_task.c reads it. Threads that exit meanwhile are skipped.
 * Returns the number of threads written, -1 with errno when the process is
 * gone or unreadable. */
int procfs_task_dump(pid_t pid, struct strbuf *out);

/* `ls -l /proc/PID/fd` (after a "/proc/PID/fd:" header line), as
 * parse_proc_pid.c reads it; the number of descriptors listed, -1 gone. */
int procfs_fd_listing(pid_t pid, struct strbuf *out);

/* Same network namespace as ours? 1 yes, 0 no, -1 unknown (errno). */
int procfs_same_netns(pid_t pid);

/* Run fn in the network namespace of `pid` (ours when pid <= 0 or the same)
 * and collect what it writes to `out`. A different namespace is entered in a
 * forked child (setns(CLONE_NEWNET) on /proc/PID/ns/net) so that this
 * process never leaves its own; the child's output comes back over a pipe.
 * fn returns 0 or -1 and says why in err. Bounded by timeout_ms (the child is
 * killed past it). */
typedef int (*netns_fn)(void *arg, struct strbuf *out, char *err, size_t errsz);
int netns_run(pid_t pid, netns_fn fn, void *arg, struct strbuf *out, int timeout_ms, char *err,
	      size_t errsz);

/* Sysctls of the current network namespace that the rules read, as
 * `sysctl -a` lines ("net.core.somaxconn = 4096"); a netns_fn. Missing ones
 * (tcp_syn_linear_timeouts on older kernels) are left out. */
int procfs_netns_sysctls(void *arg, struct strbuf *out, char *err, size_t errsz);

#endif
