/* procfs.c — live readers of /proc for attach (procfs.h).
 *
 * The inode map is what `ss -p` builds (misc/ss.c user_ent_hash_build()):
 * readlink() of every /proc/PID/fd/FD, "socket:[INODE]" names a socket; the
 * same inode in several processes is one socket shared by fork() (the
 * pre-forked workers' listening socket). Processes exit while we look: every
 * ENOENT/ESRCH is "gone", skipped and counted, never an error.
 *
 * Network namespaces: /proc/PID/net/{netstat,snmp} are the counters of
 * PID's namespace (proc_net_ns_ops, fs/proc/proc_net.c: get_proc_task_net()),
 * but /proc/sys/net/ * and a netlink socket belong to the namespace of the
 * task that opens them (net/sysctl_net.c: net_ctl_header_lookup() uses
 * current->nsproxy->net_ns). So sysctls and sock_diag run in a forked child
 * that setns()es into /proc/PID/ns/net; this process never changes namespace. */
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/procstat.h"

/* ---- small readers */

static bool is_gone(int e)
{
	return e == ENOENT || e == ESRCH;
}

int procfs_read_file(const char *path, struct strbuf *b, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[8192];
	size_t total = 0;
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (k == 0)
			break;
		size_t take = (size_t)k;
		if (total + take > max)
			take = max - total;
		strbuf_add(b, buf, take);
		total += take;
		if (total >= max)
			break;
	}
	close(fd);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int procfs_read_stat(pid_t pid, pid_t tid, struct procfs_stat *st)
{
	char path[96];
	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	struct strbuf b = STRBUF_INIT;
	if (procfs_read_file(path, &b, 4096) < 0) {
		int e = errno;
		strbuf_release(&b);
		errno = e;
		return -1;
	}
	struct procstat ps;
	if (procstat_parse(&ps, b.buf, b.len) < 0) {
		strbuf_release(&b);
		errno = EINVAL;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->pid = ps.pid;
	st->ppid = ps.ppid;
	st->state = ps.state;
	size_t n = ps.comm_len < sizeof(st->comm) ? ps.comm_len : sizeof(st->comm) - 1;
	memcpy(st->comm, ps.comm, n);
	st->comm[n] = '\0';
	st->utime = (uint64_t)ps.utime;
	st->stime = (uint64_t)ps.stime;
	strbuf_release(&b);	/* ps.comm pointed into it */
	return 0;
}

int64_t procfs_count_fds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int64_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int64_t procfs_fd_limit(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	struct strbuf b = STRBUF_INIT;
	int64_t v = -1;
	if (procfs_read_file(path, &b, 16384) == 0) {
		/* proc_pid_limits() (fs/proc/base.c): "%-25s %-20s %-20s %-10s" */
		char *l = strstr(b.buf, "Max open files");
		if (l) {
			char *p = l + strlen("Max open files");
			while (*p == ' ')
				p++;
			if (isdigit((unsigned char)*p))
				v = strtoll(p, NULL, 10);
		}
	}
	strbuf_release(&b);
	return v;
}

int procfs_same_netns(pid_t pid)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat("/proc/self/ns/net", &a) != 0 || stat(path, &b) != 0)
		return -1;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* ---- inode map */

static void sockmap_add_comm(struct procfs_sockmap *m, int32_t pid)
{
	if (m->n_comms == m->cap_comms) {
		size_t cap = m->cap_comms ? m->cap_comms * 2 : 64;
		struct procfs_comm *v = realloc(m->comms, cap * sizeof(*v));
		if (!v) {
			m->truncated = true;
			return;
		}
		m->comms = v;
		m->cap_comms = cap;
	}
	struct procfs_comm *c = &m->comms[m->n_comms];
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	struct strbuf b = STRBUF_INIT;
	c->pid = pid;
	c->comm[0] = '\0';
	if (procfs_read_file(path, &b, sizeof(c->comm) - 1) == 0) {
		size_t n = b.len;
		while (n && b.buf[n - 1] == '\n')
			n--;
		memcpy(c->comm, b.buf, n);
		c->comm[n] = '\0';
	}
	strbuf_release(&b);
	m->n_comms++;
}

static void sockmap_scan_pid(struct procfs_sockmap *m, int32_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d) {
		if (is_gone(errno))
			m->procs_gone++;
		return;	/* EACCES without privileges: not ours to see */
	}
	m->procs_scanned++;
	bool any = false;
	uint32_t fds = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		if (++fds > PROCFS_MAX_FDS_PER_PROC) {
			m->truncated = true;
			break;
		}
		char target[128];
		ssize_t k = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		if (k < 0)
			continue;	/* closed meanwhile */
		target[k] = '\0';
		if (strncmp(target, "socket:[", 8) != 0)
			continue;
		uint64_t ino = strtoull(target + 8, NULL, 10);
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 256;
			struct procfs_fdref *v = realloc(m->v, cap * sizeof(*v));
			if (!v) {
				m->truncated = true;
				break;
			}
			m->v = v;
			m->cap = cap;
		}
		m->v[m->n].inode = ino;
		m->v[m->n].pid = pid;
		m->v[m->n].fd = (int32_t)strtol(e->d_name, NULL, 10);
		m->n++;
		any = true;
	}
	closedir(d);
	if (any)
		sockmap_add_comm(m, pid);
}

