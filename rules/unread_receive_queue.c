/* unread_receive_queue.c — received data the application does not read.
 *
 * For a non-LISTEN socket, ss/netstat Recv-Q is rcv_nxt - copied_seq
 * (tcp_diag_get_info(), get_tcp4_sock()): bytes the kernel holds that the
 * application has not read. Once the receive buffer is full the window
 * closes (tcp_select_window() advertises 0) and the peer stalls. A handler
 * that is stuck, or reads nothing, leaves Recv-Q above zero snapshot after
 * snapshot; a busy healthy server drains it between snapshots. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "derive.h"
#include "rule.h"

#define BIG_RECVQ 65536u
#define MAX_OWNERS 64

struct uq {
	int32_t pid;		/* 0 = no owner shown */
	uint16_t port;
	uint32_t sockets, stalled, big;
	uint64_t bytes;
	uint32_t max_q;
	const struct sock_row *worst;
};

static bool conn_eq(const struct sock_row *a, const struct sock_row *b)
{
	return endpoint_equal(&a->local, &b->local) && endpoint_equal(&a->peer, &b->peer);
}

/* Recv-Q was already non-zero and not smaller in an earlier snapshot. */
static bool stalled(const struct incident *inc, size_t last_i, const struct sock_row *row)
{
	for (size_t i = 0; i < last_i; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *o = &s->rows.v[r];
			if (o->state == TCP_LISTEN || !o->have_queues || !o->recv_q)
				continue;
			if (conn_eq(o, row) && row->recv_q >= o->recv_q)
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
	if (!last)
		return;
	struct uq *tab = arena_calloc(&an->arena, MAX_OWNERS, sizeof(*tab));
	size_t n = 0;
	uint64_t total = 0;
	for (size_t r = 0; r < last->rows.n; r++) {
		const struct sock_row *row = &last->rows.v[r];
		if (row->state == TCP_LISTEN || !row->have_queues || row->recv_q == 0)
			continue;
		if (row->state != TCP_ESTABLISHED && row->state != TCP_CLOSE_WAIT)
			continue;
		/* in a snapshot that shows owners, an ownerless connection is still
		 * in an accept queue: nobody could have read it yet (that is the
		 * accept-queue rule's business) */
		if (last->has_owners && !row->n_owners)
			continue;
		total += row->recv_q;
		int32_t pid = row->n_owners ? row->owners[0].pid : 0;
		struct uq *u = NULL;
		for (size_t k = 0; k < n; k++)
			if (tab[k].pid == pid && (pid || tab[k].port == row->local.port))
				u = &tab[k];
		if (!u) {
			if (n == MAX_OWNERS)
				continue;
			u = &tab[n++];
			u->pid = pid;
			u->port = row->local.port;
		}
		u->sockets++;
		u->bytes += row->recv_q;
		if (row->recv_q >= BIG_RECVQ)
			u->big++;
		if (stalled(inc, last_i, row))
			u->stalled++;
		if (row->recv_q > u->max_q) {
			u->max_q = row->recv_q;
			u->worst = row;
		}
	}
	bool any = false;
	for (size_t k = 0; k < n; k++) {
		const struct uq *u = &tab[k];
		if (!u->stalled && !u->big)
			continue;
		any = true;
		const struct listener *l = u->worst ? derive_listener_of(inc, &u->worst->local) : NULL;
		struct finding *f;
		if (u->pid)
			f = finding_new(an, self, SEV_WARNING, u->stalled ? 0.85 : 0.6,
					"pid %d leaves %llu received bytes unread on %u sockets", u->pid,
					(unsigned long long)u->bytes, u->sockets);
		else
			f = finding_new(an, self, SEV_WARNING, u->stalled ? 0.75 : 0.5,
					"%llu received bytes unread on %u sockets of port %u",
					(unsigned long long)u->bytes, u->sockets, u->port);
		f->listener = l ? l->name : NULL;
		if (u->pid)
			finding_pid(an, f, u->pid);
		finding_fact_int(an, f, "sockets", u->sockets);
		finding_fact_int(an, f, "unread_bytes", (int64_t)u->bytes);
		finding_fact_int(an, f, "stalled_sockets", u->stalled);
		finding_fact_int(an, f, "max_recv_q", u->max_q);
		if (u->worst)
			finding_evidence(an, f, &u->worst->src, NULL);
		finding_detail(an, f,
			       "%u of %u sockets kept a non-zero Recv-Q that did not shrink between "
			       "snapshots; the largest holds %u bytes",
			       u->stalled, u->sockets, u->max_q);
		finding_advice(an, f,
			       "The application stopped reading these connections: look at what its "
			       "threads are blocked on (`stuckscope stacks --pid %d`). A full receive "
			       "buffer closes the TCP window and stalls the clients.",
			       u->pid);
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
	       "or more, grouped per owning process.",
	.needs = NEED_SOCKETS,
	.run = run,
};
