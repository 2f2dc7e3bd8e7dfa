/* backlog_too_small.c — the effective backlog is too small for the load seen.
 *
 * __sys_listen() (net/socket.c) caps the backlog at net.core.somaxconn, so the
 * accept-queue limit (LISTEN Send-Q in ss) is min(listen backlog, somaxconn).
 * Python's socketserver.TCPServer.request_queue_size is 5: `python -m
 * http.server` listens with 5 whatever somaxconn says. The listen backlog also
 * caps the SYN queue (reqsk_queue_len vs sk_max_ack_backlog in
 * tcp_conn_request(), net/ipv4/tcp_input.c), so a small backlog makes the
 * kernel send SYN cookies under an ordinary burst. */
#include <stdio.h>

#include "derive/derive.h"
#include "rule.h"

/* Most connections on the listener's port at once in any snapshot. */
static uint32_t peak_connections(const struct incident *inc, const struct listener *l,
				 const struct provenance **where)
{
	uint32_t peak = 0;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		uint32_t n = 0;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_ESTABLISHED && row->state != TCP_SYN_RECV &&
			    row->state != TCP_NEW_SYN_RECV && row->state != TCP_CLOSE_WAIT)
				continue;
			if (derive_listener_of(inc, &row->local) == l)
				n++;
		}
		if (n > peak) {
			peak = n;
			*where = s->rows.n ? &s->rows.v[0].src : NULL;
		}
	}
	return peak;
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	int64_t somaxconn = -1;
	const struct sysctl *sm = incident_sysctl(inc, "net.core.somaxconn");
	if (!incident_sysctl_i64(inc, "net.core.somaxconn", &somaxconn))
		somaxconn = -1;

	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		/* the limit ss showed, else the one a full queue in netstat or
		 * /proc/net/tcp proves (Recv-Q = limit + 1, derive.c) */
		bool inferred = l->backlog < 0;
		int64_t limit = inferred ? l->limit_inferred : l->backlog;
		if (limit < 0)
			continue;
		const struct provenance *peak_src = NULL;
		uint32_t peak = peak_connections(inc, l, &peak_src);
		const struct finding *ov = analysis_find(an, "accept-queue-overflow", l->name);
		if (!ov) {
			const struct finding *any = analysis_find(an, "accept-queue-overflow", NULL);
			if (any && !any->listener && inc->listeners.n == 1)
				ov = any;
		}
		/* an inferred limit is only as sure as a common value: only a
		 * small one (Python's 5) says the backlog itself is the problem */
		bool small = limit <= 16 || (!inferred && (int64_t)peak > limit);
		if (!ov || !small) {
			if (!inferred && l->backlog <= 16)
				analysis_checked(an, "backlog %lld of %s is small, but no overflow was "
						 "seen", (long long)l->backlog, l->name);
			else if (!inferred)
				analysis_checked(an, "backlog of %s: %lld", l->name,
						 (long long)l->backlog);
			continue;
		}
		bool capped = somaxconn >= 0 && limit == somaxconn;
		double conf = ov->severity == SEV_CRITICAL ? 0.9 : 0.7;
		if (inferred)
			conf = l->inferred_from_somaxconn ? 0.6 : 0.5;
		struct finding *f = finding_new(an, self, SEV_WARNING, conf,
						"effective backlog of %s is %lld%s%s", l->name,
						(long long)limit,
						inferred ? " (from its full queue: the limit is not shown)"
							 : "",
						capped ? ", capped by net.core.somaxconn" : "");
		f->listener = l->name;
		f->contributing = true;
		for (size_t k = 0; k < l->pids.n; k++)
			finding_pid(an, f, l->pids.v[k]);
		finding_fact_int(an, f, "backlog", limit);
		if (inferred)
			finding_fact_bool(an, f, "backlog_inferred", true);
		if (l->n_snapshots <= 1)
			finding_fact_int(an, f, "looks", 1);
		if (somaxconn >= 0)
			finding_fact_int(an, f, "somaxconn", somaxconn);
		finding_fact_int(an, f, "peak_connections", peak);
		if (l->max_recv_q >= 0)
			finding_fact_int(an, f, "max_recv_q", l->max_recv_q);
		finding_evidence(an, f, inferred ? &l->inferred_src : &l->backlog_src, NULL);
		if (sm)
			finding_evidence(an, f, &sm->src, NULL);
		struct strbuf detail = STRBUF_INIT;
		if (inferred)
			strbuf_addf(&detail,
				   "LISTEN Recv-Q %lld where netstat and /proc/net/tcp show no limit: a "
				   "full queue holds limit + 1, so the accept-queue limit, min(listen "
				   "backlog, somaxconn), is %lld%s", (long long)limit + 1,
				   (long long)limit,
				   l->inferred_from_somaxconn ? " (somaxconn itself)"
							      : " (a common limit; `ss -ltn` shows "
								"it as Send-Q)");
		else
			strbuf_addf(&detail,
				   "LISTEN Send-Q %lld is the accept-queue limit, min(listen backlog, "
				   "somaxconn)", (long long)limit);
		if (somaxconn >= 0 && !capped)
			strbuf_addf(&detail,
				   "; somaxconn is %lld, so the application asked for %lld in listen()",
				   (long long)somaxconn, (long long)limit);
		if (peak)
			strbuf_addf(&detail,
				   "; up to %u connections on the port at once", peak);
		if (limit == 5)
			strbuf_addf(&detail,
				   "; 5 is Python socketserver's default request_queue_size "
				   "(python -m http.server)");
		const struct kernel_event *kev;
		uint32_t klines = rule_syn_flood_lines(inc, l, &kev);
		if (klines) {
			/* tcp_syn_flood_action(): the SYN queue is capped by the same
			 * backlog (inet_csk_reqsk_queue_is_full()) */
			finding_fact_int(an, f, "kernel_syn_flood_lines", klines);
			finding_evidence(an, f, &kev->src, NULL);
			strbuf_addf(&detail,
				   "; the kernel logged \"Possible SYN flooding on port %d\": the "
				   "backlog caps the SYN queue too, so an ordinary burst fills it and "
				   "the kernel %s", (int)kev->port,
				   kev->cookies ? "sends SYN cookies" : "drops SYNs");
		}
		finding_detail(an, f, "%s", detail.buf);
		strbuf_release(&detail);
		if (capped)
			finding_advice(an, f,
				       "Raise net.core.somaxconn (per network namespace) and the "
				       "application's listen() backlog together; the kernel uses the "
				       "smaller of the two. tcp_max_syn_backlog does not size the "
				       "accept queue.");
		else if (limit == 5)
			finding_advice(an, f,
				       "Raise the application's listen() backlog: for socketserver set "
				       "request_queue_size (e.g. 1024) on the server class; raising "
				       "somaxconn alone does not help. tcp_max_syn_backlog does not size "
				       "the accept queue.");
		else
			finding_advice(an, f,
				       "Raise the application's listen() backlog (somaxconn%s allows "
				       "more); raising somaxconn alone does not help. "
				       "tcp_max_syn_backlog does not size the accept queue.",
				       somaxconn >= 0 ? " already" : " permitting");
	}
}

const struct rule rule_backlog_too_small = {
	.id = "backlog-too-small",
	.title = "effective backlog too small for the load seen",
	.doc = "For a listener whose accept queue overflowed, compares its effective backlog "
	       "(LISTEN Send-Q = min(listen() backlog, net.core.somaxconn)) with the connections "
	       "seen on its port, and says which of the two capped it. Python's socketserver "
	       "listens with 5. A contributing factor: when stuck workers explain the overflow, "
	       "they are the root cause, not the backlog.",
	.needs = NEED_SOCKETS | NEED_SYSCTLS,
	.run = run,
};
