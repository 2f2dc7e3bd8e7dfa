/* derive.c — join what the parsers added into the tables the rules read.
 *
 * Listeners come from LISTEN rows (and from captures, pcap_flows.c); the
 * accept-queue limit is LISTEN Send-Q where the source shows it (ss,
 * sock_diag: tcp_diag_get_info() in net/ipv4/tcp_diag.c reports
 * sk_max_ack_backlog there). Processes come from socket owners (ss -p,
 * netstat -p) and stack dumps; CLOSE_WAIT and unread bytes are counted per
 * owner from the last snapshot that shows owners. */
#include "derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_proc(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_listener(const void *a, const void *b)
{
	const struct listener *x = *(const struct listener *const *)a;
	const struct listener *y = *(const struct listener *const *)b;
	if (x->addr.port != y->addr.port)
		return (x->addr.port > y->addr.port) - (x->addr.port < y->addr.port);
	return strcmp(x->name, y->name);
}

static void widen(struct incident *inc, double t)
{
	if (isnan(t))
		return;
	if (isnan(inc->t_first) || t < inc->t_first)
		inc->t_first = t;
	if (isnan(inc->t_last) || t > inc->t_last)
		inc->t_last = t;
}

/* Order the snapshots (order.c) and widen the evidence window to every
 * time that is a time: content and --at, packets, stack samples. */
static void order_snapshots(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		struct sock_snapshot *s = inc->sock_snaps.v[i];
		s->listen_only = s->rows.n > 0;
		for (size_t r = 0; r < s->rows.n && s->listen_only; r++)
			if (s->rows.v[r].state != TCP_LISTEN)
				s->listen_only = false;
	}
	derive_order(an);
	for (size_t i = 0; i < inc->sock_snaps.n; i++)
		if (inc->sock_snaps.v[i]->at_src == TIME_CONTENT ||
		    inc->sock_snaps.v[i]->at_src == TIME_LABEL)
			widen(inc, inc->sock_snaps.v[i]->at);
	for (size_t i = 0; i < inc->counter_snaps.n; i++)
		if (inc->counter_snaps.v[i]->at_src == TIME_CONTENT ||
		    inc->counter_snaps.v[i]->at_src == TIME_LABEL)
			widen(inc, inc->counter_snaps.v[i]->at);
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t t = 0; t < inc->processes.v[i]->threads.n; t++) {
			const struct thread *th = &inc->processes.v[i]->threads.v[t];
			for (size_t s = 0; s < th->samples.n; s++)
				widen(inc, th->samples.v[s].src.at);
		}
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->capture) {
			widen(inc, inc->listeners.v[i]->capture->first_ts);
			widen(inc, inc->listeners.v[i]->capture->last_ts);
		}
}

static void add_pid(struct incident *inc, struct listener *l, int32_t pid)
{
	for (size_t i = 0; i < l->pids.n; i++)
		if (l->pids.v[i] == pid)
			return;
	*VEC_PUSH(inc->arena, &l->pids) = pid;
}

/* Listen backlogs applications commonly ask for, and the somaxconn values
 * that cap them: Python socketserver 5, Java ServerSocket 50, uWSGI and
 * Tomcat 100, SOMAXCONN 128 (4096 since Linux 5.4, commit 19f92a030ca6),
 * nginx, Redis, Apache and Node.js 511, gunicorn 2048, 65535 for "all". */
static const int64_t common_limits[] = {
	5, 8, 16, 32, 50, 64, 100, 128, 256, 511, 512, 1024, 2048, 4096, 8192, 16384, 32768,
	65535,
};

/* netstat and /proc/net/tcp show a listener's accept queue as Recv-Q and 0
 * as Send-Q (get_tcp4_sock(), net/ipv4/tcp_ipv4.c: tx_queue is 0 for
 * TCP_LISTEN). sk_acceptq_is_full() (include/net/sock.h) tests '>', so a
 * full queue holds limit + 1 and never more: Recv-Q = somaxconn + 1 is a
 * full queue for certain (the limit is min(backlog, somaxconn)), and
 * Recv-Q = a common limit + 1 (129, 4097, 1025, 512, 9, 6) almost surely
 * one. The limit proved full, or -1. */
