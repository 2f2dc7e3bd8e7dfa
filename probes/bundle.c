/* bundle.c — discovery and collection for `stuckscope attach` (bundle.h).
 *
 * Discovery: the listening sockets of --port (sock_diag, in the target's
 * network namespace) or of the processes named by --pid (their fd tables),
 * every LISTEN socket on those ports (an SO_REUSEPORT group has one per
 * worker), every process holding one of them (one scan of /proc/ * /fd: the
 * pre-forked workers share the inode), and the workers' parent.
 *
 * Each snapshot writes, each file starting with its UTC time:
 *   ss-NN.txt                  `ss -tanpie`-like (sockdiag.c), the target ports
 *                              and every socket a target holds
 *   proc-net-netstat-NN.txt    copies of /proc/PID/net/{netstat,snmp}: the
 *   proc-net-snmp-NN.txt       counters of the target's namespace
 *   proc-task-PID-NN.txt       `grep -H ''` of every thread's stat/syscall/wchan/comm
 *   proc-status-PID-NN.txt     /proc/PID/status
 *   proc-fd-PID-NN.txt         `ls -l /proc/PID/fd`
 *   stacks-PID-NN.txt          the ptrace sampler's pcs, eu-stack layout (when built in)
 * once: sysctl.txt (the namespace's sysctls), proc-limits-PID.txt; and with
 * --capture, capture.pcap (libpcap on "any" inside the namespace, snaplen 200,
 * bounded). Reading /proc and sock_diag never stops or signals the target;
 * the only intrusive step is the sampler's (PTRACE_SEIZE + INTERRUPT, every
 * thread detached before ps_sample() returns). */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "ptrace_sample.h"
#include "sockdiag.h"
#include "symbolize.h"

/* The sampler is another object of the library; weak, so a build without
 * it still collects everything else (and says so in the manifest). */
#pragma weak ps_open
#pragma weak ps_sample
#pragma weak ps_close
#pragma weak sym_open
#pragma weak sym_lookup
#pragma weak sym_allow_rescan
#pragma weak sym_close

#define CAPTURE_SNAPLEN 200
#define CAPTURE_MAX_BYTES (64u << 20)
#define CAPTURE_BUFFER (4 << 20)
#define NETNS_TIMEOUT_MS 10000

