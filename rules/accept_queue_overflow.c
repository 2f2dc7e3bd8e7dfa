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
#include <string.h>

#include "derive/derive.h"
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

/* Connections a listener never accepted (derive.c marks them: no owner in
 * a snapshot with owners, or unread data the LISTEN Recv-Q accounts for),
 * in the last snapshot that shows its connections; and whether the clients
 * already gave up on them (CLOSE-WAIT: their FIN arrived in the queue). */
struct stall {
	const struct sock_snapshot *snap;
	uint32_t queued, close_wait, client_fin_wait2, moments;
	uint64_t bytes;
	bool owners_shown;
	int64_t listen_q;
	const struct sock_row *first_cw, *listen_row;
};

static bool on_listener(const struct incident *inc, const struct listener *l,
			const struct sock_row *row)
{
	return row->state != TCP_LISTEN && derive_listener_of(inc, &row->local) == l;
}

static void find_stall(const struct incident *inc, const struct listener *l, struct stall *st)
{
	memset(st, 0, sizeof(*st));
	st->listen_q = -1;
	uint32_t last_moment = 0;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (s->listen_only)
			continue;
		bool shows = false, cw = false;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (!on_listener(inc, l, row))
				continue;
			shows = true;
			if (row->in_accept_queue && row->state == TCP_CLOSE_WAIT)
				cw = true;
		}
		if (cw && (!s->moment || s->moment != last_moment)) {
			st->moments++;
			last_moment = s->moment;
		}
		if (shows)
			st->snap = s;
	}
	const struct sock_snapshot *s = st->snap;
	if (!s)
		return;
	st->owners_shown = s->has_owners;
	for (size_t r = 0; r < s->rows.n; r++) {
		const struct sock_row *row = &s->rows.v[r];
		if (row->state == TCP_LISTEN && endpoint_equal(&row->local, &l->addr) &&
		    row->have_queues) {
			st->listen_q = (st->listen_q < 0 ? 0 : st->listen_q) + row->recv_q;
			st->listen_row = row;
		}
		if (!row->in_accept_queue || !on_listener(inc, l, row))
			continue;
		st->queued++;
		st->bytes += sock_unread(row);
		if (row->state != TCP_CLOSE_WAIT)
			continue;
		st->close_wait++;
		if (!st->first_cw)
			st->first_cw = row;
		/* the client's end of it, when the client runs here: FIN-WAIT-2,
		 * its FIN acknowledged, waiting for the server's */
		for (size_t k = 0; k < s->rows.n; k++)
			if (s->rows.v[k].state == TCP_FIN_WAIT2 && derive_mirror(&s->rows.v[k], row)) {
				st->client_fin_wait2++;
				break;
			}
	}
}

/* "connections never accepted" for the detail of a finding on l */
static void stall_detail(struct strbuf *detail, const struct stall *st, const char *sep)
{
	strbuf_addf(detail,
		   "%s%u connections sit in the accept queue, never accepted (%s)",
		   detail->len ? sep : "", st->queued,
		   st->owners_shown ? "no process shown as their owner"
				    : "no owner column: their unread requests fit in LISTEN Recv-Q");
	if (st->close_wait)
		strbuf_addf(detail,
			   ", %u of them in CLOSE-WAIT: the client sent its request, waited and "
			   "closed before any process called accept()", st->close_wait);
	if (st->client_fin_wait2)
		strbuf_addf(detail, " (the clients' ends of %u of them wait in "
			   "FIN-WAIT-2 in the same snapshot)", st->client_fin_wait2);
}

/* The largest ListenOverflows increment of an nstat snapshot without -a */
static int64_t overflow_increment_at(const struct incident *inc, const struct counter **where)
{
	int64_t best = 0;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		const struct counter *c = s->increments ? counter_snapshot_find(s, "ListenOverflows")
					: NULL;
		if (c && c->value > best) {
			best = c->value;
			*where = c;
		}
	}
	return best;
}

static int64_t overflow_increment(const struct incident *inc)
{
	const struct counter *c = NULL;
	return overflow_increment_at(inc, &c);
}

/* What one look at a full listener leaves open, said in its detail */
static const char *one_look_text(const struct listener *l)
{
	(void)l;
	return "one look: a queue full at one moment can drain the next; a second snapshot "
	       "a few seconds later, or ListenOverflows growing between two `nstat -az`, would "
	       "confirm it stays full";
}