static int64_t inferred_full_limit(uint32_t recv_q, int64_t somaxconn, bool *certain)
{
	*certain = false;
	if (recv_q < 2)
		return -1;
	int64_t lim = (int64_t)recv_q - 1;
	if (somaxconn > 0 && lim == somaxconn) {
		*certain = true;
		return lim;
	}
	if (somaxconn > 0 && lim > somaxconn)
		return -1;	/* impossible here: the sysctl is another namespace's */
	for (size_t i = 0; i < sizeof(common_limits) / sizeof(common_limits[0]); i++)
		if (common_limits[i] == lim)
			return lim;
	return -1;
}

/* One LISTEN socket: rows with the same inode are one socket listed twice */
static bool same_socket(const struct sock_row *a, const struct sock_row *b)
{
	return a->have_inode && b->have_inode && a->inode == b->inode;
}

/* Distinct LISTEN sockets on this row's address in one snapshot: rows of
 * one tool are distinct sockets (nginx with reuseport lists N identical
 * rows in `ss -ltn`), unless their inodes say otherwise. */
static uint32_t sockets_on(const struct sock_snapshot *s, const struct sock_row *row)
{
	uint32_t n = 0;
	for (size_t k = 0; k < s->rows.n; k++) {
		const struct sock_row *x = &s->rows.v[k];
		if (x->state != TCP_LISTEN || !endpoint_equal(&x->local, &row->local))
			continue;
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = s->rows.v[j].state == TCP_LISTEN &&
			      endpoint_equal(&s->rows.v[j].local, &row->local) &&
			      same_socket(&s->rows.v[j], x);
		if (!dup)
			n++;
	}
	return n;
}

static size_t listener_index(const struct incident *inc, const struct listener *l)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i] == l)
			return i;
	return SIZE_MAX;
}

/* What one moment showed of one listener */
struct moment_look {
	uint64_t key;
	bool seen, limit_known, full, full_inferred, certain;
	int64_t limit;
	const struct sock_row *row;
};

static void look_end(struct listener *l, const struct moment_look *m)
{
	if (!m->seen)
		return;
	l->n_snapshots++;
	if (m->full) {
		l->n_full_snapshots++;
	} else if (m->full_inferred && !m->limit_known) {
		l->n_full_snapshots++;
		l->n_full_inferred++;
		if (l->limit_inferred < 0 || (m->certain && !l->inferred_from_somaxconn)) {
			l->limit_inferred = m->limit;
			l->inferred_from_somaxconn = m->certain;
			l->inferred_src = m->row->src;
		}
	}
}

static uint64_t moment_key(const struct sock_snapshot *s, size_t i)
{
	/* moment 0: not grouped (derive_order not run): each its own */
	return s->moment ? s->moment : ((uint64_t)1 << 32) + i;
}