double bundle_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "2026-11-25T18:48:27.627Z" */
static void iso_time(double t, char *buf, size_t size)
{
	time_t sec = (time_t)floor(t);
	unsigned ms = (unsigned)((t - (double)sec) * 1000) % 1000u;
	struct tm tm;
	gmtime_r(&sec, &tm);
	char day[32];
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%.20s.%03uZ", day, ms);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p) {
		fputs("stuckscope: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

void bundle_fail(struct bundle *b, const char *what, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* the same failure at every snapshot is listed once */
	for (size_t i = 0; i < b->n_failed; i++)
		if (strcmp(b->failed[i].what, what) == 0 && strcmp(b->failed[i].why, why) == 0)
			return;
	if (b->n_failed == b->cap_failed) {
		size_t cap = b->cap_failed ? b->cap_failed * 2 : 16;
		struct bundle_failure *v = realloc(b->failed, cap * sizeof(*v));
		if (!v)
			return;
		b->failed = v;
		b->cap_failed = cap;
	}
	b->failed[b->n_failed].what = xstrdup(what);
	b->failed[b->n_failed].why = xstrdup(why);
	b->n_failed++;
	if (b->opt.progress)
		fputc('\n', stderr);
	fprintf(stderr, "stuckscope: attach: %s: %s\n", what, why);
}

static void add_file(struct bundle *b, const char *name, const char *kind, double at)
{
	if (b->n_files == b->cap_files) {
		size_t cap = b->cap_files ? b->cap_files * 2 : 64;
		struct bundle_file *v = realloc(b->files, cap * sizeof(*v));
		if (!v)
			return;
		b->files = v;
		b->cap_files = cap;
	}
	b->files[b->n_files].file = xstrdup(name);
	b->files[b->n_files].at = at;
	b->files[b->n_files].kind = kind;
	b->n_files++;
}

/* The directory a bundle-relative name goes to: the bundle's own, or its
 * one subdirectory ("ring/ss-001.txt"), made 0700 on first use. */
static struct outdir *dir_of(struct bundle *b, const char *name, const char **leaf)
{
	const char *slash = strchr(name, '/');
	*leaf = name;
	if (!slash)
		return &b->out;
	*leaf = slash + 1;
	size_t n = (size_t)(slash - name);
	if (b->sub.fd >= 0 && strlen(b->sub_name) == n && strncmp(b->sub_name, name, n) == 0)
		return &b->sub;
	if (n >= sizeof(b->sub_name))
		return NULL;
	outdir_close(&b->sub);
	snprintf(b->sub_name, sizeof(b->sub_name), "%.*s", (int)n, name);
	char err[512];
	if (outdir_sub(&b->out, b->sub_name, OUTDIR_TRUSTED, &b->sub, err, sizeof(err)) != 0) {
		bundle_fail(b, b->sub_name, "%s", err);
		b->sub_name[0] = '\0';
		return NULL;
	}
	return &b->sub;
}

/* "<UTC time>\n<content>" into DIR/name (a new file, 0600, through the
 * directory's descriptor); recorded in the manifest. */
static int write_evidence(struct bundle *b, const char *name, const char *kind, double at,
			  const struct strbuf *content)
{
	char ts[40];
	const char *leaf;
	struct outdir *d = dir_of(b, name, &leaf);
	FILE *f = d ? outdir_fopen(d, leaf) : NULL;
	if (!f) {
		bundle_fail(b, name, "cannot write: %s", d ? strerror(errno) : "no directory");
		return -1;
	}
	iso_time(at, ts, sizeof(ts));
	fprintf(f, "%s\n", ts);
	if (content->len)
		fwrite(content->buf, 1, content->len, f);
	if (content->len && content->buf[content->len - 1] != '\n')
		fputc('\n', f);
	if (fclose(f) != 0) {
		bundle_fail(b, name, "write: %s", strerror(errno));
		return -1;
	}
	add_file(b, name, kind, at);
	return 0;
}

int bundle_write_evidence(struct bundle *b, const char *name, const char *kind, double at,
			  const struct strbuf *content)
{
	return write_evidence(b, name, kind, at, content);
}

/* ---- init */

int bundle_init(struct bundle *b, const struct bundle_opts *opts, char *err, size_t errsz)
{
	memset(b, 0, sizeof(*b));
	b->opt = *opts;
	b->capture_status_fd = -1;
	b->out.fd = b->sub.fd = -1;
	if (opts->dir) {
		b->dir = xstrdup(opts->dir);
	} else {
		char name[64];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(name, sizeof(name), "stuckscope-%Y%m%d-%H%M%S", &tm);
		b->dir = xstrdup(name);
	}
	size_t len = strlen(b->dir);
	while (len > 1 && b->dir[len - 1] == '/')
		b->dir[--len] = '\0';
	if (opts->use_dirfd) {
		if (outdir_adopt(&b->out, opts->dirfd, b->dir) != 0) {
			snprintf(err, errsz, "%s: %s", b->dir, strerror(errno));
			return -1;
		}
	} else if (opts->dir) {
		/* -o DIR: a new directory, or an empty one we own and others
		 * cannot write (never one another user prepared) */
		if (outdir_open(&b->out, b->dir, OUTDIR_NEW_OR_EMPTY, err, errsz) != 0)
			return -1;
	} else {
		/* the default name in the current directory (often /tmp): a
		 * new directory only; one that exists (planted, or a run in
		 * the same second) is never used: the next free name is */
		int rc = -1;
		for (int k = 2; rc != 0 && k < 100; k++) {
			rc = outdir_open(&b->out, b->dir, OUTDIR_NEW, err, errsz);
			if (rc != 0 && errno == EEXIST) {
				char *next = malloc(len + 8);
				if (!next)
					break;
				snprintf(next, len + 8, "%.*s-%d", (int)len, b->dir, k);
				/* the base name without an earlier suffix */
				free(b->dir);
				b->dir = next;
			} else if (rc != 0) {
				break;
			}
		}
		if (rc != 0)
			return -1;
	}
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(b->kernel, sizeof(b->kernel), "%s", u.release);
	if (gethostname(b->host, sizeof(b->host) - 1) != 0)
		snprintf(b->host, sizeof(b->host), "unknown");
	b->sampler = ps_open && ps_sample && ps_close;
	return 0;
}

/* ---- discovery */

static struct bundle_target *target_find(struct bundle *b, pid_t pid)
{
	for (size_t i = 0; i < b->n_targets; i++)
		if (b->targets[i].pid == pid)
			return &b->targets[i];
	return NULL;
}

static struct bundle_target *target_add(struct bundle *b, pid_t pid, enum bundle_role role)
{
	struct bundle_target *t = target_find(b, pid);
	if (t) {
		if (role == BROLE_WORKER || (role == BROLE_PARENT && t->role == BROLE_OTHER))
			t->role = role;
		return t;
	}
	if (b->n_targets >= BUNDLE_MAX_TARGETS) {
		bundle_fail(b, "discovery", "more than %d processes: pid %d and later ones left out",
			    BUNDLE_MAX_TARGETS, (int)pid);
		return NULL;
	}
	t = &b->targets[b->n_targets++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->ppid = -1;
	t->role = role;
	t->fds = t->fd_limit = t->threads = -1;
	struct procfs_stat st;
	if (procfs_read_stat(pid, 0, &st) == 0) {
		t->ppid = st.ppid;
		snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
	}
	return t;
}

static bool port_wanted(const struct bundle *b, uint16_t port)
{
	for (size_t i = 0; i < b->n_ports; i++)
		if (b->ports[i] == port)
			return true;
	return false;
}

static void port_add(struct bundle *b, uint16_t port)
{
	if (!port_wanted(b, port) && b->n_ports < BUNDLE_MAX_PORTS)
		b->ports[b->n_ports++] = port;
}

/* Every TCP socket of the target namespace (sock_diag in a helper child
 * when the namespace is not ours). */
static int dump_sockets(struct bundle *b, uint32_t states, struct sockdiag_table *t, char *err,
			size_t errsz)
{
	struct strbuf raw = STRBUF_INIT;
	int rc = netns_run(b->netns_pid, sockdiag_netns_dump, &states, &raw, NETNS_TIMEOUT_MS, err,
			   errsz);
	if (rc == 0 && sockdiag_table_deserialize(t, raw.buf, raw.len) != 0) {
		snprintf(err, errsz, "sock_diag: garbled answer from the namespace helper");
		rc = -1;
	}
	strbuf_release(&raw);
	return rc;
}

int bundle_discover(struct bundle *b, char *err, size_t errsz)
{
	/* the namespace: that of the first --pid, else ours */
	for (size_t i = 0; i < b->opt.n_pids; i++) {
		pid_t pid = b->opt.pids[i];
		struct procfs_stat st;
		if (procfs_read_stat(pid, 0, &st) != 0) {
			snprintf(err, errsz, "pid %d: %s", (int)pid,
				 errno == ENOENT ? "no such process" : strerror(errno));
			return -1;
		}
		if (st.state == 'Z') {
			snprintf(err, errsz, "pid %d: is a zombie", (int)pid);
			return -1;
		}
		if (!b->netns_pid) {
			b->netns_pid = pid;
			int same = procfs_same_netns(pid);
			b->netns_foreign = same == 0;
			if (same < 0)
				bundle_fail(b, "discovery", "network namespace of pid %d: %s",
					    (int)pid, strerror(errno));
		} else if (procfs_same_netns(pid) != procfs_same_netns(b->netns_pid)) {
			bundle_fail(b, "discovery", "pid %d is in another network namespace than "
				    "pid %d: its sockets and counters are not collected",
				    (int)pid, (int)b->netns_pid);
		}
		struct bundle_target *t = target_add(b, pid, BROLE_OTHER);
		if (t)
			t->named = true;
	}
	if (!b->netns_foreign)
		b->netns_pid = b->opt.n_pids ? b->netns_pid : 0;
	for (size_t i = 0; i < b->opt.n_ports; i++)
		port_add(b, b->opt.ports[i]);

	struct sockdiag_table lst = { 0 };
	if (dump_sockets(b, SOCKDIAG_LISTEN_ONLY, &lst, err, errsz) != 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errsz, "cannot list listening sockets: %s", why);
		sockdiag_table_release(&lst);
		return -1;
	}
	/* ports of the sockets the named processes listen on */
	if (b->opt.n_pids) {
		struct procfs_sockmap named = { 0 };
		int32_t pids[BUNDLE_MAX_TARGETS];
		for (size_t i = 0; i < b->opt.n_pids; i++)
			pids[i] = b->opt.pids[i];
		procfs_sockmap_scan(&named, pids, b->opt.n_pids, err, errsz);
		for (size_t i = 0; i < lst.n; i++) {
			size_t cnt;
			if (lst.v[i].inode && procfs_sockmap_find(&named, lst.v[i].inode, &cnt))
				port_add(b, lst.v[i].sport);
		}
		procfs_sockmap_release(&named);
	}
	if (!b->n_ports) {
		snprintf(err, errsz, "pid %d listens on no TCP port%s", (int)b->opt.pids[0],
			 b->netns_foreign ? " (in its network namespace)" : "");
		sockdiag_table_release(&lst);
		return -1;
	}
	/* every LISTEN socket on those ports: the listener, or the
	 * SO_REUSEPORT group */
	for (size_t i = 0; i < lst.n && b->n_listeners < BUNDLE_MAX_LISTENERS; i++) {
		const struct sockdiag_sock *s = &lst.v[i];
		if (s->state != TCP_LISTEN || !port_wanted(b, s->sport))
			continue;
		struct bundle_listener *l = &b->listeners[b->n_listeners++];
		l->family = s->family;
		memcpy(l->addr, s->src, 16);
		l->port = s->sport;
		l->inode = s->inode;
		l->backlog = s->wqueue;
	}
	sockdiag_table_release(&lst);
	if (!b->n_listeners) {
		char ports[128] = "";
		for (size_t i = 0; i < b->n_ports; i++)
			snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), "%s%u",
				 i ? "," : "", b->ports[i]);
		if (!b->opt.n_pids) {
			snprintf(err, errsz, "nothing listens on TCP port %s in this network "
				 "namespace (a server in a container or another namespace: "
				 "attach with --pid)", ports);
			return -1;
		}
		bundle_fail(b, "discovery", "nothing listens on TCP port %s", ports);
	}
	/* the workers: every process holding a listener's inode */
	struct procfs_sockmap all = { 0 };
	if (procfs_sockmap_scan(&all, NULL, 0, err, errsz) != 0) {
		bundle_fail(b, "discovery", "%s", err);
	} else {
		if (all.truncated)
			bundle_fail(b, "discovery", "/proc scan hit its bounds: owners may be missing");
		for (size_t i = 0; i < b->n_listeners; i++) {
			size_t cnt = 0;
			const struct procfs_fdref *o =
				procfs_sockmap_find(&all, b->listeners[i].inode, &cnt);
			for (size_t k = 0; k < cnt; k++)
				target_add(b, o[k].pid, BROLE_WORKER);
		}
	}
	procfs_sockmap_release(&all);
	/* the parent tree: a worker's parent that holds the listener too is a
	 * worker already; a parent of two or more workers that closed its copy
	 * (or never had one) is the master */
	size_t n = b->n_targets;
	for (size_t i = 0; i < n; i++) {
		pid_t pp = b->targets[i].ppid;
		if (pp <= 1 || b->targets[i].role != BROLE_WORKER || target_find(b, pp))
			continue;
		size_t children = 0;
		for (size_t k = 0; k < n; k++)
			if (b->targets[k].ppid == pp && b->targets[k].role == BROLE_WORKER)
				children++;
		if (children >= 2)
			target_add(b, pp, BROLE_PARENT);
	}
	for (size_t i = 0; i < b->n_targets; i++) {
		struct bundle_target *t = &b->targets[i];
		if (t->role == BROLE_WORKER && target_find(b, t->ppid) &&
		    target_find(b, t->ppid)->role == BROLE_WORKER) {
			/* the process the others were forked from */
			target_find(b, t->ppid)->role = BROLE_PARENT;
		}
	}
	if (!b->n_targets) {
		/* other users' /proc/PID/fd can't be read without root (or
		 * CAP_SYS_PTRACE): say so rather than leave the user guessing */
		snprintf(err, errsz, "no process holds the listening socket (not visible from "
			 "here?%s)", geteuid() != 0 ? " other users' processes need root: run "
			 "attach as root" : "");
		return -1;
	}
	return 0;
}

