/* close_wait_accumulation.c — CLOSE_WAIT sockets piling up, per owning process.
 *
 * CLOSE_WAIT: the peer's FIN arrived (tcp_fin(), net/ipv4/tcp_input.c) and the
 * application has not called close(). No kernel timer ends it. Many of them
 * on one process mean it stopped handling those connections: a stuck handler,
 * or a descriptor leak. A healthy server under load shows a few, briefly. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "derive/derive.h"
#include "rule.h"

#define CW_MANY 5		/* this many on one process in one snapshot */
#define CW_PERSIST_S 2.0	/* or the same socket still there this much later */
#define MAX_GROUPS 64
#define MAX_PIDS 64

struct cw_pid {
	int32_t pid;
	uint32_t last;		/* count in the last snapshot */
	uint32_t persisting;	/* of those, seen CW_PERSIST_S earlier too */
	const struct sock_row *rows[3];
};

struct cw_group {
	const struct listener *l;
	uint16_t port;
	struct cw_pid pids[MAX_PIDS];
	size_t n_pids;
	uint32_t total_last, unowned_last;
	/* in the last snapshot: never accepted, still in the accept queue
	 * (derive.c): the clients gave up waiting; not this rule's pile-up */
	uint32_t queued_last;
	/* the clients' ends, when they run here: FIN-WAIT-2 mirrors */
	uint32_t client_fin_wait2;
	uint32_t series[32];	/* per moment showing the port, first 32 */
	uint32_t n_series;
	double since;
};

static bool same_conn(const struct sock_row *a, const struct sock_row *b)
{
	return endpoint_equal(&a->local, &b->local) && endpoint_equal(&a->peer, &b->peer);
}

/* Was this CLOSE_WAIT socket already in CLOSE_WAIT in an earlier snapshot at
 * least CW_PERSIST_S before? */
static bool persisted(const struct incident *inc, size_t last_i, const struct sock_row *row)
{
	const struct sock_snapshot *last = inc->sock_snaps.v[last_i];
	for (size_t i = 0; i < last_i; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (s->listen_only || (s->moment && s->moment == last->moment))
			continue;	/* another tool at the same moment is not earlier */
		if (!isnan(s->at) && !isnan(last->at) && last->at - s->at < CW_PERSIST_S)
			continue;
		for (size_t r = 0; r < s->rows.n; r++)
			if (s->rows.v[r].state == TCP_CLOSE_WAIT && same_conn(&s->rows.v[r], row))
				return true;
	}
	return false;
}

static struct cw_group *group_for(struct cw_group *g, size_t *n, const struct listener *l,
				  uint16_t port)
{
	for (size_t i = 0; i < *n; i++)
		if (g[i].l == l && (l || g[i].port == port))
			return &g[i];
	if (*n == MAX_GROUPS)
		return NULL;
	struct cw_group *x = &g[(*n)++];
	memset(x, 0, sizeof(*x));
	x->l = l;
	x->port = port;
	x->since = NAN;
	return x;
}

