/* watch.c — polls, ring and triggers of `stuckscope watch` (watch.h).
 *
 * Cost per poll (the goal is under 1 % of one core at one poll a second):
 * one sock_diag dump per address family (TIME-WAIT left out: a busy server
 * has thousands and they tell nothing here), two small /proc/PID/net reads,
 * one stat read per thread of every target. Buffers of a ring slot are kept
 * and reused when the ring wraps, so a steady poll does not allocate. The fd
 * tables of the targets are read only when a socket the triggers care about
 * has an owner the cache does not know, and the full /proc scan of
 * discovery runs once a minute or when a target exits. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/procstat.h"

#define WATCH_MAX_SOCKS 8192		/* rows kept per ring snapshot */
#define WATCH_MAX_TASK_BYTES (1u << 20)	/* thread stat lines per snapshot */
#define WATCH_REDISCOVER_S 60.0
#define WATCH_RETRY_S 1.0		/* nothing to watch yet: look again (a later
					 * server is seen within ~1 s) */
#define NETNS_TIMEOUT_MS 5000

enum { C_LISTEN_OVERFLOWS, C_LISTEN_DROPS, C_REQQ_COOKIES, C_REQQ_DROP, C_N };
static const char *const counter_names[C_N] = {
	"ListenOverflows", "ListenDrops", "TCPReqQFullDoCookies", "TCPReqQFullDrop",
};

const struct watch_trigger_info watch_triggers[WT_N] = {
	[WT_LISTEN_OVERFLOW] = {
		"listen-overflow", "--trigger-overflow N (default 1)",
		"the accept queue overflowed: ListenOverflows or ListenDrops rose",
		"Fires when TcpExt ListenOverflows or ListenDrops of the target's network "
		"namespace rose by N or more between two polls. The kernel counts a SYN (or the "
		"handshake's last ACK) dropped because a listener's accept queue was full "
		"(tcp_conn_request() / tcp_check_req(), sk_acceptq_is_full()). The counters are "
		"per namespace, not per port: another listener of the namespace can fire it.",
	},
	[WT_ACCEPT_QUEUE_FULL] = {
		"accept-queue-full", "--trigger-queue-full N (default 1)",
		"a watched listener's accept queue is full: LISTEN Recv-Q >= Send-Q",
		"Fires when a LISTEN socket of a watched port shows Recv-Q (connections waiting "
		"for accept()) at or above Send-Q (the accept-queue limit, min(backlog, "
		"somaxconn)) in N polls in a row. Linux admits limit + 1 (sk_acceptq_is_full() "
		"tests '>'), so Recv-Q = Send-Q means the next SYN is dropped. One poll between "
		"bursts can show the queue empty: listen-overflow sees what polls miss.",
	},
	[WT_CLOSE_WAIT_GROWING] = {
		"close-wait-growing", "--trigger-closewait N (default 5)",
		"CLOSE-WAIT sockets piling up on one process",
		"Fires when the number of CLOSE-WAIT sockets held by one target process rose in N "
		"polls without falling in between (a poll with the same count neither counts nor "
		"breaks the run). CLOSE-WAIT means the peer closed and the process has not called "
		"close(); the kernel never times it out, so a steady rise is a handler that "
		"stopped, or a descriptor leak. Owners come from the targets' /proc/PID/fd "
		"(same user as the server, or CAP_SYS_PTRACE).",
	},
	[WT_SYN_QUEUE_FULL] = {
		"syn-queue-full", "--trigger-synq N (default 1)",
		"the SYN (half-open) queue is full: TCPReqQFullDoCookies or TCPReqQFullDrop rose",
		"Fires when TcpExt TCPReqQFullDoCookies (SYN cookies sent because the SYN queue "
		"was full) or TCPReqQFullDrop (SYNs dropped, syncookies off) rose by N or more "
		"between two polls: a SYN flood, clients that never finish the handshake, or a "
		"burst against a small backlog (tcp_conn_request(), net/ipv4/tcp_input.c).",
	},
	[WT_WORKER_STUCK] = {
		"worker-stuck", "--trigger-stuck S (default 5)",
		"a worker's threads all blocked with no CPU for S seconds while work waits",
		"Fires when every thread of a worker (a process holding a watched listener) has "
		"been sleeping (S) or in uninterruptible wait (D), with its CPU ticks unchanged, "
		"for S seconds, while it has work it is not doing, seen in two polls in a row: it "
		"holds a CLOSE-WAIT connection or one with unread data, or the accept queue of its "
		"listener is not empty. An idle worker (empty queue, no connection) is never "
		"stuck. Thread state and ticks come from /proc/PID/task/TID/stat (world-readable).",
	},
};