static void derive_listeners(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_LISTEN)
				continue;
			struct listener *l = incident_listener(inc, &row->local, true);
			uint32_t same = sockets_on(s, row);
			if (same > l->n_sockets)
				l->n_sockets = same;
			if (same > 1)
				l->reuseport = true;
			for (uint32_t o = 0; o < row->n_owners; o++)
				add_pid(inc, l, row->owners[o].pid);
			if (!row->have_queues)
				continue;
			if (s->listen_send_q_is_limit) {
				/* the limit is min(backlog, somaxconn) as the kernel
				 * applied it at listen() time (__sys_listen) */
				if (l->backlog < 0 || (int64_t)row->send_q != l->backlog) {
					if (l->backlog >= 0 && (int64_t)row->send_q != l->backlog)
						analysis_note(an, "listener %s: accept-queue limit changed "
							      "between snapshots (%lld, then %u)",
							      l->name, (long long)l->backlog,
							      row->send_q);
					l->backlog = row->send_q;
					l->backlog_src = row->src;
				}
			}
			if ((int64_t)row->recv_q > l->max_recv_q) {
				l->max_recv_q = row->recv_q;
				l->max_src = row->src;
			}
		}
	}
	/* moment by moment: ss, netstat and /proc/net/tcp of one moment are one
	 * look at the listener, full when any of them shows it full */
	int64_t somaxconn = -1;
	if (!incident_sysctl_i64(inc, "net.core.somaxconn", &somaxconn))
		somaxconn = -1;
	struct moment_look *ml = arena_calloc(&an->arena, inc->listeners.n ? inc->listeners.n : 1,
					      sizeof(*ml));
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		uint64_t key = moment_key(s, i);
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_LISTEN)
				continue;
			struct listener *l = incident_listener(inc, &row->local, false);
			size_t li = listener_index(inc, l);
			if (li == SIZE_MAX)
				continue;
			struct moment_look *m = &ml[li];
			if (m->key != key) {
				look_end(l, m);
				memset(m, 0, sizeof(*m));
				m->key = key;
			}
			m->seen = true;
			if (!row->have_queues)
				continue;
			/* sk_acceptq_is_full() (include/net/sock.h) tests '>': the
			 * queue peaks at limit + 1, and from Recv-Q == Send-Q on the
			 * next SYN is dropped. A limit ss showed in another moment
			 * judges netstat's rows too. */
			int64_t limit = s->listen_send_q_is_limit ? (int64_t)row->send_q : l->backlog;
			if (limit >= 0) {
				m->limit_known = true;
				if ((int64_t)row->recv_q >= limit && (limit > 0 || row->recv_q > 0))
					m->full = true;
				continue;
			}
			bool certain;
			int64_t lim = inferred_full_limit(row->recv_q, somaxconn, &certain);
			if (lim >= 0 && (!m->full_inferred || (certain && !m->certain))) {
				m->full_inferred = true;
				m->certain = certain;
				m->limit = lim;
				m->row = row;
			}
		}
	}
	for (size_t li = 0; li < inc->listeners.n; li++)
		look_end(inc->listeners.v[li], &ml[li]);
	for (size_t i = 0; i < inc->listeners.n; i++) {
		struct listener *l = inc->listeners.v[i];
		if (l->pids.n > 1)
			qsort(l->pids.v, l->pids.n, sizeof(int32_t), cmp_i32);
	}
	if (inc->listeners.n > 1)
		qsort(inc->listeners.v, inc->listeners.n, sizeof(void *), cmp_listener);
}

/* Does a connection's local endpoint belong to this listener? */
static bool served_by(const struct listener *l, const struct endpoint *local)
{
	if (l->addr.any_port || local->any_port || l->addr.port != local->port)
		return false;
	/* a masked address (the reporter hid it) could be any: the port decides */
	if (endpoint_is_any(&l->addr) || l->addr.masked || local->masked)
		return true;
	if (l->addr.family == local->family)
		return endpoint_equal(&l->addr, local);
	return false;
}

const struct listener *derive_listener_of(const struct incident *inc, const struct endpoint *local)
{
	const struct listener *best = NULL;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		if (!served_by(l, local))
			continue;
		if (!best || !endpoint_is_any(&l->addr))
			best = l;
	}
	return best;
}

/* A connection in the accept queue has no owner: no process has accept()ed
 * it, so no fd refers to it and ss -p / netstat -p show none (netstat
 * prints "-"). Its listener's LISTEN Recv-Q counts it (sk_ack_backlog,
 * inet_csk_reqsk_queue_add()), also once the client gave up and sent its
 * FIN (the child socket moves to CLOSE-WAIT in the queue). So in one look:
 * - a snapshot with owners: the ownerless ESTAB/CLOSE-WAIT rows of a port,
 *   when no more than that listener's Recv-Q, are in its queue;
 * - a snapshot without owners (ss -tan): the rows holding unread data
 *   (ESTAB, CLOSE-WAIT), when no more than the listener's Recv-Q, may all
 *   be in it, and are taken as such: an accepted connection nobody reads
 *   leaves the listener's Recv-Q at 0, a stalled accept() does not.
 * Rows beyond what Recv-Q admits are left alone (not ours to tell). */