/* ---- capture (a child process: setns, libpcap, pcap_dump) */

static pcap_t *capture_handle;
static volatile sig_atomic_t capture_stop;

static void capture_on_signal(int sig)
{
	(void)sig;
	capture_stop = 1;
	if (capture_handle)
		pcap_breakloop(capture_handle);
}

static void capture_child(struct bundle *b, int status_fd, double seconds)
{
	char msg[512] = "", errbuf[PCAP_ERRBUF_SIZE] = "";
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = capture_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (b->netns_foreign) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)b->netns_pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
			snprintf(msg, sizeof(msg), "error setns %s: %s", path, strerror(errno));
			goto out;
		}
		close(fd);
	}
	pcap_t *p = pcap_create("any", errbuf);
	if (!p) {
		snprintf(msg, sizeof(msg), "error pcap_create any: %s", errbuf);
		goto out;
	}
	pcap_set_snaplen(p, CAPTURE_SNAPLEN);
	pcap_set_promisc(p, 0);
	pcap_set_timeout(p, 100);
	pcap_set_buffer_size(p, CAPTURE_BUFFER);
	int rc = pcap_activate(p);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "error pcap_activate any: %s", pcap_geterr(p));
		pcap_close(p);
		goto out;
	}
	char filter[512] = "";
	for (size_t i = 0; i < b->n_ports; i++)
		snprintf(filter + strlen(filter), sizeof(filter) - strlen(filter), "%stcp port %u",
			 i ? " or " : "", b->ports[i]);
	struct bpf_program prog;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0) {
		snprintf(msg, sizeof(msg), "error filter '%.200s': %.200s", filter, pcap_geterr(p));
		pcap_close(p);
		goto out;
	}
	pcap_freecode(&prog);
	FILE *cf = outdir_fopen(&b->out, "capture.pcap");
	pcap_dumper_t *d = cf ? pcap_dump_fopen(p, cf) : NULL;
	if (!d) {
		if (cf)
			fclose(cf);
		snprintf(msg, sizeof(msg), "error capture.pcap: %.300s", pcap_geterr(p));
		pcap_close(p);
		goto out;
	}
	capture_handle = p;
	double end = mono_now() + seconds;
	bool full = false;
	while (!capture_stop && mono_now() < end) {
		int k = pcap_dispatch(p, 256, pcap_dump, (u_char *)d);
		if (k == PCAP_ERROR_BREAK)
			break;
		if (k < 0) {
			snprintf(msg, sizeof(msg), "error capture: %s", pcap_geterr(p));
			break;
		}
		if (pcap_dump_ftell64(d) > (int64_t)CAPTURE_MAX_BYTES) {
			full = true;
			break;
		}
	}
	pcap_dump_flush(d);
	struct pcap_stat ps;
	memset(&ps, 0, sizeof(ps));
	pcap_stats(p, &ps);
	if (!msg[0])
		snprintf(msg, sizeof(msg), "ok received %u dropped %u%s", ps.ps_recv, ps.ps_drop,
			 full ? " full" : "");
	pcap_dump_close(d);
	capture_handle = NULL;
	pcap_close(p);