static int cmp_fdref(const void *a, const void *b)
{
	const struct procfs_fdref *x = a, *y = b;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

int procfs_sockmap_scan(struct procfs_sockmap *m, const int32_t *pids, size_t n_pids, char *err,
			size_t errsz)
{
	if (pids) {
		for (size_t i = 0; i < n_pids; i++)
			sockmap_scan_pid(m, pids[i]);
	} else {
		DIR *d = opendir("/proc");
		if (!d) {
			snprintf(err, errsz, "/proc: %s", strerror(errno));
			return -1;
		}
		struct dirent *e;
		uint32_t procs = 0;
		while ((e = readdir(d)) != NULL) {
			if (!all_digits(e->d_name))
				continue;
			if (++procs > PROCFS_MAX_PROCS) {
				m->truncated = true;
				break;
			}
			sockmap_scan_pid(m, (int32_t)strtol(e->d_name, NULL, 10));
		}
		closedir(d);
	}
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(m->v[0]), cmp_fdref);
	return 0;
}

const struct procfs_fdref *procfs_sockmap_find(const struct procfs_sockmap *m, uint64_t inode,
					       size_t *count)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < m->n && m->v[k].inode == inode)
		k++;
	*count = k - lo;
	return k > lo ? &m->v[lo] : NULL;
}

const char *procfs_sockmap_comm(const struct procfs_sockmap *m, int32_t pid)
{
	for (size_t i = 0; i < m->n_comms; i++)
		if (m->comms[i].pid == pid)
			return m->comms[i].comm;
	return "";
}

void procfs_sockmap_release(struct procfs_sockmap *m)
{
	free(m->v);
	free(m->comms);
	memset(m, 0, sizeof(*m));
}

/* ---- grep -H '' dumps */

/* Append "PATH:LINE\n" for every line of the file, as grep -H '' does. */
static int grep_h(const char *path, struct strbuf *out)
{
	struct strbuf b = STRBUF_INIT;
	if (procfs_read_file(path, &b, 1 << 16) < 0) {
		int e = errno;
		strbuf_release(&b);
		errno = e;
		return -1;
	}
	const char *p = b.buf, *end = b.buf + b.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		strbuf_addf(out, "%s:%.*s\n", path, (int)n, p);
		p += n + 1;
	}
	strbuf_release(&b);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int procfs_task_dump(pid_t pid, struct strbuf *out)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;	/* gone */
	int *tids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			int *v = realloc(tids, cap * sizeof(int));
			if (!v)
				break;
			tids = v;
		}
		tids[n++] = (int)strtol(e->d_name, NULL, 10);
		if (n >= 100000)
			break;
	}
	closedir(d);
	if (n > 1)
		qsort(tids, n, sizeof(int), cmp_int);
	/* grep's order for a glob per file name: all stat, all syscall, ... */
	static const char *const task_files[] = { "stat", "syscall", "wchan", "comm" };
	int written = 0;
	for (size_t f = 0; f < sizeof(task_files) / sizeof(task_files[0]); f++)
		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, tids[i],
				 task_files[f]);
			if (grep_h(path, out) == 0 && f == 0)
				written++;
			/* a thread gone meanwhile, or syscall unreadable without
			 * ptrace rights: grep would say so on stderr; skip */
		}
	free(tids);
	/* then the process's own files: parse_proc_task.c takes the ppid and the
	 * name from /proc/PID/stat and /proc/PID/comm (after the task lines, which
	 * are what sniff.c recognises within its first lines) */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (grep_h(path, out) < 0 && !written)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	grep_h(path, out);
	return written;
}

int procfs_fd_listing(pid_t pid, struct strbuf *out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	/* the directory header names the pid (parse_proc_pid.c reads it) */
	strbuf_addf(out, "/proc/%d/fd:\n", (int)pid);
	int *fds = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!all_digits(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			int *v = realloc(fds, cap * sizeof(int));
			if (!v)
				break;
			fds = v;
		}
		fds[n++] = (int)strtol(e->d_name, NULL, 10);
		if (n >= PROCFS_MAX_FDS_PER_PROC)
			break;
	}
	if (n > 1)
		qsort(fds, n, sizeof(int), cmp_int);
	strbuf_addf(out, "total 0\n");
	int written = 0;
	for (size_t i = 0; i < n; i++) {
		char name[16], target[256];
		snprintf(name, sizeof(name), "%d", fds[i]);
		ssize_t k = readlinkat(dirfd(d), name, target, sizeof(target) - 1);
		if (k < 0)
			continue;	/* closed meanwhile */
		target[k] = '\0';
		struct stat st;
		char perm[11] = "lrwx------";
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			/* proc_fd_link mode: r for O_RDONLY/O_RDWR, w for O_WRONLY/O_RDWR */
			perm[1] = st.st_mode & S_IRUSR ? 'r' : '-';
			perm[2] = st.st_mode & S_IWUSR ? 'w' : '-';
			perm[3] = st.st_mode & S_IXUSR ? 'x' : '-';
		}
		/* `ls -l` layout; owner, size and date carry nothing here */
		strbuf_addf(out, "%s 1 %u %u 64 Jan  1 00:00 %d -> %s\n", perm,
			      (unsigned)st.st_uid, (unsigned)st.st_gid, fds[i], target);
		written++;
	}
	closedir(d);
	free(fds);
	return written;
}

