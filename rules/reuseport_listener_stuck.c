/* reuseport_listener_stuck.c — one SO_REUSEPORT listener's queue full while
 * its siblings drain.
 *
 * With SO_REUSEPORT every worker has its own listening socket and accept
 * queue; the kernel picks one per connection by a hash of the 4-tuple
 * (reuseport_select_sock(), net/core/sock_reuseport.c). A worker that stops
 * accepting leaves its queue full, and every SYN hashed to it is dropped and
 * retransmitted to the same socket, while the siblings serve: a partial
 * failure (1 in N connections) that looks random to clients. */
#include <stdio.h>
#include <string.h>

#include "rule.h"

#define MAX_SOCKS 64

struct sock_seen {
	uint64_t inode;
	int32_t pid;
	uint32_t full, drained, seen;
	uint32_t moment;	/* the last moment counted: one look per moment */
	const struct sock_row *row;
};

/* One socket across snapshots: the same inode where both rows show one,
 * else the same owner. An ss -tlnp row (owner, no inode) and an ss -tlne
 * row (inode) of one socket must not make two sockets of a group. */
static bool same_sock(const struct sock_seen *x, const struct sock_row *row, int32_t pid)
{
	if (x->inode && row->have_inode)
		return x->inode == row->inode;
	return pid && x->pid == pid;
}

static void run(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	for (size_t li = 0; li < inc->listeners.n; li++) {
		const struct listener *l = inc->listeners.v[li];
		if (!l->reuseport)
			continue;
		struct sock_seen socks[MAX_SOCKS];
		size_t ns = 0;
		uint32_t snaps = 0;
		for (size_t i = 0; i < inc->sock_snaps.n; i++) {
			const struct sock_snapshot *s = inc->sock_snaps.v[i];
			if (!s->listen_send_q_is_limit)
				continue;
			uint32_t here = 0;
			for (size_t r = 0; r < s->rows.n; r++) {
				const struct sock_row *row = &s->rows.v[r];
				if (row->state != TCP_LISTEN || !endpoint_equal(&row->local, &l->addr))
					continue;
				here++;
				/* one socket: same inode, or the same owner when no inode;
				 * rows that show neither (ss -ltn) cannot be told apart */
				int32_t pid = row->n_owners ? row->owners[0].pid : 0;
				if (!row->have_inode && !pid)
					continue;
				struct sock_seen *x = NULL;
				for (size_t k = 0; k < ns && !x; k++)
					if (same_sock(&socks[k], row, pid))
						x = &socks[k];
				if (!x) {
					if (ns == MAX_SOCKS)
						continue;
					x = &socks[ns++];
					memset(x, 0, sizeof(*x));
				}
				if (!x->inode && row->have_inode)
					x->inode = row->inode;
				if (!x->pid)
					x->pid = pid;
				/* two ss runs of one moment are one look at it */
				if (s->moment && x->moment == s->moment)
					continue;
				x->moment = s->moment;
				x->seen++;
				if (row->recv_q >= row->send_q && row->send_q > 0) {
					x->full++;
					x->row = row;
				} else if (row->recv_q * 2 < row->send_q) {
					x->drained++;
				}
			}
			if (here > 1)
				snaps++;
		}
		/* a group is sockets one snapshot listed side by side
		 * (derive.c), never rows of two tools */
		if (ns < 2 || l->n_sockets < 2)
			continue;
		for (size_t k = 0; k < ns; k++) {
			const struct sock_seen *x = &socks[k];
			/* full in most snapshots, while the others mostly drained */
			uint32_t others_drained = 0, others_seen = 0;
			for (size_t j = 0; j < ns; j++)
				if (j != k) {
					others_drained += socks[j].drained;
					others_seen += socks[j].seen;
				}
			if (!x->row || x->full * 2 < x->seen || others_drained * 2 < others_seen)
				continue;
			struct finding *f = finding_new(an, self, SEV_CRITICAL, x->full >= 2 ? 0.9 : 0.7,
							"SO_REUSEPORT listener of pid %d on %s full in %u of "
							"%u snapshots; its %zu siblings drain",
							x->pid, l->name, x->full, x->seen, ns - 1);
			f->listener = l->name;
			if (x->pid)
				finding_pid(an, f, x->pid);
			finding_fact_int(an, f, "sockets", (int64_t)ns);
			finding_fact_int(an, f, "full_snapshots", x->full);
			finding_fact_num(an, f, "share_of_connections", 1.0 / (double)ns);
			if (x->inode)
				finding_fact_int(an, f, "inode", (int64_t)x->inode);
			finding_evidence(an, f, &x->row->src, NULL);
			finding_detail(an, f,
				       "%zu listening sockets share %s (SO_REUSEPORT); the one held by pid "
				       "%d stays full (Recv-Q >= Send-Q) while the others are drained, so "
				       "about 1 in %zu new connections (the ones hashed to it) fail and "
				       "the rest succeed",
				       ns, l->name, x->pid, ns);
			finding_advice(an, f,
				       "Restart or fix pid %d: its listening socket is still in the "
				       "reuseport group and keeps receiving its share of connections. "
				       "Closing a stuck worker's listener (or using a BPF reuseport "
				       "selector) stops the kernel from hashing connections to it.",
				       x->pid);
		}
		(void)snaps;
	}
}

const struct rule rule_reuseport_listener_stuck = {
	.id = "reuseport-listener-stuck",
	.title = "one SO_REUSEPORT listener's queue full while its siblings drain",
	.doc = "For a port with several LISTEN sockets on one address (SO_REUSEPORT), follows each "
	       "socket (by inode or owner) across ss snapshots and fires when one stays full "
	       "(Recv-Q >= Send-Q) while the others stay drained: its owner stopped accepting, and "
	       "the kernel keeps hashing about 1 in N connections to it.",
	.needs = NEED_SOCKETS,
	.run = run,
};