out:
	if (write(status_fd, msg, strlen(msg)) < 0)
		_exit(3);
	_exit(strncmp(msg, "ok", 2) == 0 ? 0 : 1);
}

static void capture_start(struct bundle *b)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		bundle_fail(b, "capture", "pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		bundle_fail(b, "capture", "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		capture_child(b, fds[1], b->opt.duration + 30);
	}
	close(fds[1]);
	b->capture_pid = pid;
	b->capture_status_fd = fds[0];
}

static void capture_stop_child(struct bundle *b)
{
	if (!b->capture_pid)
		return;
	kill(b->capture_pid, SIGTERM);	/* our own child, by its pid */
	char msg[600] = "";
	size_t got = 0;
	double deadline = mono_now() + 5;
	while (got < sizeof(msg) - 1) {
		int left = (int)((deadline - mono_now()) * 1000);
		if (left <= 0)
			break;
		struct pollfd pf = { b->capture_status_fd, POLLIN, 0 };
		int r = poll(&pf, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t k = read(b->capture_status_fd, msg + got, sizeof(msg) - 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	msg[got] = '\0';
	close(b->capture_status_fd);
	b->capture_status_fd = -1;
	int ws;
	if (waitpid(b->capture_pid, &ws, WNOHANG) == 0) {
		kill(b->capture_pid, SIGKILL);
		while (waitpid(b->capture_pid, &ws, 0) < 0 && errno == EINTR)
			;
	}
	b->capture_pid = 0;
	if (strncmp(msg, "ok", 2) == 0) {
		add_file(b, "capture.pcap", "pcap", b->started);
		if (strstr(msg, " full"))
			bundle_fail(b, "capture", "stopped at %u MiB (%s)", CAPTURE_MAX_BYTES >> 20,
				    msg + 3);
		else if (!strstr(msg, "dropped 0"))
			bundle_fail(b, "capture", "packets dropped by the kernel (%s)", msg + 3);
	} else {
		bundle_fail(b, "capture", "%s", msg[0] ? msg + (strncmp(msg, "error ", 6) == 0 ? 6 : 0)
							: "the capture process gave no answer");
		struct stat st;
		if (fstatat(b->out.fd, "capture.pcap", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_size > 24)
			add_file(b, "capture.pcap", "pcap", b->started);	/* partial, kept */
	}
}

/* ---- one snapshot */

struct ss_keep {
	const struct bundle *b;
	const struct procfs_sockmap *owners;
};

static bool ss_keep_row(const struct sockdiag_sock *s, void *arg)
{
	const struct ss_keep *k = arg;
	if (port_wanted(k->b, s->sport))
		return true;
	size_t cnt = 0;
	return s->inode && procfs_sockmap_find(k->owners, s->inode, &cnt) != NULL;
}

static void snap_sockets(struct bundle *b, int k)
{
	char name[64], err[512];
	snprintf(name, sizeof(name), "ss-%02d.txt", k);
	int32_t pids[BUNDLE_MAX_TARGETS];
	size_t n = 0;
	for (size_t i = 0; i < b->n_targets; i++)
		if (!b->targets[i].gone)
			pids[n++] = b->targets[i].pid;
	struct procfs_sockmap owners = { 0 };
	procfs_sockmap_scan(&owners, pids, n, err, sizeof(err));
	double at = bundle_now();
	struct sockdiag_table t = { 0 };
	if (dump_sockets(b, SOCKDIAG_ALL_STATES, &t, err, sizeof(err)) != 0) {
		bundle_fail(b, name, "sock_diag: %s", err);
	} else {
		if (t.truncated)
			bundle_fail(b, name, "more sockets than the bound: table cut");
		struct strbuf out = STRBUF_INIT;
		struct ss_keep keep = { b, &owners };
		sockdiag_write_ss(&out, &t, &owners, ss_keep_row, &keep);
		write_evidence(b, name, "ss", at, &out);
		strbuf_release(&out);
	}
	sockdiag_table_release(&t);
	procfs_sockmap_release(&owners);
}

static pid_t counters_pid(const struct bundle *b)
{
	if (b->netns_pid > 0)
		return b->netns_pid;
	for (size_t i = 0; i < b->n_targets; i++)
		if (!b->targets[i].gone && procfs_same_netns(b->targets[i].pid) == 1)
			return b->targets[i].pid;
	return getpid();
}

static void snap_counters(struct bundle *b, int k)
{
	static const struct {
		const char *proc, *file, *kind;
	} src[] = {
		{ "netstat", "proc-net-netstat", "proc-net-netstat" },
		{ "snmp", "proc-net-snmp", "proc-net-snmp" },
	};
	pid_t pid = counters_pid(b);
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		char path[64], name[64];
		/* /proc/PID/net: the counters of PID's network namespace */
		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, src[i].proc);
		snprintf(name, sizeof(name), "%s-%02d.txt", src[i].file, k);
		struct strbuf m = STRBUF_INIT;
		double at = bundle_now();
		if (procfs_read_file(path, &m, 1 << 20) != 0)
			bundle_fail(b, name, "%s: %s", path, strerror(errno));
		else
			write_evidence(b, name, src[i].kind, at, &m);
		strbuf_release(&m);
	}
}

static void snap_sysctls(struct bundle *b)
{
	struct strbuf m = STRBUF_INIT;
	char err[512];
	double at = bundle_now();
	if (netns_run(b->netns_pid, procfs_netns_sysctls, NULL, &m, NETNS_TIMEOUT_MS, err,
		      sizeof(err)) != 0)
		bundle_fail(b, "sysctl.txt", "%s", err);
	else
		write_evidence(b, "sysctl.txt", "sysctl", at, &m);
	strbuf_release(&m);
}

static void mark_gone(struct bundle *b, struct bundle_target *t)
{
	if (t->gone)
		return;
	t->gone = true;
	t->gone_at = bundle_now();
	bundle_fail(b, "process", "pid %d (%s) exited during collection", (int)t->pid, t->comm);
}

static void snap_process(struct bundle *b, struct bundle_target *t, int k, bool first)
{
	char name[96], path[64];
	struct strbuf m = STRBUF_INIT;
	double at = bundle_now();
	int threads = procfs_task_dump(t->pid, &m);
	snprintf(name, sizeof(name), "proc-task-%d-%02d.txt", (int)t->pid, k);
	if (threads < 0) {
		strbuf_release(&m);
		mark_gone(b, t);
		return;
	}
	t->threads = threads;
	write_evidence(b, name, "proc-task", at, &m);
	strbuf_release(&m);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->pid);
	snprintf(name, sizeof(name), "proc-status-%d-%02d.txt", (int)t->pid, k);
	at = bundle_now();
	if (procfs_read_file(path, &m, 1 << 16) == 0)
		write_evidence(b, name, "proc-status", at, &m);
	strbuf_release(&m);

	snprintf(name, sizeof(name), "proc-fd-%d-%02d.txt", (int)t->pid, k);
	at = bundle_now();
	int64_t fds = procfs_fd_listing(t->pid, &m);
	if (fds >= 0) {
		t->fds = fds;
		write_evidence(b, name, "proc-fd", at, &m);
	} else if (errno == EACCES) {
		bundle_fail(b, name, "/proc/%d/fd: %s", (int)t->pid, strerror(errno));
	}
	strbuf_release(&m);

	if (first) {
		/* grep -H '' /proc/PID/limits: the pid travels with the line */
		snprintf(path, sizeof(path), "/proc/%d/limits", (int)t->pid);
		snprintf(name, sizeof(name), "proc-limits-%d.txt", (int)t->pid);
		struct strbuf raw = STRBUF_INIT;
		at = bundle_now();
		if (procfs_read_file(path, &raw, 1 << 16) == 0 && raw.len) {
			for (char *line = raw.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
				nl = strchr(line, '\n');
				strbuf_addf(&m, "%s:%.*s\n", path,
					      (int)(nl ? nl - line : (long)strlen(line)), line);
			}
			write_evidence(b, name, "proc-limits", at, &m);
		}
		strbuf_release(&raw);
		strbuf_release(&m);
		t->fd_limit = procfs_fd_limit(t->pid);
	}
}

/* ---- stacks through the sampler */

struct map_ent {
	uint64_t lo, hi;
	char name[128];
};

/* Executable mappings of pid, for "#N 0x.. - module" lines. */
static size_t read_maps(pid_t pid, struct map_ent **out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	struct strbuf m = STRBUF_INIT;
	*out = NULL;
	if (procfs_read_file(path, &m, 8 << 20) != 0 || !m.len) {
		strbuf_release(&m);
		return 0;
	}
	size_t n = 0, cap = 0;
	struct map_ent *v = NULL;
	for (char *line = m.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		unsigned long long lo, hi;
		char perms[8];
		int off = 0;
		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %n", &lo, &hi, perms, &off) < 3 ||
		    perms[2] != 'x')
			continue;
		const char *file = off > 0 ? line + off : "";
		if (!*file)
			continue;
		const char *base = strrchr(file, '/');
		base = base && file[0] == '/' ? base + 1 : file;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct map_ent *w = realloc(v, cap * sizeof(*w));
			if (!w)
				break;
			v = w;
		}
		v[n].lo = lo;
		v[n].hi = hi;
		snprintf(v[n].name, sizeof(v[n].name), "%s", base);
		n++;
	}
	strbuf_release(&m);
	*out = v;
	return n;
}