static bool queue_candidate(const struct sock_snapshot *s, const struct sock_row *row)
{
	if (row->state != TCP_ESTABLISHED && row->state != TCP_CLOSE_WAIT)
		return false;
	if (s->has_owners)
		return row->n_owners == 0;
	return row->have_queues && sock_unread(row) > 0;
}

/* The accept queue of a listener in one snapshot: its LISTEN Recv-Q, summed
 * over the sockets of a reuseport group; -1 when not listed. */
static int64_t listen_queue(const struct sock_snapshot *s, const struct listener *l)
{
	int64_t sum = -1;
	for (size_t r = 0; r < s->rows.n; r++) {
		const struct sock_row *row = &s->rows.v[r];
		if (row->state != TCP_LISTEN || !row->have_queues ||
		    !endpoint_equal(&row->local, &l->addr))
			continue;
		bool dup = false;
		for (size_t k = 0; k < r && !dup; k++)
			dup = s->rows.v[k].state == TCP_LISTEN && same_socket(&s->rows.v[k], row);
		if (!dup)
			sum = (sum < 0 ? 0 : sum) + row->recv_q;
	}
	return sum;
}

static void mark_accept_queues(struct analysis *an)
{
	struct incident *inc = &an->inc;
	size_t nl = inc->listeners.n;
	if (!nl)
		return;
	int64_t *q = arena_calloc(&an->arena, nl, sizeof(*q));
	uint32_t *cand = arena_calloc(&an->arena, nl, sizeof(*cand));
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (s->listen_only)
			continue;
		bool any = false;
		for (size_t li = 0; li < nl; li++) {
			q[li] = -1;
			cand[li] = 0;
		}
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (!queue_candidate(s, row))
				continue;
			size_t li = listener_index(inc, derive_listener_of(inc, &row->local));
			if (li != SIZE_MAX) {
				cand[li]++;
				any = true;
			}
		}
		if (!any)
			continue;
		/* the listeners' queues in this snapshot, else in another
		 * snapshot of the same moment (another tool) */
		size_t lo = i, hi = i + 1;	/* the moment's snapshots are adjacent */
		while (s->moment && lo > 0 && inc->sock_snaps.v[lo - 1]->moment == s->moment)
			lo--;
		while (s->moment && hi < inc->sock_snaps.n && inc->sock_snaps.v[hi]->moment == s->moment)
			hi++;
		for (size_t li = 0; li < nl; li++) {
			if (!cand[li])
				continue;
			q[li] = listen_queue(s, inc->listeners.v[li]);
			for (size_t j = lo; j < hi && q[li] < 0; j++)
				if (j != i)
					q[li] = listen_queue(inc->sock_snaps.v[j], inc->listeners.v[li]);
		}
		for (size_t r = 0; r < s->rows.n; r++) {
			struct sock_row *row = &s->rows.v[r];
			if (!queue_candidate(s, row))
				continue;
			size_t li = listener_index(inc, derive_listener_of(inc, &row->local));
			if (li != SIZE_MAX && q[li] >= (int64_t)cand[li])
				row->in_accept_queue = true;
		}
	}
}

static bool addr_is_loopback(const struct endpoint *e)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (e->family == AF_INET)
		return e->addr[0] == 127;
	if (e->family == AF_INET6)
		return memcmp(e->addr, v6_loopback, 16) == 0 ||
		       (memcmp(e->addr, v4_mapped, 12) == 0 && e->addr[12] == 127);
	return false;
}

const struct listener *derive_listener_of_peer(const struct incident *inc,
					       const struct sock_row *row)
{
	/* the client runs here: it connects to loopback, or to this host's own
	 * address (the one its own socket is bound to) */
	bool local = addr_is_loopback(&row->peer) ||
		     (row->peer.family && row->peer.family == row->local.family &&
		      memcmp(row->peer.addr, row->local.addr,
			     row->peer.family == AF_INET ? 4 : 16) == 0);
	return local ? derive_listener_of(inc, &row->peer) : NULL;
}