const struct watch_trigger_info *watch_trigger_by_id(const char *id)
{
	for (size_t i = 0; i < WT_N; i++)
		if (strcmp(watch_triggers[i].id, id) == 0)
			return &watch_triggers[i];
	return NULL;
}

struct watch_snap {
	double at, mono;
	struct sockdiag_sock *socks;
	size_t n_socks, cap_socks;
	bool truncated;
	struct procfs_fdref *refs;	/* owners of socks, sorted (procfs_sockmap order) */
	size_t n_refs, cap_refs;
	struct procfs_comm *comms;
	size_t n_comms, cap_comms;
	struct strbuf netstat, snmp, task;
	bool have_netstat, have_snmp;
	int64_t ctr[C_N];
	bool have_ctr[C_N];
	uint32_t listen_rq_max;		/* largest watched-listener Recv-Q */
};

struct watch_target {
	pid_t pid;
	char comm[64];
	bool worker;
	bool gone;
	int64_t ticks;		/* utime + stime of its threads, -1 unknown */
	size_t threads;
	bool quiet;		/* all threads S/D and no CPU since quiet_since */
	double quiet_since;
	bool stuck_fired;	/* this quiet spell already fired */
	long cw_last, cw_rises;
	bool cw_have;
	long cw_now, unread_now;
	long work_polls;	/* polls in a row with work waiting for it */
};

double watch_mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void watch_init(struct watch *w, const struct watch_config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	if (!(w->cfg.interval > 0))
		w->cfg.interval = 1;
	if (!(w->cfg.ring_seconds > 0))
		w->cfg.ring_seconds = 60;
	w->ring_cap = (size_t)ceil(w->cfg.ring_seconds / w->cfg.interval);
	if (w->ring_cap < 2)
		w->ring_cap = 2;
	if (w->ring_cap > 3600)
		w->ring_cap = 3600;
	w->ring = calloc(w->ring_cap, sizeof(*w->ring));
	w->disc = calloc(1, sizeof(*w->disc));
	w->targets = calloc(BUNDLE_MAX_TARGETS, sizeof(*w->targets));
	if (!w->ring || !w->disc || !w->targets) {
		fputs("stuckscope: out of memory\n", stderr);
		exit(2);
	}
}

static void snap_release(struct watch_snap *s)
{
	free(s->socks);
	free(s->refs);
	free(s->comms);
	strbuf_release(&s->netstat);
	strbuf_release(&s->snmp);
	strbuf_release(&s->task);
}

void watch_release(struct watch *w)
{
	for (size_t i = 0; i < w->ring_cap; i++)
		snap_release(&w->ring[i]);
	free(w->ring);
	if (w->disc)
		bundle_release(w->disc);
	free(w->disc);
	free(w->targets);
	procfs_sockmap_release(&w->owners);
	memset(w, 0, sizeof(*w));
}

/* ---- discovery (bundle.c's, without a bundle directory) */

static struct watch_target *target_find(struct watch *w, pid_t pid)
{
	for (size_t i = 0; i < w->n_targets; i++)
		if (w->targets[i].pid == pid)
			return &w->targets[i];
	return NULL;
}

static void owners_rescan(struct watch *w)
{
	int32_t pids[BUNDLE_MAX_TARGETS];
	size_t n = 0;
	char err[256];
	for (size_t i = 0; i < w->n_targets; i++)
		if (!w->targets[i].gone)
			pids[n++] = w->targets[i].pid;
	procfs_sockmap_release(&w->owners);
	procfs_sockmap_scan(&w->owners, pids, n, err, sizeof(err));
	w->owners_at = watch_mono_now();
	w->rescans++;
}

