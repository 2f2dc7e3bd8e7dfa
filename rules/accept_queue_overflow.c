/* accept_queue_overflow.c — a listener's accept queue overflowed.
 *
 * Kernel facts: tcp_v4_syn_recv_sock() / tcp_conn_request() drop the SYN (or
 * the final ACK) when sk_acceptq_is_full() (include/net/sock.h), which tests
 * sk_ack_backlog > sk_max_ack_backlog: the queue peaks at limit + 1. Each such
 * drop counts in LINUX_MIB_LISTENOVERFLOWS and LINUX_MIB_LISTENDROPS
 * (tcp_listendrop(), include/net/tcp.h); ListenDrops also counts drops for
 * other reasons, so equal deltas mean every drop was an overflow. Counters
 * are per network namespace: with one listener they are its own. */
#include <math.h>
#include <stdio.h>

#include "rule.h"

static const char *hms(double t, char *buf, size_t n)
{
	return time_format_hms(t, buf, n);
}

/* The first interval between consecutive snapshots in which the counter grew. */
static double first_increase(const struct incident *inc, const char *name, double *before)
{
	int64_t prev = -1;
	double prev_at = NAN;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->increments)
			continue;
		const struct counter *c = counter_snapshot_find(s, name);
		if (!c)
			continue;
		if (prev >= 0 && c->value > prev) {
			*before = prev_at;
			return s->at;
		}
		prev = c->value;
		prev_at = s->at;
	}
	*before = NAN;
	return NAN;
}

static void add_counter_evidence(struct analysis *an, struct finding *f,
				 const struct counter_span *ov, const struct counter_span *dr,
				 bool have_dr)
{
	finding_fact_int(an, f, "ListenOverflows", ov->delta);
	if (have_dr)
		finding_fact_int(an, f, "ListenDrops", dr->delta);
	finding_evidence(an, f, &ov->first_c->src, NULL);
	finding_evidence(an, f, &ov->last_c->src, NULL);
	if (have_dr && dr->n >= 2)
		finding_evidence(an, f, &dr->last_c->src, NULL);
}

/* nstat in default mode prints increments since its previous run (the
 * history file, misc/nstat.c): with no run before it among the inputs, its
 * ListenOverflows is a count over a window whose start is unknown. */