bool derive_mirror(const struct sock_row *client, const struct sock_row *server)
{
	return endpoint_equal(&client->local, &server->peer) &&
	       endpoint_equal(&client->peer, &server->local);
}

static void derive_processes(struct analysis *an)
{
	struct incident *inc = &an->inc;
	/* every socket owner is a process we know of */
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct process *p = incident_process(inc, row->owners[o].pid, true);
				if (!p->comm && row->owners[o].comm)
					p->comm = row->owners[o].comm;
				if (!p->src.file)
					p->src = row->src;
			}
		}
	}
	/* connections waiting on each owner, snapshot by snapshot: a worker that
	 * holds accepted connections nobody reads in several snapshots in a row
	 * has work queued that no thread takes (classify.c) */
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (!s->has_owners || s->listen_only)
			continue;
		for (size_t k = 0; k < inc->processes.n; k++)
			inc->processes.v[k]->waiting_conns = 0;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_CLOSE_WAIT &&
			    !(row->state == TCP_ESTABLISHED && sock_unread(row) > 0))
				continue;
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct process *p = incident_process(inc, row->owners[o].pid, false);
				if (p)
					p->waiting_conns++;
			}
		}
		for (size_t k = 0; k < inc->processes.n; k++) {
			struct process *p = inc->processes.v[k];
			p->waiting_runs = p->waiting_conns ? p->waiting_runs + 1 : 0;
		}
	}
	/* CLOSE_WAIT and unread bytes per owner, from the last snapshot with owners */
	const struct sock_snapshot *last = NULL;
	for (size_t i = inc->sock_snaps.n; i-- > 0;)
		if (inc->sock_snaps.v[i]->has_owners && !inc->sock_snaps.v[i]->listen_only) {
			last = inc->sock_snaps.v[i];
			break;
		}
	if (last) {
		for (size_t r = 0; r < last->rows.n; r++) {
			const struct sock_row *row = &last->rows.v[r];
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct process *p = incident_process(inc, row->owners[o].pid, false);
				if (!p)
					continue;
				if (row->state == TCP_CLOSE_WAIT)
					p->close_wait++;
				p->unread_bytes += sock_unread(row);
			}
		}
	}
	/* roles: the holders of a listening socket shared by several processes
	 * are pre-forked workers; their common parent (when ppid is known) is
	 * the parent */
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		for (size_t k = 0; k < l->pids.n; k++) {
			struct process *p = incident_process(inc, l->pids.v[k], false);
			if (p && p->role == ROLE_OTHER)
				p->role = ROLE_WORKER;
		}
	}
	for (size_t i = 0; i < inc->processes.n; i++) {
		struct process *p = inc->processes.v[i];
		if (p->role != ROLE_WORKER || p->ppid <= 0)
			continue;
		struct process *parent = incident_process(inc, p->ppid, false);
		if (parent)
			parent->role = ROLE_PARENT;
	}
	if (inc->processes.n > 1)
		qsort(inc->processes.v, inc->processes.n, sizeof(void *), cmp_proc);
}

const struct sock_snapshot *derive_last_conn_snapshot(const struct incident *inc, size_t *idx)
{
	for (size_t i = inc->sock_snaps.n; i-- > 0;)
		if (!inc->sock_snaps.v[i]->listen_only) {
			if (idx)
				*idx = i;
			return inc->sock_snaps.v[i];
		}
	return NULL;
}

/* netstat -s prints most counters only when they are not zero (net-tools
 * statistics.c skips zero values for the TcpExt/IpExt tables): a counter
 * another netstat -s snapshot shows but this one does not was 0. */