int watch_discover(struct watch *w, char *err, size_t errsz)
{
	struct bundle *b = w->disc;
	bundle_release(b);
	memset(b, 0, sizeof(*b));
	b->capture_status_fd = -1;
	memcpy(b->opt.ports, w->cfg.ports, sizeof(b->opt.ports));
	b->opt.n_ports = w->cfg.n_ports;
	memcpy(b->opt.pids, w->cfg.pids, sizeof(b->opt.pids));
	b->opt.n_pids = w->cfg.n_pids;
	w->discoveries++;
	w->next_discovery = watch_mono_now() + WATCH_REDISCOVER_S;
	if (bundle_discover(b, err, errsz) != 0) {
		w->discovered = false;
		w->next_discovery = watch_mono_now() + WATCH_RETRY_S;
		return -1;
	}
	/* keep the per-process history of the pids seen before */
	struct watch_target *old = malloc(w->n_targets * sizeof(*old) + 1);
	size_t n_old = w->n_targets;
	if (old && n_old)
		memcpy(old, w->targets, n_old * sizeof(*old));
	w->n_targets = 0;
	for (size_t i = 0; i < b->n_targets; i++) {
		struct watch_target *t = &w->targets[w->n_targets++];
		const struct watch_target *prev = NULL;
		for (size_t k = 0; old && k < n_old; k++)
			if (old[k].pid == b->targets[i].pid)
				prev = &old[k];
		if (prev) {
			*t = *prev;
		} else {
			memset(t, 0, sizeof(*t));
			t->pid = b->targets[i].pid;
			t->ticks = -1;
		}
		snprintf(t->comm, sizeof(t->comm), "%s", b->targets[i].comm);
		t->worker = b->targets[i].role == BROLE_WORKER;
		t->gone = false;
	}
	free(old);
	w->discovered = true;
	owners_rescan(w);
	return 0;
}

/* ---- one poll */

static bool port_watched(const struct watch *w, uint16_t port)
{
	for (size_t i = 0; i < w->disc->n_ports; i++)
		if (w->disc->ports[i] == port)
			return true;
	return false;
}

static int dump_sockets(struct watch *w, struct sockdiag_table *t, char *err, size_t errsz)
{
	uint32_t states = SOCKDIAG_ALL_STATES & ~(1u << TCP_TIME_WAIT);
	if (!w->disc->netns_foreign) {
		/* the kernel walks the whole established hash once per family
		 * (inet_diag_dump_icsk()): that walk is most of a poll's cost, so
		 * only the families of the watched listeners (connections accepted
		 * on a listener have its family) */
		bool v4 = false, v6 = false;
		for (size_t i = 0; i < w->disc->n_listeners; i++) {
			if (w->disc->listeners[i].family == AF_INET6)
				v6 = true;
			else
				v4 = true;
		}
		if (!v4 && !v6)
			return sockdiag_dump_all(t, states, err, errsz);
		if (v4 && sockdiag_dump(t, AF_INET, states, err, errsz) != 0)
			return -1;
		if (v6 && sockdiag_dump(t, AF_INET6, states, err, errsz) != 0)
			return -1;
		return 0;
	}
	struct strbuf raw = STRBUF_INIT;
	int rc = netns_run(w->disc->netns_pid, sockdiag_netns_dump, &states, &raw,
			   NETNS_TIMEOUT_MS, err, errsz);
	if (rc == 0 && sockdiag_table_deserialize(t, raw.buf, raw.len) != 0) {
		snprintf(err, errsz, "sock_diag: garbled answer from the namespace helper");
		rc = -1;
	}
	strbuf_release(&raw);
	return rc;
}

static pid_t counters_pid(const struct watch *w)
{
	if (w->disc->netns_pid > 0)
		return w->disc->netns_pid;
	for (size_t i = 0; i < w->n_targets; i++)
		if (!w->targets[i].gone)
			return w->targets[i].pid;
	return getpid();
}

/* A small /proc file into b (appended), without the allocation of a fresh
 * buffer each time. 0 or -1 with errno. */
static int read_small(const char *path, struct strbuf *b, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[8192];
	size_t got = 0;
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (k == 0 || got >= max)
			break;
		strbuf_add(b, buf, (size_t)k);
		got += (size_t)k;
	}
	close(fd);
	return 0;
}