static bool increments_overflows(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	const struct counter *best = NULL;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		const struct counter *c = s->increments ? counter_snapshot_find(s, "ListenOverflows")
							: NULL;
		if (c && c->value > 0 && (!best || c->value > best->value))
			best = c;
	}
	if (!best)
		return false;
	struct finding *f = finding_new(an, self, SEV_INFO, 0.35,
					"ListenOverflows +%lld since nstat's previous run (when that "
					"was is unknown)", (long long)best->value);
	finding_fact_int(an, f, "ListenOverflows_increment", best->value);
	finding_evidence(an, f, &best->src, NULL);
	finding_detail(an, f, "nstat without -a prints what each counter did since nstat last ran "
			      "for this user; no earlier run is among the inputs, so when those "
			      "overflows happened is unknown");
	finding_advice(an, f, "Run `nstat -az` (absolute values) twice during the incident, or keep "
			      "both outputs of two consecutive `nstat` runs and their times.");
	return true;
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	struct counter_span ov, dr;
	bool have_ov = incident_counter_span(inc, "ListenOverflows", &ov);
	bool have_dr = incident_counter_span(inc, "ListenDrops", &dr);
	bool window = have_ov && ov.n >= 2 && !ov.went_backwards;
	bool counted = window && ov.delta > 0;
	char t1[32], t2[32];

	if (have_ov && ov.went_backwards)
		analysis_note(an, "ListenOverflows went backwards between snapshots (%lld, then "
				  "lower): a reboot or a different host/namespace; its delta is "
				  "not used", (long long)ov.first);

	size_t n_full = 0;
	struct listener *only = NULL;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		struct listener *l = inc->listeners.v[i];
		const struct capture_stats *cs = l->capture;
		bool cap = cs && (cs->synack_retransmits_after_ack || cs->rst_after_handshake ||
				  cs->requests_never_acked);
		if (l->n_full_snapshots || cap)
			n_full++;
	}
	if (inc->listeners.n == 1)
		only = inc->listeners.v[0];

	bool emitted = false;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		struct listener *l = inc->listeners.v[i];
		const struct capture_stats *cs = l->capture;
		bool cap = cs && (cs->synack_retransmits_after_ack || cs->rst_after_handshake ||
				  cs->requests_never_acked);
		/* the namespace's counters belong to the one listener seen full,
		 * not to every listener beside it */
		bool is_full = l->n_full_snapshots || cap;
		bool counters_are_its = counted && ((n_full == 1 && is_full) ||
						    (n_full == 0 && only == l));
		if (!l->n_full_snapshots && !cap && !counters_are_its)
			continue;
		double conf = 0.6;
		if (counters_are_its)
			conf += 0.25;
		if (l->n_full_snapshots)
			conf += 0.15;
		if (cap)
			conf += 0.1;
		struct finding *f;
		if (counters_are_its)
			f = finding_new(an, self, SEV_CRITICAL, conf > 0.99 ? 0.99 : conf,
					"accept queue of %s overflowed %lld times", l->name,
					(long long)ov.delta);
		else if (l->n_full_snapshots)
			f = finding_new(an, self, SEV_CRITICAL, conf > 0.99 ? 0.99 : conf,
					"accept queue of %s full in %u of %u snapshots", l->name,
					l->n_full_snapshots, l->n_snapshots);
		else
			f = finding_new(an, self, SEV_CRITICAL, conf > 0.99 ? 0.99 : conf,
					"accept queue of %s overflowed (capture)", l->name);
		f->listener = l->name;
		for (size_t k = 0; k < l->pids.n; k++)
			finding_pid(an, f, l->pids.v[k]);
		if (l->backlog >= 0)
			finding_fact_int(an, f, "backlog", l->backlog);
		if (l->max_recv_q >= 0)
			finding_fact_int(an, f, "max_recv_q", l->max_recv_q);
		finding_fact_int(an, f, "full_snapshots", l->n_full_snapshots);
		finding_fact_int(an, f, "snapshots", l->n_snapshots);
		char detail[512];
		size_t off = 0;
		if (counters_are_its) {
			add_counter_evidence(an, f, &ov, &dr, have_dr);
			buf_append(detail, sizeof(detail), &off, "ListenOverflows +%lld", (long long)ov.delta);
			if (have_dr && dr.n >= 2)
				buf_append(detail, sizeof(detail), &off, ", ListenDrops +%lld%s", (long long)dr.delta,
						dr.delta == ov.delta ? " (every drop was an overflow)"
						: dr.delta > ov.delta ? " (some drops had other causes)"
						: "");
			buf_append(detail, sizeof(detail), &off, " between %s and %s%s",
					hms(ov.first_c->src.at, t1, sizeof(t1)),
					hms(ov.last_c->src.at, t2, sizeof(t2)),
					ov.from_increments ? " (nstat's increments since the run before)"
							   : "");
			double before, after = first_increase(inc, "ListenOverflows", &before);
			f->since = !isnan(before) ? before : after;
		}
		if (l->n_full_snapshots && l->max_src.file) {
			finding_evidence(an, f, &l->max_src, NULL);
			buf_append(detail, sizeof(detail), &off, "%sLISTEN Recv-Q %lld of limit %lld (full) in %u of %u "
					"snapshots",
					off ? "; " : "", (long long)l->max_recv_q, (long long)l->backlog,
					l->n_full_snapshots, l->n_snapshots);
			if (isnan(f->since))
				f->since = l->max_src.at;
		}
		if (cap) {
			if (cs->synack_retransmits_after_ack) {
				finding_fact_int(an, f, "synack_retransmits_after_ack",
						 (int64_t)cs->synack_retransmits_after_ack);
				finding_evidence(an, f, &cs->first_synack_after_ack, NULL);
			}
			if (cs->rst_after_handshake) {
				finding_fact_int(an, f, "rst_after_handshake",
						 (int64_t)cs->rst_after_handshake);
				finding_evidence(an, f, &cs->first_rst_after_handshake, NULL);
			}
			if (cs->requests_never_acked)
				finding_fact_int(an, f, "requests_never_acked",
						 (int64_t)cs->requests_never_acked);
			buf_append(detail, sizeof(detail), &off, "%scapture: %llu SYN-ACKs re-sent after the client's ACK, "
					"%llu resets right after the handshake, %llu connections whose "
					"client finished the handshake and sent data that the server never "
					"acknowledged (SYN-cookie connections dropped on the full queue)",
					off ? "; " : "",
					(unsigned long long)cs->synack_retransmits_after_ack,
					(unsigned long long)cs->rst_after_handshake,
					(unsigned long long)cs->requests_never_acked);
		}
		/* a full accept queue keeps requests in the SYN queue (their final
		 * ACK is dropped, tcp_check_req()), which the same backlog caps:
		 * the kernel's "Possible SYN flooding" line follows */
		const struct kernel_event *kev;
		uint32_t klines = rule_syn_flood_lines(inc, l, &kev);
		if (klines) {
			finding_fact_int(an, f, "kernel_syn_flood_lines", klines);
			finding_evidence(an, f, &kev->src, NULL);
			buf_append(detail, sizeof(detail), &off, "%sthe kernel logged \"Possible SYN "
				   "flooding on port %d\" (%s): the SYN queue filled too, as it "
				   "does when requests wait for a full accept queue",
				   off ? "; " : "", (int)kev->port,
				   kev->cookies ? "cookies sent" : "SYNs dropped");
		}
		finding_detail(an, f, "%s", detail);
		finding_advice(an, f,
			       "The application does not accept() as fast as connections arrive. "
			       "Find out why its workers stop accepting (stuck or busy: "
			       "`stuckscope attach --port %u`); a larger listen() backlog (with "
			       "net.core.somaxconn at least as large) absorbs bursts. "
			       "net.ipv4.tcp_max_syn_backlog does not size the accept queue.",
			       l->addr.port);
		emitted = true;
	}

	if (!emitted && counted) {
		/* several listeners and none shows which overflowed */
		struct finding *f = finding_new(an, self, SEV_CRITICAL, 0.8,
						"an accept queue overflowed %lld times", (long long)ov.delta);
		add_counter_evidence(an, f, &ov, &dr, have_dr);
		double before, after = first_increase(inc, "ListenOverflows", &before);
		f->since = !isnan(before) ? before : after;
		finding_detail(an, f,
			       "ListenOverflows +%lld between %s and %s%s; the counters are per network "
			       "namespace and no socket snapshot shows which listener was full",
			       (long long)ov.delta, hms(ov.first_c->src.at, t1, sizeof(t1)),
			       hms(ov.last_c->src.at, t2, sizeof(t2)),
			       ov.from_increments ? " (nstat's increments since the run before)" : "");
		finding_advice(an, f,
			       "Take `ss -ltn` snapshots during the incident (or run `stuckscope "
			       "attach`) to see which listener's Recv-Q reaches its Send-Q.");
	} else if (!emitted && have_ov && ov.n == 1 && ov.last > 0) {
		struct finding *f = finding_new(an, self, SEV_INFO, 0.3,
						"ListenOverflows is %lld since boot (one snapshot: when "
						"is unknown)", (long long)ov.last);
		finding_fact_int(an, f, "ListenOverflows_total", ov.last);
		finding_evidence(an, f, &ov.last_c->src, NULL);
		finding_detail(an, f, "a single counter snapshot cannot show whether the overflows "
				      "happened during the incident");
		finding_advice(an, f, "Take a second counter snapshot (`nstat -az` or `netstat -s`) "
				      "during the incident and compare.");
	} else if (!emitted && increments_overflows(an, self)) {
		/* nstat in default mode, alone: increments since its last run */
	} else if (!emitted) {
		if (window)
			analysis_checked(an, "no accept-queue overflow (ListenOverflows +0 over %u "
					 "snapshots)", ov.n);
		else if (inc->listeners.n && incident_has_sockets(inc))
			analysis_checked(an, "no listener's accept queue full in %zu socket snapshots",
					 inc->sock_snaps.n);
	}
}

const struct rule rule_accept_queue_overflow = {
	.id = "accept-queue-overflow",
	.title = "a listener's accept queue overflowed",
	.doc = "Reads ListenOverflows/ListenDrops deltas between counter snapshots, LISTEN rows "
	       "whose Recv-Q reached Send-Q (ss shows the accept-queue limit as Send-Q; Linux "
	       "admits limit + 1, so Recv-Q >= Send-Q is full), and capture signs of a full "
	       "queue (SYN-ACK re-sent after the client's ACK, RST right after the handshake). "
	       "Counters are per network namespace: they are attributed to a listener only when "
	       "one listener is known or only one was seen full.",
	.needs = NEED_COUNTERS | NEED_SOCKETS | NEED_CAPTURE,
	.run = run,
};