static void netstat_s_zeros(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *a = inc->counter_snaps.v[i];
		if (a->source != CNTSRC_NETSTAT_S)
			continue;
		for (size_t k = 0; k < a->counters.n; k++) {
			const char *name = a->counters.v[k].name;
			for (size_t j = 0; j < inc->counter_snaps.n; j++) {
				struct counter_snapshot *b = inc->counter_snaps.v[j];
				if (b->source != CNTSRC_NETSTAT_S || counter_snapshot_find(b, name))
					continue;
				struct provenance src = { .file = b->file, .at = b->at,
							  .text = "(not printed: netstat -s omits counters "
								  "that are 0)" };
				counter_snapshot_set(inc, b, name, 0, &src);
			}
		}
	}
}

/* nstat prints increments since its previous run unless -a is given
 * (misc/nstat.c: dump_incr_db() subtracts the history file every run
 * rewrites; dump_kern_db() prints totals), and both look alike: "#kernel",
 * then "Name value rate". Output that does not say which (no command line,
 * no " (overflow)": parse_nstat.c mode_guessed) is read as totals; here it is
 * compared with the snapshot before it. Totals never go down, so an nstat
 * run lower than the snapshot before on most of the counters both show
 * printed increments, and so did every other unmarked nstat run (the same
 * command; its first run may print totals since boot, which the chain
 * below does not use). A reboot in between also lowers them: then no delta
 * can be taken either. */
static bool nstat_modes(struct analysis *an)
{
	struct incident *inc = &an->inc;
	const struct counter_snapshot *low = NULL, *high = NULL;
	size_t low_down = 0, low_common = 0;
	for (size_t i = 1; i < inc->counter_snaps.n && !low; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->source != CNTSRC_NSTAT || !s->mode_guessed || s->increments)
			continue;
		const struct counter_snapshot *p = NULL;
		for (size_t k = i; k-- > 0 && !p;)
			if (!inc->counter_snaps.v[k]->increments)
				p = inc->counter_snaps.v[k];
		if (!p)
			continue;
		size_t down = 0, common = 0;
		for (size_t c = 0; c < s->counters.n; c++) {
			const struct counter *pc = counter_snapshot_find(p, s->counters.v[c].name);
			if (!pc)
				continue;
			common++;
			if (s->counters.v[c].value < pc->value)
				down++;
		}
		if (down && down * 2 > common) {
			low = s;
			high = p;
			low_down = down;
			low_common = common;
		}
	}
	if (!low)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->source == CNTSRC_NSTAT && s->mode_guessed && !s->increments) {
			s->increments = true;
			n++;
		}
	}
	analysis_note(an, "%s: %zu of %zu counters lower than in %s: %s read as nstat's default "
			  "mode (increments since the previous nstat run), not totals; each run's "
			  "values are the change since the run before it (nstat keeps one history "
			  "file per user: another run in between shortens the window), or the host "
			  "rebooted in between, or the files come from different hosts",
		      low->file, low_down, low_common, high->file,
		      n > 1 ? arena_printf(&an->arena, "the %zu nstat outputs without -a are", n)
			    : "it is");
	return true;
}

/* nstat leaves out counters whose value (for increments: whose increment)
 * is 0 unless -z is given (dump_incr_db(): !dump_zeros && !val): in a chain of
 * runs printing increments, a counter another run of the chain shows but
 * this one does not moved by 0. incident_counter_span() sums the chain. */
static void nstat_increment_zeros(struct analysis *an)
{
	struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		struct counter_snapshot *b = inc->counter_snaps.v[i];
		if (b->source != CNTSRC_NSTAT || !b->increments)
			continue;
		for (size_t j = 0; j < inc->counter_snaps.n; j++) {
			const struct counter_snapshot *a = inc->counter_snaps.v[j];
			if (a == b || a->source != CNTSRC_NSTAT)
				continue;
			for (size_t k = 0; k < a->counters.n; k++) {
				const char *name = a->counters.v[k].name;
				if (counter_snapshot_find(b, name))
					continue;
				struct provenance src = { .file = b->file, .at = b->at,
							  .text = "(not printed: nstat leaves out "
								  "counters whose increment is 0)" };
				counter_snapshot_set(inc, b, name, 0, &src);
			}
		}
	}
}