static const char *module_of(const struct map_ent *m, size_t n, uint64_t pc)
{
	for (size_t i = 0; i < n; i++)
		if (pc >= m[i].lo && pc < m[i].hi)
			return m[i].name;
	return NULL;
}

/* The Python frames read in the same stop (pystack.h), as gdb's
 * `thread apply all py-bt` prints them (parse_stack_py.c reads it back; the
 * same time as the eu-stack file, so both fill one sample per thread). The
 * main thread (tid = pid) is gdb's thread 1, which names the process. */
static void write_py_stacks(struct bundle *b, struct bundle_target *t, int k,
			    const struct ps_sample *smp)
{
	size_t with_py = 0;
	for (size_t i = 0; i < smp->n_threads; i++)
		if (smp->threads[i].n_py || smp->threads[i].py_status < 0)
			with_py++;
	if (!with_py && !smp->py_err[0])
		return;
	char name[96];
	snprintf(name, sizeof(name), "pystacks-%d-%02d.txt", (int)t->pid, k);
	if (smp->py_err[0]) {
		bundle_fail(b, name, "Python frames of pid %d: %s", (int)t->pid, smp->py_err);
		return;
	}
	struct strbuf m = STRBUF_INIT;
	int no = 2;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < smp->n_threads; i++) {
			const struct ps_thread *th = &smp->threads[i];
			if (th->status != PS_OK || (pass == 0) != (th->tid == t->pid))
				continue;
			strbuf_addf(&m, "\nThread %d (LWP %d) \"%s\"):\n", th->tid == t->pid ? 1 : no++,
				      (int)th->tid, th->comm);
			if (!th->n_py) {
				strbuf_addf(&m, "Unable to locate python frame\n");
				continue;
			}
			strbuf_addf(&m, "Traceback (most recent call first):\n");
			for (uint32_t f = 0; f < th->n_py; f++) {
				const struct py_frame_out *pf = &th->py[f];
				if (pf->line)
					strbuf_addf(&m, "  File \"%s\", line %u, in %s\n",
						      pf->file ? pf->file : "??", pf->line,
						      pf->function ? pf->function : "??");
				else
					strbuf_addf(&m, "  File \"%s\", line ?, in %s\n",
						      pf->file ? pf->file : "??",
						      pf->function ? pf->function : "??");
			}
			if (th->py_status < 0)
				strbuf_addf(&m, "  (frame information optimized out)\n");
		}
	write_evidence(b, name, "py-bt", smp->at > 0 ? smp->at : bundle_now(), &m);
	strbuf_release(&m);
}