/* Socket snapshots with LISTEN rows whose Send-Q is the accept-queue limit. */
static size_t limit_snaps(const struct incident *inc)
{
	size_t n = 0;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (!s->listen_send_q_is_limit)
			continue;
		for (size_t r = 0; r < s->rows.n; r++)
			if (s->rows.v[r].state == TCP_LISTEN) {
				n++;
				break;
			}
	}
	return n;
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	struct counter_span ov, dr;
	bool have_ov = incident_counter_span(inc, "ListenOverflows", &ov);
	bool have_dr = incident_counter_span(inc, "ListenDrops", &dr);
	/* two moments at least: netstat -s and nstat run together are one look */
	bool window = have_ov && ov.moments >= 2 && !ov.went_backwards;
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
		struct stall st;
		find_stall(inc, l, &st);
		/* clients that gave up in the queue: the accept() stall itself */
		bool stalled = st.close_wait > 0;
		if (!l->n_full_snapshots && !cap && !counters_are_its && !stalled)
			continue;
		/* full only by what netstat or /proc/net/tcp show (no limit) */
		bool inferred = l->n_full_snapshots && l->n_full_inferred == l->n_full_snapshots;
		/* one moment of one listener, nothing else: one look */
		bool one_look = !counters_are_its && !cap && l->n_snapshots <= 1;
		double conf = 0.6;
		if (counters_are_its)
			conf += 0.25;
		if (l->n_full_snapshots)
			conf += inferred ? (l->inferred_from_somaxconn ? 0.1 : l->limit_inferred > 16
					    ? 0.05 : 0.0) : 0.15;
		if (cap)
			conf += 0.1;
		if (one_look && conf > 0.7)
			conf = 0.7;
		if (!l->n_full_snapshots && !cap && !counters_are_its)
			conf = st.moments >= 2 ? 0.8 : 0.6;
		/* a capture read in part: resting on it alone, the finding is
		 * as sure as the capture; beside counters or snapshots, only
		 * its share is */
		double keep = cap ? capture_keep(cs) : 1.0;
		if (keep < 1.0)
			conf = counters_are_its || l->n_full_snapshots ? conf - 0.1 * (1.0 - keep)
								       : conf * keep;
		struct finding *f;
		if (counters_are_its)
			f = finding_new(an, self, SEV_CRITICAL, conf > 0.99 ? 0.99 : conf,
					"accept queue of %s overflowed %lld times", l->name,
					(long long)ov.delta);
		else if (l->n_full_snapshots && one_look)
			f = finding_new(an, self, SEV_CRITICAL, conf,
					"accept queue of %s full (one snapshot)", l->name);
		else if (l->n_full_snapshots)
			f = finding_new(an, self, SEV_CRITICAL, conf > 0.99 ? 0.99 : conf,
					"accept queue of %s full in %u of %u snapshots", l->name,
					l->n_full_snapshots, l->n_snapshots);
		else if (cap)
			f = finding_new(an, self, SEV_CRITICAL, conf > 0.99 ? 0.99 : conf,
					"accept queue of %s overflowed (capture)", l->name);
		else
			f = finding_new(an, self, SEV_WARNING, conf,
					"%u connections to %s never accepted: %u clients gave up "
					"waiting in the accept queue", st.queued, l->name,
					st.close_wait);
		f->listener = l->name;
		for (size_t k = 0; k < l->pids.n; k++)
			finding_pid(an, f, l->pids.v[k]);
		if (l->backlog >= 0)
			finding_fact_int(an, f, "backlog", l->backlog);
		if (l->max_recv_q >= 0)
			finding_fact_int(an, f, "max_recv_q", l->max_recv_q);
		finding_fact_int(an, f, "full_snapshots", l->n_full_snapshots);
		finding_fact_int(an, f, "snapshots", l->n_snapshots);
		if (inferred)
			finding_fact_int(an, f, "limit_inferred", l->limit_inferred);
		if (stalled) {
			finding_fact_int(an, f, "never_accepted", st.queued);
			finding_fact_int(an, f, "never_accepted_close_wait", st.close_wait);
			if (st.client_fin_wait2)
				finding_fact_int(an, f, "client_fin_wait2", st.client_fin_wait2);
		}
		if (one_look || (!l->n_full_snapshots && !cap && !counters_are_its &&
				 st.moments <= 1))
			finding_fact_int(an, f, "looks", 1);
		struct strbuf detail = STRBUF_INIT;
		if (counters_are_its) {
			add_counter_evidence(an, f, &ov, &dr, have_dr);
			strbuf_addf(&detail, "ListenOverflows +%lld", (long long)ov.delta);
			if (have_dr && dr.n >= 2)
				strbuf_addf(&detail, ", ListenDrops +%lld%s", (long long)dr.delta,
						dr.delta == ov.delta ? " (every drop was an overflow)"
						: dr.delta > ov.delta ? " (some drops had other causes)"
						: "");
			strbuf_addf(&detail, " between %s and %s%s",
					hms(ov.first_c->src.at, t1, sizeof(t1)),
					hms(ov.last_c->src.at, t2, sizeof(t2)),
					ov.from_increments ? " (nstat's increments since the run before)"
							   : "");
			double before, after = first_increase(inc, "ListenOverflows", &before);
			f->since = !isnan(before) ? before : after;
		}
		if (l->n_full_snapshots && inferred && l->inferred_src.file) {
			/* netstat and /proc/net/tcp print Send-Q 0 for listeners */
			finding_evidence(an, f, &l->inferred_src, NULL);
			strbuf_addf(&detail,
				   "%sLISTEN Recv-Q %lld where the limit is not shown (netstat and "
				   "/proc/net/tcp print 0 as a listener's Send-Q): %lld = %lld + 1, ",
				   detail.len ? "; " : "", (long long)l->limit_inferred + 1,
				   (long long)l->limit_inferred + 1, (long long)l->limit_inferred);
			if (l->inferred_from_somaxconn)
				strbuf_addf(&detail,
					   "and net.core.somaxconn is %lld: no queue of this listener "
					   "holds more, so it was full", (long long)l->limit_inferred);
			else
				strbuf_addf(&detail,
					   "what a full queue of the common limit %lld holds (Linux "
					   "admits limit + 1), so it was almost surely full",
					   (long long)l->limit_inferred);
			if (l->n_snapshots > 1)
				strbuf_addf(&detail, ", in %u of %u snapshots",
					   l->n_full_snapshots, l->n_snapshots);
			if (isnan(f->since))
				f->since = l->inferred_src.at;
		} else if (l->n_full_snapshots && l->max_src.file) {
			finding_evidence(an, f, &l->max_src, NULL);
			strbuf_addf(&detail, "%sLISTEN Recv-Q %lld of limit %lld (full) in %u of %u "
					"snapshots",
					detail.len ? "; " : "", (long long)l->max_recv_q, (long long)l->backlog,
					l->n_full_snapshots, l->n_snapshots);
			if (isnan(f->since))
				f->since = l->max_src.at;
		}
		if (stalled) {
			if (st.first_cw)
				finding_evidence(an, f, &st.first_cw->src, NULL);
			if (!l->n_full_snapshots && st.listen_row)
				finding_evidence(an, f, &st.listen_row->src, NULL);
			bool alone = !l->n_full_snapshots && !cap && !counters_are_its;
			if (alone && st.listen_q >= 0)
				strbuf_addf(&detail, "LISTEN Recv-Q %lld",
					   (long long)st.listen_q);
			stall_detail(&detail, &st, alone ? ": " : "; ");
			if (!l->n_full_snapshots && !cap && !counters_are_its)
				strbuf_addf(&detail,
					   ": the application's accept() stalled (its workers busy or "
					   "stuck); not a descriptor leak, no process ever held them");
			if (isnan(f->since))
				f->since = st.snap->at;
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
			strbuf_addf(&detail, "%scapture: %llu SYN-ACKs re-sent after the client's ACK, "
					"%llu resets right after the handshake, %llu connections whose "
					"client finished the handshake and sent data that the server never "
					"acknowledged (SYN-cookie connections dropped on the full queue)",
					detail.len ? "; " : "",
					(unsigned long long)cs->synack_retransmits_after_ack,
					(unsigned long long)cs->rst_after_handshake,
					(unsigned long long)cs->requests_never_acked);
		}
		/* one counter snapshot: overflows since boot, not necessarily now */
		if (!counters_are_its && have_ov && ov.moments == 1 && ov.last > 0) {
			finding_fact_int(an, f, "ListenOverflows_total", ov.last);
			finding_evidence(an, f, &ov.last_c->src, NULL);
			strbuf_addf(&detail,
				   "%sListenOverflows is %lld in the one counter snapshot: overflows at "
				   "some time since boot, not necessarily now", detail.len ? "; " : "",
				   (long long)ov.last);
		}
		if (one_look && l->n_full_snapshots)
			strbuf_addf(&detail, "; %s", one_look_text(l));
		else if (!l->n_full_snapshots && !cap && !counters_are_its && st.moments <= 1)
			strbuf_addf(&detail,
				   "; one look: a second `ss -tanp` a few seconds later that shows the "
				   "same connections still queued would confirm the stall");
		/* a full accept queue keeps requests in the SYN queue (their final
		 * ACK is dropped, tcp_check_req()), which the same backlog caps:
		 * the kernel's "Possible SYN flooding" line follows */
		const struct kernel_event *kev;
		uint32_t klines = rule_syn_flood_lines(inc, l, &kev);
		if (klines) {
			finding_fact_int(an, f, "kernel_syn_flood_lines", klines);
			finding_evidence(an, f, &kev->src, NULL);
			strbuf_addf(&detail, "%sthe kernel logged \"Possible SYN "
				   "flooding on port %d\" (%s): the SYN queue filled too, as it "
				   "does when requests wait for a full accept queue",
				   detail.len ? "; " : "", (int)kev->port,
				   kev->cookies ? "cookies sent" : "SYNs dropped");
		}
		finding_detail(an, f, "%s", detail.buf);
		strbuf_release(&detail);
		if (!l->n_full_snapshots && !cap && !counters_are_its)
			finding_advice(an, f,
				       "Find out why no process calls accept() on %s fast enough: "
				       "look at its workers' threads (`stuckscope attach --port %u`, "
				       "or a stack dump of each worker). Restarting the workers "
				       "drains the queue meanwhile.", l->name, l->addr.port);
		else
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
	} else if (!emitted && have_ov && ov.moments == 1 && ov.last > 0) {
		struct finding *f = finding_new(an, self, SEV_INFO, 0.3,
						"ListenOverflows is %lld since boot (one snapshot: when "
						"is unknown)", (long long)ov.last);
		finding_fact_int(an, f, "ListenOverflows_total", ov.last);
		finding_fact_int(an, f, "looks", 1);
		finding_evidence(an, f, &ov.last_c->src, NULL);
		finding_detail(an, f, "a single counter snapshot cannot show whether the overflows "
				      "happened during the incident%s",
			       ov.n > 1 ? " (the counter files given were taken at the same moment)"
					: "");
		finding_advice(an, f, "Take a second counter snapshot (`nstat -az` or `netstat -s`) "
				      "during the incident and compare.");
	} else if (!emitted && !have_ov && overflow_increment(inc) > 0) {
		/* nstat without -a: increments since its previous run */
		const struct counter *c = NULL;
		int64_t inc_ov = overflow_increment_at(inc, &c);
		struct finding *f = finding_new(an, self, SEV_INFO, 0.3,
						"ListenOverflows +%lld since the previous nstat run "
						"(one snapshot: when is unknown)", (long long)inc_ov);
		finding_fact_int(an, f, "ListenOverflows_increment", inc_ov);
		finding_fact_int(an, f, "looks", 1);
		finding_evidence(an, f, &c->src, NULL);
		finding_detail(an, f, "nstat without -a prints what grew since its previous run (or "
				      "since boot on its first); when that was is not in the file, so "
				      "the overflows may predate the incident");
		finding_advice(an, f, "Run `nstat -az` twice, a minute apart, during the incident "
				      "and compare.");
	} else if (!emitted) {
		if (window)
			analysis_checked(an, "no accept-queue overflow (ListenOverflows +0 over %u "
					 "snapshots)", ov.moments);
		else if (inc->listeners.n && limit_snaps(inc))
			/* only tables that show the limit (ss, sock_diag) can
			 * say a queue was not full: netstat and /proc/net/tcp
			 * print 0 for it (get_tcp4_sock(), net/ipv4/tcp_ipv4.c) */
			analysis_checked(an, "no listener's accept queue full in %zu socket snapshots",
					 limit_snaps(inc));
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