/* Kernel log messages no rule reads, as notes; and what a kernel log that
 * says nothing of interest rules out. */
static void kernel_log_notes(struct analysis *an)
{
	const struct incident *inc = &an->inc;
	uint64_t n[KEV_N] = { 0 };
	const struct kernel_event *first[KEV_N] = { 0 };
	for (size_t i = 0; i < inc->kernel_events.n; i++) {
		const struct kernel_event *e = &inc->kernel_events.v[i];
		if (!first[e->kind])
			first[e->kind] = e;
		n[e->kind] += e->count;
	}
	static const char *const why[KEV_N] = {
		[KEV_ORPHANS] = "more closed-but-unfinished connections than "
				"net.ipv4.tcp_max_orphans: the kernel reset them (tcp_check_oom(), "
				"TCPAbortOnMemory), so clients see resets or cut responses",
		[KEV_TCP_MEM] = "TCP used more memory than net.ipv4.tcp_mem allows: the kernel "
				"drops incoming segments and resets orphaned connections "
				"(tcp_check_oom()); receive queues nobody reads hold that memory",
		[KEV_SOCKET_MEM] = "before Linux 3.1 this meant too many orphaned sockets or "
				   "tcp_mem exceeded: connections were reset (tcp_out_of_resources())",
		[KEV_TW_OVERFLOW] = "more TIME-WAIT sockets than net.ipv4.tcp_max_tw_buckets: "
				    "closing connections skipped TIME-WAIT (tcp_time_wait()); this "
				    "does not stop a listener from accepting",
	};
	for (int k = 0; k < KEV_N; k++)
		if (n[k] && why[k] && first[k])
			analysis_note(an, "%s:%u: the kernel logged \"%s\" (%llu line%s): %s",
				      first[k]->src.file, first[k]->src.line,
				      first[k]->text ? first[k]->text : kernel_event_name(k),
				      (unsigned long long)n[k], n[k] == 1 ? "" : "s", why[k]);
	uint64_t lines = 0;
	size_t logs = 0;
	for (size_t i = 0; i < an->inputs.n; i++)
		if (an->inputs.v[i].cls == EV_KERNEL_LOG && an->inputs.v[i].status != INPUT_ERROR) {
			lines += an->inputs.v[i].records;
			logs++;
		}
	if (logs && !inc->kernel_events.n)
		analysis_checked(an, "kernel log: %llu kernel line%s, no SYN flooding, conntrack "
				 "table full, orphaned sockets, tcp_mem or file-max message",
				 (unsigned long long)lines, lines == 1 ? "" : "s");
}

/* Evidence from two machines joined into one incident would mix their
 * counters and sockets: say so when the sysctl dumps name different hosts
 * (kernel.hostname), citing the first file of each. */
static void check_one_host(struct analysis *an)
{
	const struct sysctl *first = NULL;
	const struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->sysctls.n; i++) {
		const struct sysctl *s = &inc->sysctls.v[i];
		if (strcmp(s->name, "kernel.hostname") != 0 || !s->value || !s->value[0])
			continue;
		if (!first) {
			first = s;
		} else if (strcmp(first->value, s->value) != 0) {
			analysis_note(an, "inputs come from different hosts: '%.64s' (%s) and '%.64s' "
					  "(%s); their evidence is joined as if it were one machine",
				      first->value, first->src.file ? first->src.file : "?",
				      s->value, s->src.file ? s->src.file : "?");
			return;
		}
	}
}

void derive_incident(struct analysis *an)
{
	check_one_host(an);
	netstat_s_zeros(an);
	order_snapshots(an);
	/* nstat's default mode is told from the order (a run whose values drop
	 * against the one before it printed increments); the monotonic counter
	 * check of the order must then leave those runs out: order again */
	if (nstat_modes(an))
		derive_order(an);
	nstat_increment_zeros(an);
	kernel_log_notes(an);
	derive_listeners(an);
	mark_accept_queues(an);
	derive_processes(an);
}