static void snap_stacks(struct bundle *b, struct bundle_target *t, int k)
{
	char name[96], err[PS_ERR_SIZE] = "";
	snprintf(name, sizeof(name), "stacks-%d-%02d.txt", (int)t->pid, k);
	if (!t->ps) {
		t->ps = ps_open(t->pid, err, sizeof(err));
		if (!t->ps) {
			bundle_fail(b, name, "stack sample of pid %d: %s", (int)t->pid, err);
			return;
		}
	}
	struct ps_sample smp;
	memset(&smp, 0, sizeof(smp));
	/* every thread is detached again when ps_sample() returns, whatever
	 * happened (ptrace_sample.h); PS_SAMPLE_EXEC ("target is exec'ing;
	 * retry") is a failed sample like any other here */
	if (ps_sample(t->ps, &smp, err, sizeof(err)) != 0) {
		bundle_fail(b, name, "stack sample of pid %d: %s", (int)t->pid, err);
		return;
	}
	if (smp.image_gen != t->image_gen) {
		/* it exec'd since the last sample: the symbolizer's modules and
		 * cached names are of the old program (frames here are written
		 * out at once, so nothing points into it any more) */
		if (t->sym)
			sym_close(t->sym);
		t->sym = NULL;
		t->image_gen = smp.image_gen;
	}
	/* symbolize now that the target runs again */
	if (!t->sym && sym_open) {
		char serr[256] = "";
		t->sym = sym_open(t->pid, serr, sizeof(serr));
		if (!t->sym)
			bundle_fail(b, name, "symbols of pid %d: %s", (int)t->pid, serr);
	}
	if (t->sym)
		sym_allow_rescan(t->sym);
	struct map_ent *maps = NULL;
	size_t n_maps = t->sym ? 0 : read_maps(t->pid, &maps);
	struct strbuf m = STRBUF_INIT;
	/* elfutils src/stack.c layout (parse_stack_eu.c): "PID n - process",
	 * "TID n:", "#N  0x%016x FUNCTION - MODULE", an indented "FILE:LINE"
	 * (-s), one line per inlined scope with the same pc (-i) */
	strbuf_addf(&m, "PID %d - process\n", (int)t->pid);
	for (size_t i = 0; i < smp.n_threads; i++) {
		const struct ps_thread *th = &smp.threads[i];
		if (th->status == PS_GONE)
			continue;
		strbuf_addf(&m, "TID %d:\n", (int)th->tid);
		unsigned no = 0;
		for (uint32_t f = 0; f < th->n_pcs && f < PS_MAX_FRAMES; f++) {
			uint64_t pc = th->pcs[f];
			const struct sym_frame *sf = NULL;
			size_t nsf = t->sym ? sym_lookup(t->sym, pc, f > 0, &sf) : 0;
			if (!nsf) {
				const char *mod = module_of(maps, n_maps, f ? pc - 1 : pc);
				strbuf_addf(&m, "#%-2u 0x%016llx%s%s\n", no++,
					      (unsigned long long)pc, mod ? " - " : "",
					      mod ? mod : "");
				continue;
			}
			for (size_t q = 0; q < nsf; q++) {
				strbuf_addf(&m, "#%-2u 0x%016llx %s%s%s\n", no++,
					      (unsigned long long)pc,
					      sf[q].function ? sf[q].function : "??",
					      sf[q].module ? " - " : "", sf[q].module ? sf[q].module : "");
				if (sf[q].file && sf[q].line)
					strbuf_addf(&m, "    %s:%u\n", sf[q].file, sf[q].line);
			}
		}
		if (th->status == PS_NOSTOP)
			strbuf_addf(&m, "eu-stack: tid %d did not stop within the deadline\n",
				      (int)th->tid);
	}
	free(maps);
	write_evidence(b, name, "eu-stack", smp.at > 0 ? smp.at : bundle_now(), &m);
	strbuf_release(&m);
	write_py_stacks(b, t, k, &smp);
	b->stack_samples++;
	b->stack_nostop += (uint32_t)smp.n_nostop;
	if (smp.window_ns > b->stack_max_window_ns)
		b->stack_max_window_ns = smp.window_ns;
}

