/* unread_receive_queue.c — received data the application does not read.
 *
 * For a non-LISTEN socket, ss/netstat Recv-Q is rcv_nxt - copied_seq
 * (tcp_diag_get_info(), get_tcp4_sock()): bytes the kernel holds that the
 * application has not read. Once the receive buffer is full the window
 * closes (tcp_select_window() advertises 0) and the peer stalls. A handler
 * that is stuck, or reads nothing, leaves Recv-Q above zero snapshot after
 * snapshot; a busy healthy server drains it between snapshots. In
 * CLOSE-WAIT the peer's FIN occupies one sequence number (tcp_fin() after
 * rcv_nxt moved past it), so Recv-Q is the unread bytes + 1. Findings are
 * per listener (or local port), naming every process that holds such
 * sockets. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "derive/derive.h"
#include "rule.h"

#define BIG_RECVQ 65536u
#define MAX_GROUPS 32
#define MAX_PIDS 32

struct uq_pid {
	int32_t pid;		/* 0 = no owner shown */
	uint32_t sockets, stalled, big;
	uint64_t bytes;
};

struct uq {
	const struct listener *l;
	uint16_t port;
	struct uq_pid pids[MAX_PIDS];
	size_t n_pids;
	uint32_t sockets, stalled, big, max_q;
	uint64_t bytes;
	const struct sock_row *worst;
	int64_t zero_window;
};

static bool conn_eq(const struct sock_row *a, const struct sock_row *b)
{
	return endpoint_equal(&a->local, &b->local) && endpoint_equal(&a->peer, &b->peer);
}