static struct cw_pid *pid_for(struct cw_group *g, int32_t pid)
{
	for (size_t i = 0; i < g->n_pids; i++)
		if (g->pids[i].pid == pid)
			return &g->pids[i];
	if (g->n_pids == MAX_PIDS)
		return NULL;
	struct cw_pid *p = &g->pids[g->n_pids++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

/* Without socket snapshots, the wire side of CLOSE_WAIT: connections whose
 * client sent a FIN that the server never answered with its own by the end
 * of the capture. Weaker: the capture may simply end too early. */
static void from_capture(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		const struct capture_stats *c = l->capture;
		if (!c || c->client_fin_no_server_fin < CW_MANY)
			continue;
		struct finding *f = finding_new(an, self, SEV_WARNING, 0.6 * capture_keep(c),
						"%llu connections to %s closed by the client and never "
						"by the server (capture)",
						(unsigned long long)c->client_fin_no_server_fin, l->name);
		f->listener = l->name;
		finding_fact_int(an, f, "client_fin_no_server_fin",
				 (int64_t)c->client_fin_no_server_fin);
		finding_fact_int(an, f, "requests_unanswered", (int64_t)c->requests_unanswered);
		finding_detail(an, f, "the client's FIN was seen and no FIN from the server followed "
				      "before the capture ended: on the server these sockets sit in "
				      "CLOSE-WAIT unless the capture ended too soon; %llu requests got no "
				      "answer", (unsigned long long)c->requests_unanswered);
		finding_advice(an, f, "Take `ss -tanp` on the server to see which process holds the "
				      "CLOSE-WAIT sockets, then look at its threads.");
	}
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	size_t last_i;
	const struct sock_snapshot *last = derive_last_conn_snapshot(inc, &last_i);
	if (!last) {
		from_capture(an, self);
		return;
	}
	struct cw_group *groups = arena_calloc(&an->arena, MAX_GROUPS, sizeof(*groups));
	size_t n_groups = 0;

	/* the series: CLOSE_WAIT per group in each snapshot */
	for (size_t i = 0; i <= last_i; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (s->listen_only)
			continue;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_CLOSE_WAIT)
				continue;
			const struct listener *l = derive_listener_of(inc, &row->local);
			struct cw_group *g = group_for(groups, &n_groups, l, row->local.port);
			if (!g)
				continue;
			if (i != last_i)
				continue;
			if (row->in_accept_queue) {
				g->queued_last++;
				continue;
			}
			g->total_last++;
			for (size_t k = 0; k < s->rows.n; k++)
				if (s->rows.v[k].state == TCP_FIN_WAIT2 &&
				    derive_mirror(&s->rows.v[k], row)) {
					g->client_fin_wait2++;
					break;
				}
			if (!row->n_owners) {
				g->unowned_last++;
				continue;
			}
			bool old = persisted(inc, last_i, row);
			for (uint32_t o = 0; o < row->n_owners; o++) {
				struct cw_pid *p = pid_for(g, row->owners[o].pid);
				if (!p)
					continue;
				if (p->last < 3)
					p->rows[p->last] = row;
				p->last++;
				if (old)
					p->persisting++;
			}
		}
	}

	/* the series per group, one value per moment (ss, netstat and
	 * /proc/net/tcp of one moment are one look: the most any of them
	 * shows), only moments that show the port at all (a /proc/net/tcp6
	 * copy says nothing of an IPv4 listener) */
	for (size_t gi = 0; gi < n_groups; gi++) {
		struct cw_group *g = &groups[gi];
		uint32_t k = 0;
		uint32_t moment = 0;
		for (size_t i = 0; i <= last_i && k <= 32; i++) {
			const struct sock_snapshot *s = inc->sock_snaps.v[i];
			if (s->listen_only)
				continue;
			bool covers = false;
			uint32_t n = 0;
			for (size_t r = 0; r < s->rows.n; r++) {
				const struct sock_row *row = &s->rows.v[r];
				if (row->local.port != g->port)
					continue;
				covers = true;
				if (row->state == TCP_CLOSE_WAIT && !row->in_accept_queue &&
				    derive_listener_of(inc, &row->local) == g->l)
					n++;
			}
			if (!covers)
				continue;
			if (k && s->moment && s->moment == moment) {
				if (n > g->series[k - 1])
					g->series[k - 1] = n;
			} else if (k < 32) {
				g->series[k++] = n;
			} else {
				break;
			}
			moment = s->moment;
			if (n && isnan(g->since))
				g->since = s->at;
		}
		g->n_series = k;
		/* pids in ascending order */
		for (size_t a = 1; a < g->n_pids; a++)
			for (size_t b = a; b > 0 && g->pids[b].pid < g->pids[b - 1].pid; b--) {
				struct cw_pid tmp = g->pids[b];
				g->pids[b] = g->pids[b - 1];
				g->pids[b - 1] = tmp;
			}
	}

	uint32_t checked_total = 0;
	for (size_t gi = 0; gi < n_groups; gi++) {
		struct cw_group *g = &groups[gi];
		bool fire = false;
		uint32_t worst = 0;
		for (size_t k = 0; k < g->n_pids; k++) {
			const struct cw_pid *p = &g->pids[k];
			if (p->last >= CW_MANY || p->persisting >= 2)
				fire = true;
			if (p->last > worst)
				worst = p->last;
		}
		if (!last->has_owners && (g->total_last >= CW_MANY))
			fire = true;
		checked_total += g->total_last;
		if (!fire)
			continue;
		bool growing = true;
		size_t ns = g->n_series;
		for (size_t i = 1; i < ns; i++)
			if (g->series[i] < g->series[i - 1])
				growing = false;
		growing = growing && ns >= 3 && g->series[ns - 1] > g->series[0];
		enum severity sev = g->total_last >= 20 || growing ? SEV_CRITICAL : SEV_WARNING;
		/* one moment shows the port: whether they persist and grow is
		 * for a second look to say */
		bool one_look = ns <= 1;
		double conf = (g->n_pids ? 0.9 : 0.75) - (one_look ? 0.1 : 0.0);
		const char *where = g->l ? g->l->name : arena_printf(&an->arena, "port %u", g->port);
		struct finding *f;
		if (g->n_pids == 1)
			f = finding_new(an, self, sev, conf, "%u CLOSE-WAIT sockets on %s held by pid %d",
					g->total_last, where, g->pids[0].pid);
		else if (g->n_pids > 1)
			f = finding_new(an, self, sev, conf,
					"%u CLOSE-WAIT sockets on %s held by %zu processes",
					g->total_last, where, g->n_pids);
		else
			f = finding_new(an, self, sev, conf, "%u CLOSE-WAIT sockets on %s",
					g->total_last, where);
		f->listener = g->l ? g->l->name : NULL;
		f->since = g->since;
		finding_fact_int(an, f, "close_wait", g->total_last);
		struct strbuf detail = STRBUF_INIT;
		for (size_t k = 0; k < g->n_pids; k++) {
			const struct cw_pid *p = &g->pids[k];
			finding_pid(an, f, p->pid);
			char name[48];
			snprintf(name, sizeof(name), "close_wait_pid_%d", p->pid);
			finding_fact_int(an, f, name, p->last);
			strbuf_addf(&detail, "%spid %d: %u", k ? ", " : "",
				   p->pid, p->last);
			if (p->persisting && isnan(last->at))
				/* snapshots ordered by name: how much earlier is unknown */
				strbuf_addf(&detail,
					   " (%u seen in an earlier snapshot)", p->persisting);
			else if (p->persisting)
				strbuf_addf(&detail, " (%u seen >=%.0f s earlier)",
					   p->persisting, CW_PERSIST_S);
			for (int e = 0; e < 3 && e < (int)p->last; e++)
				if (p->rows[e])
					finding_evidence(an, f, &p->rows[e]->src, NULL);
		}
		if (g->unowned_last)
			strbuf_addf(&detail, "%s%u without a known owner",
				    detail.len ? ", " : "", g->unowned_last);
		if (ns > 1) {
			strbuf_addstr(&detail, "; per snapshot:");
			for (size_t i = 0; i < ns; i++)
				strbuf_addf(&detail, " %u", g->series[i]);
		}
		if (!last->has_owners)
			strbuf_addf(&detail,
				   "; the last snapshot shows no owners (ss -p / netstat -p would)");
		if (g->queued_last)
			strbuf_addf(&detail,
				   "; %u more sit in the accept queue, never accepted (an accept() "
				   "stall, not this pile-up)", g->queued_last);
		finding_fact_bool(an, f, "growing", growing);
		if (one_look) {
			finding_fact_int(an, f, "looks", 1);
			if (g->client_fin_wait2) {
				finding_fact_int(an, f, "client_fin_wait2", g->client_fin_wait2);
				strbuf_addf(&detail,
					   "; the clients' ends of %u of them wait in FIN-WAIT-2 in the "
					   "same snapshot (the client closed, the server never did)",
					   g->client_fin_wait2);
			}
			strbuf_addf(&detail,
				   "; one look: a second snapshot a few seconds later that still shows "
				   "the same connections in CLOSE-WAIT (or more of them) would confirm "
				   "they pile up");
		}
		finding_detail(an, f, "%s", detail.buf);
		strbuf_release(&detail);
		if (g->n_pids)
			finding_advice(an, f,
				       "CLOSE_WAIT means the client closed and the application never "
				       "called close(): %s stopped handling these connections (a stuck "
				       "handler or a descriptor leak). Look at its threads "
				       "(`stuckscope stacks --pid %d`); the kernel never times CLOSE_WAIT "
				       "out, restarting the process frees them.",
				       g->n_pids == 1 ? "that process" : "those processes",
				       g->pids[0].pid);
		else
			finding_advice(an, f,
				       "CLOSE_WAIT means the application never called close(); take "
				       "`ss -tanp` to see which process holds them.");
		(void)worst;
	}
	if (!an->findings.n || !analysis_find(an, self->id, NULL))
		analysis_checked(an, "no CLOSE-WAIT pile-up (%u in the last snapshot)",
				 checked_total);
}

const struct rule rule_close_wait_accumulation = {
	.id = "close-wait-accumulation",
	.title = "CLOSE_WAIT sockets piling up, per owning process",
	.doc = "Counts CLOSE-WAIT sockets per owning process (ss -p, netstat -p) and per "
	       "listener in the last socket snapshot, and follows them across snapshots. Fires "
	       "at 5 or more on one process, or when the same CLOSE-WAIT sockets are still there "
	       "2 s or more later: the peer closed and the application never called close(). "
	       "Critical at 20 or more, or when the count grows snapshot after snapshot. "
	       "Connections still in the accept queue (never accepted) are left to the "
	       "accept-queue rule; tools run at the same moment count as one snapshot; a "
	       "finding from one snapshot says so (fact looks: 1).",
	.needs = NEED_SOCKETS,
	.run = run,
};