static void stacks_close(struct bundle *b)
{
	for (size_t i = 0; i < b->n_targets; i++) {
		struct bundle_target *t = &b->targets[i];
		if (t->ps)
			ps_close(t->ps);
		if (t->sym)
			sym_close(t->sym);
		t->ps = NULL;
		t->sym = NULL;
	}
}

/* ---- the collection loop */

static void progress(const struct bundle *b, int k, int n, double elapsed, const char *what)
{
	if (!b->opt.progress)
		return;
	fprintf(stderr, "\rstuckscope: attach: snapshot %d/%d  %5.1f/%.0f s  %zu processes  %-28s",
		k, n, elapsed, b->opt.duration, b->n_targets, what);
	fflush(stderr);
}

void bundle_collect(struct bundle *b, volatile sig_atomic_t *stop)
{
	int n = b->opt.samples < 1 ? 1 : b->opt.samples;
	b->started = bundle_now();
	double t0 = mono_now();
	if (b->opt.capture)
		capture_start(b);
	if (!b->sampler)
		bundle_fail(b, "stacks", "the ptrace stack sampler is not in this build: "
			    "threads are described from /proc only");
	for (int k = 1; k <= n && !*stop; k++) {
		double due = n == 1 ? 0 : b->opt.duration * (k - 1) / (n - 1);
		while (!*stop && mono_now() - t0 < due) {
			progress(b, k, n, mono_now() - t0, "waiting");
			struct timespec ts = { 0, 100 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (*stop)
			break;
		progress(b, k, n, mono_now() - t0, "sockets");
		snap_sockets(b, k);
		progress(b, k, n, mono_now() - t0, "counters");
		snap_counters(b, k);
		if (k == 1) {
			progress(b, k, n, mono_now() - t0, "sysctls");
			snap_sysctls(b);
		}
		for (size_t i = 0; i < b->n_targets && !*stop; i++) {
			struct bundle_target *t = &b->targets[i];
			if (t->gone)
				continue;
			progress(b, k, n, mono_now() - t0, "processes");
			snap_process(b, t, k, k == 1);
			if (b->sampler && !t->gone) {
				progress(b, k, n, mono_now() - t0, "stacks");
				snap_stacks(b, t, k);
			}
		}
		b->snapshots_done = k;
		bundle_write_manifest(b);
	}
	if (*stop)
		b->interrupted = true;
	stacks_close(b);
	capture_stop_child(b);
	b->ended = bundle_now();
	if (b->opt.progress)
		fputc('\n', stderr);
	if (b->interrupted)
		bundle_fail(b, "collection", "interrupted after %d of %d snapshots",
			    b->snapshots_done, n);
	bundle_write_manifest(b);
}

/* ---- manifest */

static const char *role_str(enum bundle_role r)
{
	return r == BROLE_WORKER ? "worker" : r == BROLE_PARENT ? "parent" : "other";
}

int bundle_write_manifest(struct bundle *b)
{
	char ts[40];
	json_t *root = json_object();
	json_object_set_new(root, "stuckscope_bundle", json_integer(1));
#ifdef STUCKSCOPE_VERSION
	json_object_set_new(root, "version", json_string(STUCKSCOPE_VERSION));
#else
	json_object_set_new(root, "version", json_string("0"));
#endif
	json_object_set_new(root, "host", json_string(b->host));
	json_object_set_new(root, "kernel", json_string(b->kernel));
	iso_time(b->started > 0 ? b->started : bundle_now(), ts, sizeof(ts));
	json_object_set_new(root, "started", json_string(ts));
	if (b->ended > 0) {
		iso_time(b->ended, ts, sizeof(ts));
		json_object_set_new(root, "ended", json_string(ts));
	} else {
		json_object_set_new(root, "ended", json_null());	/* still collecting */
	}
	json_object_set_new(root, "duration_s", json_real(b->opt.duration));
	json_object_set_new(root, "samples", json_integer(b->opt.samples));
	json_object_set_new(root, "snapshots_done", json_integer(b->snapshots_done));
	json_object_set_new(root, "interrupted", json_boolean(b->interrupted));
	json_object_set_new(root, "netns", json_string(b->netns_foreign ? "target" : "own"));
	if (b->netns_pid > 0)
		json_object_set_new(root, "netns_pid", json_integer(b->netns_pid));
	json_t *pids = json_array();
	for (size_t i = 0; i < b->n_targets; i++)
		json_array_append_new(pids, json_integer(b->targets[i].pid));
	json_object_set_new(root, "target_pids", pids);
	json_t *ports = json_array();
	for (size_t i = 0; i < b->n_ports; i++)
		json_array_append_new(ports, json_integer(b->ports[i]));
	json_object_set_new(root, "ports", ports);
	/* the ss-NN.txt files hold only these sockets (ss_keep_row()): say so,
	 * so nobody reads an absent socket as "no such socket in the namespace" */
	json_object_set_new(root, "socket_filter",
			    json_string("sockets on the target ports or held by a target process"));
	json_t *ls = json_array();
	for (size_t i = 0; i < b->n_listeners; i++) {
		const struct bundle_listener *l = &b->listeners[i];
		char addr[80];
		sockdiag_format_addr(l->family, l->addr, l->port, false, addr, sizeof(addr));
		json_array_append_new(ls, json_pack("{s:s, s:I, s:i}", "address", addr, "inode",
						    (json_int_t)l->inode, "accept_queue_limit",
						    (int)l->backlog));
	}
	json_object_set_new(root, "listeners", ls);
	json_t *procs = json_array();
	for (size_t i = 0; i < b->n_targets; i++) {
		const struct bundle_target *t = &b->targets[i];
		json_t *o = json_pack("{s:i, s:i, s:s, s:s, s:b, s:b}", "pid", (int)t->pid, "ppid",
				      (int)t->ppid, "comm", t->comm, "role", role_str(t->role),
				      "named", t->named, "gone", t->gone);
		json_object_set_new(o, "fds", t->fds >= 0 ? json_integer(t->fds) : json_null());
		json_object_set_new(o, "fd_limit",
				    t->fd_limit >= 0 ? json_integer(t->fd_limit) : json_null());
		json_object_set_new(o, "threads",
				    t->threads >= 0 ? json_integer(t->threads) : json_null());
		json_array_append_new(procs, o);
	}
	json_object_set_new(root, "processes", procs);
	json_t *st = json_object();
	json_object_set_new(st, "sampler", json_boolean(b->sampler));
	json_object_set_new(st, "samples", json_integer(b->stack_samples));
	json_object_set_new(st, "max_stop_ms", json_real(b->stack_max_window_ns / 1e6));
	json_object_set_new(st, "threads_not_stopped", json_integer(b->stack_nostop));
	json_object_set_new(root, "stacks", st);
	json_t *snaps = json_array();
	for (size_t i = 0; i < b->n_files; i++) {
		iso_time(b->files[i].at, ts, sizeof(ts));
		json_array_append_new(snaps, json_pack("{s:s, s:s, s:s}", "file", b->files[i].file,
						       "at", ts, "kind", b->files[i].kind));
	}
	json_object_set_new(root, "snapshots", snaps);
	json_t *failed = json_array();
	for (size_t i = 0; i < b->n_failed; i++)
		json_array_append_new(failed, json_pack("{s:s, s:s}", "what", b->failed[i].what,
							"why", b->failed[i].why));
	json_object_set_new(root, "failed", failed);

	struct outreplace r;
	int rc = outdir_replace_begin(&b->out, "manifest.json", &r);
	if (rc == 0) {
		rc = json_dumpf(root, r.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (rc == 0 && fputc('\n', r.f) == EOF)
			rc = -1;
		if (rc == 0)
			rc = outdir_replace_commit(&r);
		else
			outdir_replace_abort(&r);
	}
	json_decref(root);
	if (rc != 0) {
		fprintf(stderr, "stuckscope: attach: %s/manifest.json: cannot write: %s\n", b->dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

void bundle_release(struct bundle *b)
{
	for (size_t i = 0; i < b->n_files; i++)
		free(b->files[i].file);
	for (size_t i = 0; i < b->n_failed; i++) {
		free(b->failed[i].what);
		free(b->failed[i].why);
	}
	free(b->files);
	free(b->failed);
	free(b->dir);
	outdir_close(&b->sub);
	outdir_close(&b->out);
	memset(b, 0, sizeof(*b));
	b->out.fd = b->sub.fd = -1;
}