/* ---- network namespace helpers */

int procfs_netns_sysctls(void *arg, struct strbuf *out, char *err, size_t errsz)
{
	(void)arg;
	(void)err;
	(void)errsz;
	static const char *const names[] = {
		"net/core/somaxconn", "net/ipv4/tcp_max_syn_backlog", "net/ipv4/tcp_syncookies",
		"net/ipv4/tcp_abort_on_overflow", "net/ipv4/tcp_syn_retries",
		"net/ipv4/tcp_synack_retries", "net/ipv4/tcp_syn_linear_timeouts",
		"net/ipv4/tcp_fin_timeout", "net/ipv4/tcp_tw_reuse", "net/ipv4/ip_local_port_range",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128], name[128];
		snprintf(path, sizeof(path), "/proc/sys/%s", names[i]);
		struct strbuf b = STRBUF_INIT;
		if (procfs_read_file(path, &b, 256) == 0 && b.len) {
			size_t n = b.len;
			while (n && (b.buf[n - 1] == '\n' || b.buf[n - 1] == ' '))
				n--;
			/* sysctl(8) prints tabs inside values as they are; keep one line */
			for (size_t k = 0; k < n; k++)
				if (b.buf[k] == '\n' || b.buf[k] == '\t')
					b.buf[k] = ' ';
			snprintf(name, sizeof(name), "%s", names[i]);
			for (char *p = name; *p; p++)
				if (*p == '/')
					*p = '.';
			strbuf_addf(out, "%s = %.*s\n", name, (int)n, b.buf);
		}
		strbuf_release(&b);
	}
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int netns_run(pid_t pid, netns_fn fn, void *arg, struct strbuf *out, int timeout_ms, char *err,
	      size_t errsz)
{
	err[0] = '\0';
	if (pid <= 0 || procfs_same_netns(pid) == 1)
		return fn(arg, out, err, errsz);

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* two pipes: the data, and the status line (rc + message) */
	int data[2], status[2];
	if (pipe2(data, O_CLOEXEC) != 0) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		close(nsfd);
		return -1;
	}
	if (pipe2(status, O_CLOEXEC) != 0) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		close(nsfd);
		close(data[0]);
		close(data[1]);
		return -1;
	}
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		close(nsfd);
		close(data[0]);
		close(data[1]);
		close(status[0]);
		close(status[1]);
		return -1;
	}
	if (child == 0) {
		close(data[0]);
		close(status[0]);
		signal(SIGINT, SIG_IGN);	/* the parent decides when to stop */
		char msg[512] = "";
		int rc;
		struct strbuf b = STRBUF_INIT;
		if (setns(nsfd, CLONE_NEWNET) != 0) {
			snprintf(msg, sizeof(msg), "setns %s: %s", path, strerror(errno));
			rc = -1;
		} else {
			rc = fn(arg, &b, msg, sizeof(msg));
		}
		if (b.len)
			write_all(data[1], b.buf, b.len);
		char line[600];
		int k = snprintf(line, sizeof(line), "%d %s", rc, msg);
		write_all(status[1], line, (size_t)(k < (int)sizeof(line) ? k : (int)sizeof(line) - 1));
		_exit(rc == 0 ? 0 : 1);
	}
	close(nsfd);
	close(data[1]);
	close(status[1]);
	double deadline = now_mono() + timeout_ms / 1000.0;
	struct strbuf st = STRBUF_INIT;
	bool data_open = true, status_open = true, timed_out = false;
	char buf[16384];
	while (data_open || status_open) {
		struct pollfd pf[2] = { { data_open ? data[0] : -1, POLLIN, 0 },
					{ status_open ? status[0] : -1, POLLIN, 0 } };
		int left = (int)((deadline - now_mono()) * 1000);
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(pf, 2, left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t k = read(pf[i].fd, buf, sizeof(buf));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				if (i == 0)
					data_open = false;
				else
					status_open = false;
				continue;
			}
			strbuf_add(i == 0 ? out : &st, buf, (size_t)k);
		}
	}
	close(data[0]);
	close(status[0]);
	if (timed_out)
		kill(child, SIGKILL);	/* our own child, by its pid */
	int ws;
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	int rc = -1;
	if (timed_out) {
		snprintf(err, errsz, "no answer within %d ms in the namespace of pid %d", timeout_ms,
			 (int)pid);
	} else if (st.len) {
		char *sp = strchr(st.buf, ' ');
		rc = atoi(st.buf) == 0 ? 0 : -1;
		snprintf(err, errsz, "%s", sp ? sp + 1 : "");
	} else {
		snprintf(err, errsz, "helper in the namespace of pid %d died (status 0x%x)",
			 (int)pid, ws);
	}
	strbuf_release(&st);
	return rc;
}