/* "TcpExt: A B C\nTcpExt: 1 2 3" -> the value of `name`. */
static bool counter_get(const struct strbuf *m, const char *prefix, const char *name, int64_t *out)
{
	if (!m->len)
		return false;
	size_t plen = strlen(prefix), nlen = strlen(name);
	const char *p = m->buf, *end = m->buf + m->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > plen && memcmp(p, prefix, plen) == 0 &&
		    !(p[plen + 1] >= '0' && p[plen + 1] <= '9')) {
			/* header line: find the column of name */
			int col = -1, c = 0;
			for (const char *q = p + plen; q < le;) {
				while (q < le && *q == ' ')
					q++;
				const char *s = q;
				while (q < le && *q != ' ')
					q++;
				if (q > s) {
					if ((size_t)(q - s) == nlen && memcmp(s, name, nlen) == 0)
						col = c;
					c++;
				}
			}
			if (col < 0 || !nl)
				return false;
			/* the values line follows */
			const char *v = nl + 1;
			const char *ve = memchr(v, '\n', (size_t)(end - v));
			if (!ve)
				ve = end;
			if ((size_t)(ve - v) <= plen || memcmp(v, prefix, plen) != 0)
				return false;
			c = 0;
			for (const char *q = v + plen; q < ve;) {
				while (q < ve && *q == ' ')
					q++;
				const char *s = q;
				while (q < ve && *q != ' ')
					q++;
				if (q > s) {
					if (c == col) {
						*out = strtoll(s, NULL, 10);
						return true;
					}
					c++;
				}
			}
			return false;
		}
		p = nl ? nl + 1 : end;
	}
	return false;
}

/* Every thread of t: its stat line into the snapshot's task dump (grep -H
 * layout, parse_proc_task.c), and the worker's quiet state. */
static void poll_threads(struct watch *w, struct watch_target *t, struct watch_snap *s)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)t->pid);
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT || errno == ESRCH)
			t->gone = true;
		return;
	}
	bool all_blocked = true;
	int64_t ticks = 0;
	size_t threads = 0;
	struct strbuf line = STRBUF_INIT;
	/* the process line names it and gives its parent */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
	if (read_small(path, &line, 4096) == 0 && line.len && s->task.len < WATCH_MAX_TASK_BYTES) {
		strbuf_addf(&s->task, "%s:", path);
		strbuf_add(&s->task, line.buf, line.len);
		if (line.buf[line.len - 1] != '\n')
			strbuf_add(&s->task, "\n", 1);
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/stat", (int)t->pid, e->d_name);
		strbuf_reset(&line);
		if (read_small(path, &line, 4096) != 0 || !line.len)
			continue;	/* exited meanwhile */
		struct procstat ps;
		if (procstat_parse(&ps, line.buf, line.len) < 0)
			continue;
		threads++;
		ticks += ps.utime + ps.stime;
		if (ps.state != 'S' && ps.state != 'D')
			all_blocked = false;
		if (s->task.len < WATCH_MAX_TASK_BYTES) {
			strbuf_addf(&s->task, "%s:", path);
			strbuf_add(&s->task, line.buf, line.len);
			if (line.buf[line.len - 1] != '\n')
				strbuf_add(&s->task, "\n", 1);
		}
	}
	closedir(d);
	strbuf_release(&line);
	if (!threads) {
		t->gone = true;
		return;
	}
	bool quiet_now = all_blocked && t->ticks >= 0 && ticks == t->ticks && threads == t->threads;
	if (quiet_now && !t->quiet) {
		t->quiet = true;
		/* blocked since the previous poll at least */
		t->quiet_since = s->mono - w->cfg.interval;
	} else if (!quiet_now) {
		t->quiet = false;
		t->stuck_fired = false;
	}
	t->ticks = ticks;
	t->threads = threads;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct procfs_fdref *x = a, *y = b;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* Owners of the snapshot's sockets from the cache; counts per target.
 * Returns how many sockets that matter had an unknown owner. */
static size_t attribute(struct watch *w, struct watch_snap *s)
{
	for (size_t i = 0; i < w->n_targets; i++)
		w->targets[i].cw_now = w->targets[i].unread_now = 0;
	s->n_refs = 0;
	size_t unknown = 0;
	for (size_t i = 0; i < s->n_socks; i++) {
		const struct sockdiag_sock *k = &s->socks[i];
		bool matters = k->state == TCP_CLOSE_WAIT || (k->state == TCP_ESTABLISHED && k->rqueue);
		if (!k->inode)
			continue;
		size_t cnt = 0;
		const struct procfs_fdref *o = procfs_sockmap_find(&w->owners, k->inode, &cnt);
		if (!o) {
			if (matters && port_watched(w, k->sport))
				unknown++;
			continue;
		}
		for (size_t q = 0; q < cnt; q++) {
			if (s->n_refs == s->cap_refs) {
				size_t cap = s->cap_refs ? s->cap_refs * 2 : 64;
				struct procfs_fdref *v = realloc(s->refs, cap * sizeof(*v));
				if (!v)
					break;
				s->refs = v;
				s->cap_refs = cap;
			}
			s->refs[s->n_refs++] = o[q];
			struct watch_target *t = target_find(w, o[q].pid);
			if (!t)
				continue;
			if (k->state == TCP_CLOSE_WAIT)
				t->cw_now++;
			else if (matters)
				t->unread_now++;
		}
	}
	if (s->n_refs > 1)
		qsort(s->refs, s->n_refs, sizeof(s->refs[0]), cmp_ref);
	return unknown;
}