/* Recv-Q was already non-zero and not smaller in an earlier snapshot. */
static bool stalled(const struct incident *inc, size_t last_i, const struct sock_row *row)
{
	const struct sock_snapshot *last = inc->sock_snaps.v[last_i];
	for (size_t i = 0; i < last_i; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (s->moment && s->moment == last->moment)
			continue;	/* another tool at the same moment is not earlier */
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *o = &s->rows.v[r];
			if (o->state == TCP_LISTEN || !o->have_queues || !sock_unread(o))
				continue;
			if (conn_eq(o, row) && sock_unread(row) >= sock_unread(o))
				return true;
		}
	}
	return false;
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	size_t last_i;
	const struct sock_snapshot *last = derive_last_conn_snapshot(inc, &last_i);
	if (!last) {
		/* the wire side: a receiver advertising a zero window */
		for (size_t i = 0; i < inc->listeners.n; i++) {
			const struct listener *l = inc->listeners.v[i];
			const struct capture_stats *c = l->capture;
			if (!c || !c->zero_window)
				continue;
			struct finding *f = finding_new(an, self, SEV_WARNING,
							0.6 * capture_keep(c),
							"zero windows advertised %llu times on connections "
							"of %s (capture)",
							(unsigned long long)c->zero_window, l->name);
			f->listener = l->name;
			finding_fact_int(an, f, "zero_window", (int64_t)c->zero_window);
			finding_fact_int(an, f, "window_probes", (int64_t)c->window_probes);
			finding_detail(an, f, "a receiver's buffer was full: its application was not "
					      "reading (%llu window probes sent at it)",
				       (unsigned long long)c->window_probes);
			finding_advice(an, f, "Take `ss -tanp` on the server: the sockets with a large "
					      "Recv-Q show which process stopped reading.");
		}
		return;
	}
	struct uq *tab = arena_calloc(&an->arena, MAX_GROUPS, sizeof(*tab));
	size_t n = 0;
	uint64_t total = 0;
	for (size_t r = 0; r < last->rows.n; r++) {
		const struct sock_row *row = &last->rows.v[r];
		if (row->state == TCP_LISTEN || !row->have_queues || sock_unread(row) == 0)
			continue;
		if (row->state != TCP_ESTABLISHED && row->state != TCP_CLOSE_WAIT)
			continue;
		/* in a snapshot that shows owners, an ownerless connection is still
		 * in an accept queue: nobody could have read it yet (that is the
		 * accept-queue rule's business) */
		if ((last->has_owners && !row->n_owners) || row->in_accept_queue)
			continue;
		uint32_t unread = sock_unread(row);
		total += unread;
		const struct listener *l = derive_listener_of(inc, &row->local);
		struct uq *u = NULL;
		for (size_t k = 0; k < n; k++)
			if (tab[k].l == l && (l || tab[k].port == row->local.port))
				u = &tab[k];
		if (!u) {
			if (n == MAX_GROUPS)
				continue;
			u = &tab[n++];
			u->l = l;
			u->port = row->local.port;
			u->zero_window = 0;
		}
		int32_t pid = row->n_owners ? row->owners[0].pid : 0;
		struct uq_pid *p = NULL;
		for (size_t k = 0; k < u->n_pids; k++)
			if (u->pids[k].pid == pid)
				p = &u->pids[k];
		if (!p && u->n_pids < MAX_PIDS) {
			p = &u->pids[u->n_pids++];
			p->pid = pid;
		}
		bool st = stalled(inc, last_i, row);
		u->sockets++;
		u->bytes += unread;
		if (unread >= BIG_RECVQ)
			u->big++;
		if (st)
			u->stalled++;
		if (row->rcv_wnd == 0)
			u->zero_window++;
		if (unread > u->max_q) {
			u->max_q = unread;
			u->worst = row;
		}
		if (p) {
			p->sockets++;
			p->bytes += unread;
			if (st)
				p->stalled++;
			if (unread >= BIG_RECVQ)
				p->big++;
		}
	}
	bool any = false;
	for (size_t k = 0; k < n; k++) {
		struct uq *u = &tab[k];
		if (!u->stalled && !u->big)
			continue;
		any = true;
		const char *where = u->l ? u->l->name : arena_printf(&an->arena, "port %u", u->port);
		/* pids in ascending order */
		for (size_t a = 1; a < u->n_pids; a++)
			for (size_t b = a; b > 0 && u->pids[b].pid < u->pids[b - 1].pid; b--) {
				struct uq_pid tmp = u->pids[b];
				u->pids[b] = u->pids[b - 1];
				u->pids[b - 1] = tmp;
			}
		struct finding *f = finding_new(an, self, SEV_WARNING,
						u->stalled ? 0.85 : 0.6,
						"%llu received bytes left unread on %u sockets of %s",
						(unsigned long long)u->bytes, u->sockets, where);
		f->listener = u->l ? u->l->name : NULL;
		struct strbuf detail = STRBUF_INIT;
		for (size_t i = 0; i < u->n_pids; i++) {
			const struct uq_pid *p = &u->pids[i];
			if (p->pid) {
				finding_pid(an, f, p->pid);
				char name[48];
				snprintf(name, sizeof(name), "unread_bytes_pid_%d", p->pid);
				finding_fact_int(an, f, name, (int64_t)p->bytes);
			}
			strbuf_addf(&detail, "%s%s %d: %llu bytes on %u sockets",
				    i ? ", " : "", p->pid ? "pid" : "no owner", p->pid,
				    (unsigned long long)p->bytes, p->sockets);
		}
		strbuf_addf(&detail,
			    "; %u of %u sockets kept a non-zero Recv-Q that did not shrink between "
			    "snapshots, the largest %u bytes", u->stalled, u->sockets, u->max_q);
		if (u->zero_window)
			strbuf_addf(&detail, "; %lld advertise a zero window",
				    (long long)u->zero_window);
		finding_fact_int(an, f, "sockets", u->sockets);
		finding_fact_int(an, f, "unread_bytes", (int64_t)u->bytes);
		finding_fact_int(an, f, "stalled_sockets", u->stalled);
		finding_fact_int(an, f, "max_recv_q", u->max_q);
		if (!u->stalled) {
			/* big queues in one look: the next look may find them read */
			finding_fact_int(an, f, "looks", 1);
			strbuf_addf(&detail,
				   "; one look: a second snapshot in which these Recv-Q have not "
				   "shrunk would confirm the application stopped reading");
		}
		if (u->worst)
			finding_evidence(an, f, &u->worst->src, NULL);
		finding_detail(an, f, "%s", detail.buf);
		strbuf_release(&detail);
		finding_advice(an, f,
			       "The application stopped reading these connections: look at what its "
			       "threads are blocked on (`stuckscope stacks --pid %d`). A full receive "
			       "buffer closes the TCP window and stalls the clients.",
			       u->n_pids ? u->pids[0].pid : 0);
	}
	if (!any)
		analysis_checked(an, "no unread receive queues piling up (%llu bytes unread in the "
				 "last snapshot)", (unsigned long long)total);
}

const struct rule rule_unread_receive_queue = {
	.id = "unread-receive-queue",
	.title = "established sockets whose received data the application does not read",
	.doc = "Looks at ESTAB and CLOSE-WAIT sockets whose Recv-Q (bytes received, not yet "
	       "read) stays above zero and does not shrink between snapshots, or holds 64 KiB "
	       "or more, per listener, naming the processes that hold them. Connections still "
	       "in an accept queue (no owner in an ss -p snapshot, or unread data LISTEN "
	       "Recv-Q accounts for) are not counted.",
	.needs = NEED_SOCKETS,
	.run = run,
};