static void fire(struct watch_fired *fired, size_t max, size_t *n, enum watch_trigger_id id,
		 pid_t pid, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void fire(struct watch_fired *fired, size_t max, size_t *n, enum watch_trigger_id id,
		 pid_t pid, const char *fmt, ...)
{
	if (*n >= max)
		return;
	struct watch_fired *f = &fired[(*n)++];
	f->id = id;
	f->pid = pid;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

int watch_poll(struct watch *w, struct watch_fired *fired, size_t max)
{
	size_t n_fired = 0;
	double mono = watch_mono_now();
	if (mono >= w->next_discovery) {
		char err[512];
		if (watch_discover(w, err, sizeof(err)) != 0) {
			snprintf(w->last_error, sizeof(w->last_error), "%s", err);
			return -1;
		}
	}
	if (!w->discovered)
		return -1;	/* last_error still says why */
	const struct watch_snap *prev = w->ring_n ? &w->ring[(w->ring_head + w->ring_cap - 1) %
							   w->ring_cap] : NULL;
	struct watch_snap *s = &w->ring[w->ring_head];
	/* the slot is reused: keep its buffers, forget its content */
	s->n_socks = s->n_refs = s->n_comms = 0;
	s->truncated = false;
	strbuf_reset(&s->netstat);
	strbuf_reset(&s->snmp);
	strbuf_reset(&s->task);
	memset(s->have_ctr, 0, sizeof(s->have_ctr));
	s->have_netstat = s->have_snmp = false;
	s->listen_rq_max = 0;
	s->at = bundle_now();
	s->mono = mono;

	/* sockets */
	struct sockdiag_table tab = { 0 };
	char err[512];
	if (dump_sockets(w, &tab, err, sizeof(err)) != 0) {
		snprintf(w->last_error, sizeof(w->last_error), "sock_diag: %.480s", err);
		sockdiag_table_release(&tab);
		return -1;
	}
	bool listener_seen[BUNDLE_MAX_LISTENERS] = { false };
	bool queue_full = false;
	char full_detail[256] = "";
	for (size_t i = 0; i < tab.n; i++) {
		const struct sockdiag_sock *k = &tab.v[i];
		size_t cnt = 0;
		bool keep = port_watched(w, k->sport) ||
			    (k->inode && procfs_sockmap_find(&w->owners, k->inode, &cnt));
		if (!keep)
			continue;
		if (k->state == TCP_LISTEN && port_watched(w, k->sport)) {
			for (size_t l = 0; l < w->disc->n_listeners; l++)
				if (w->disc->listeners[l].inode == k->inode)
					listener_seen[l] = true;
			if (k->rqueue > s->listen_rq_max)
				s->listen_rq_max = k->rqueue;
			/* sk_acceptq_is_full() tests '>': Recv-Q = Send-Q is full
			 * for the next SYN (include/net/sock.h) */
			if (k->rqueue > 0 && k->rqueue >= k->wqueue && !queue_full) {
				char addr[80];
				sockdiag_format_addr(k->family, k->src, k->sport, false, addr,
						     sizeof(addr));
				snprintf(full_detail, sizeof(full_detail),
					 "LISTEN %s Recv-Q %u >= Send-Q %u (accept queue full)", addr,
					 k->rqueue, k->wqueue);
				queue_full = true;
			}
		}
		if (s->n_socks >= WATCH_MAX_SOCKS) {
			s->truncated = true;
			continue;
		}
		if (s->n_socks == s->cap_socks) {
			size_t cap = s->cap_socks ? s->cap_socks * 2 : 64;
			struct sockdiag_sock *v = realloc(s->socks, cap * sizeof(*v));
			if (!v) {
				s->truncated = true;
				continue;
			}
			s->socks = v;
			s->cap_socks = cap;
		}
		s->socks[s->n_socks++] = *k;
	}
	sockdiag_table_release(&tab);
	for (size_t l = 0; l < w->disc->n_listeners; l++)
		if (!listener_seen[l])
			w->next_discovery = 0;	/* a listener went away: look again next poll */

	/* counters of the namespace */
	char path[64];
	pid_t cp = counters_pid(w);
	snprintf(path, sizeof(path), "/proc/%d/net/netstat", (int)cp);
	s->have_netstat = read_small(path, &s->netstat, 1 << 20) == 0;
	snprintf(path, sizeof(path), "/proc/%d/net/snmp", (int)cp);
	s->have_snmp = read_small(path, &s->snmp, 1 << 20) == 0;
	for (int c = 0; c < C_N; c++)
		s->have_ctr[c] = counter_get(&s->netstat, "TcpExt:", counter_names[c], &s->ctr[c]);

	/* threads */
	for (size_t i = 0; i < w->n_targets; i++) {
		struct watch_target *t = &w->targets[i];
		if (t->gone)
			continue;
		poll_threads(w, t, s);
		if (t->gone)
			w->next_discovery = 0;
	}
	/* owners: rescan the fd tables only for sockets that matter and are
	 * not in the cache (and not more than once a poll) */
	if (attribute(w, s) && mono - w->owners_at >= w->cfg.interval * 0.5) {
		owners_rescan(w);
		attribute(w, s);
	}
	for (size_t i = 0; i < w->n_targets; i++) {
		const struct watch_target *t = &w->targets[i];
		if (s->n_comms == s->cap_comms) {
			size_t cap = s->cap_comms ? s->cap_comms * 2 : 16;
			struct procfs_comm *v = realloc(s->comms, cap * sizeof(*v));
			if (!v)
				break;
			s->comms = v;
			s->cap_comms = cap;
		}
		s->comms[s->n_comms].pid = t->pid;
		snprintf(s->comms[s->n_comms].comm, sizeof(s->comms[0].comm), "%s", t->comm);
		s->n_comms++;
	}
	w->ring_head = (w->ring_head + 1) % w->ring_cap;
	if (w->ring_n < w->ring_cap)
		w->ring_n++;
	w->polls++;

	/* ---- triggers */
	const struct watch_config *cfg = &w->cfg;
	double dt = prev ? s->mono - prev->mono : 0;
	if (cfg->overflow_min > 0 && prev && s->have_ctr[C_LISTEN_OVERFLOWS] &&
	    prev->have_ctr[C_LISTEN_OVERFLOWS]) {
		int64_t d1 = s->ctr[C_LISTEN_OVERFLOWS] - prev->ctr[C_LISTEN_OVERFLOWS];
		int64_t d2 = s->have_ctr[C_LISTEN_DROPS] && prev->have_ctr[C_LISTEN_DROPS]
			     ? s->ctr[C_LISTEN_DROPS] - prev->ctr[C_LISTEN_DROPS] : 0;
		if (d1 >= cfg->overflow_min || d2 >= cfg->overflow_min)
			fire(fired, max, &n_fired, WT_LISTEN_OVERFLOW, 0,
			     "ListenOverflows +%lld, ListenDrops +%lld in %.1f s",
			     (long long)d1, (long long)d2, dt);
	}
	w->queue_full_run = queue_full ? w->queue_full_run + 1 : 0;
	if (cfg->queue_full_polls > 0 && w->queue_full_run >= cfg->queue_full_polls)
		fire(fired, max, &n_fired, WT_ACCEPT_QUEUE_FULL, 0, "%s%s", full_detail,
		     w->queue_full_run > 1 ? " in polls in a row" : "");
	if (cfg->synq_min > 0 && prev && s->have_ctr[C_REQQ_COOKIES] &&
	    prev->have_ctr[C_REQQ_COOKIES]) {
		int64_t d1 = s->ctr[C_REQQ_COOKIES] - prev->ctr[C_REQQ_COOKIES];
		int64_t d2 = s->have_ctr[C_REQQ_DROP] && prev->have_ctr[C_REQQ_DROP]
			     ? s->ctr[C_REQQ_DROP] - prev->ctr[C_REQQ_DROP] : 0;
		if (d1 >= cfg->synq_min || d2 >= cfg->synq_min)
			fire(fired, max, &n_fired, WT_SYN_QUEUE_FULL, 0,
			     "TCPReqQFullDoCookies +%lld, TCPReqQFullDrop +%lld in %.1f s",
			     (long long)d1, (long long)d2, dt);
	}
	bool queue_waiting = prev && s->listen_rq_max > 0 && prev->listen_rq_max > 0;
	for (size_t i = 0; i < w->n_targets; i++) {
		struct watch_target *t = &w->targets[i];
		if (t->gone)
			continue;
		/* CLOSE-WAIT: rises without a fall in between */
		if (t->cw_have) {
			if (t->cw_now > t->cw_last)
				t->cw_rises++;
			else if (t->cw_now < t->cw_last)
				t->cw_rises = 0;
		}
		t->cw_last = t->cw_now;
		t->cw_have = true;
		if (cfg->closewait_rises > 0 && t->cw_rises >= cfg->closewait_rises)
			fire(fired, max, &n_fired, WT_CLOSE_WAIT_GROWING, t->pid,
			     "pid %d (%s): CLOSE-WAIT rose %ld times without falling, now %ld",
			     (int)t->pid, t->comm, t->cw_rises, t->cw_now);
		/* work waiting in two polls in a row: CPU ticks are 10 ms coarse, so
		 * a request that just arrived at an idle worker must not look like
		 * work it ignores */
		t->work_polls = t->cw_now || t->unread_now || queue_waiting ? t->work_polls + 1 : 0;
		if (cfg->stuck_seconds > 0 && t->worker && t->quiet && !t->stuck_fired &&
		    s->mono - t->quiet_since >= cfg->stuck_seconds - 1e-6 && t->work_polls >= 2) {
			fire(fired, max, &n_fired, WT_WORKER_STUCK, t->pid,
			     "pid %d (%s): all %zu threads blocked (S/D) with no CPU for %.0f s, "
			     "holding %ld CLOSE-WAIT and %ld unread connections%s",
			     (int)t->pid, t->comm, t->threads, s->mono - t->quiet_since, t->cw_now,
			     t->unread_now, queue_waiting ? ", accept queue not empty" : "");
			t->stuck_fired = true;
		}
	}
	return (int)n_fired;
}

double watch_ring_span(const struct watch *w)
{
	if (w->ring_n < 2)
		return 0;
	const struct watch_snap *first = &w->ring[(w->ring_head + w->ring_cap - w->ring_n) %
						  w->ring_cap];
	const struct watch_snap *last = &w->ring[(w->ring_head + w->ring_cap - 1) % w->ring_cap];
	return last->mono - first->mono;
}

size_t watch_write_ring(struct watch *w, struct bundle *b)
{
	/* ring/ is made 0700 by the bundle on the first file written into it */
	size_t written = 0;
	for (size_t k = 0; k < w->ring_n; k++) {
		struct watch_snap *s = &w->ring[(w->ring_head + w->ring_cap - w->ring_n + k) %
						w->ring_cap];
		char name[64];
		struct strbuf out = STRBUF_INIT;
		struct sockdiag_table t = { .v = s->socks, .n = s->n_socks, .cap = s->n_socks,
					    .truncated = s->truncated };
		struct procfs_sockmap m = { .v = s->refs, .n = s->n_refs, .cap = s->n_refs,
					    .comms = s->comms, .n_comms = s->n_comms,
					    .cap_comms = s->n_comms };
		sockdiag_write_ss(&out, &t, &m, NULL, NULL);
		snprintf(name, sizeof(name), "ring/ss-%03zu.txt", k + 1);
		bundle_write_evidence(b, name, "ss", s->at, &out);
		strbuf_release(&out);
		if (s->have_netstat) {
			snprintf(name, sizeof(name), "ring/proc-net-netstat-%03zu.txt", k + 1);
			bundle_write_evidence(b, name, "proc-net-netstat", s->at, &s->netstat);
		}
		if (s->have_snmp) {
			snprintf(name, sizeof(name), "ring/proc-net-snmp-%03zu.txt", k + 1);
			bundle_write_evidence(b, name, "proc-net-snmp", s->at, &s->snmp);
		}
		if (s->task.len) {
			snprintf(name, sizeof(name), "ring/proc-task-%03zu.txt", k + 1);
			bundle_write_evidence(b, name, "proc-task", s->at, &s->task);
		}
		written++;
	}
	return written;
}
