/* syn_flood.c — the SYN (half-open) queue full: a flood of handshakes that
 * never complete.
 *
 * tcp_conn_request() (net/ipv4/tcp_input.c): when the request queue is full
 * (inet_csk_reqsk_queue_is_full(): reqsk_queue_len >= sk_max_ack_backlog) it
 * sends a SYN cookie if tcp_syncookies allows (TCPReqQFullDoCookies,
 * SyncookiesSent) or drops the SYN (TCPReqQFullDrop, ListenDrops but not
 * ListenOverflows). With syncookies off, tcp_max_syn_backlog also drops at 3/4
 * full. The listen backlog caps the SYN queue too, so an ordinary burst against
 * a small backlog sends cookies without any flood ("Possible SYN flooding" in
 * dmesg): then the accept queue overflows as well, and SYN-RECV stays small. */
#include <stdio.h>
#include <string.h>

#include "derive/derive.h"
#include "rule.h"

static int64_t delta_of(const struct incident *inc, const char *name, struct counter_span *sp)
{
	if (!incident_counter_span(inc, name, sp) || sp->moments < 2 || sp->went_backwards)
		return 0;
	return sp->delta;
}

static void run(struct analysis *an, const struct rule *self)
{
	struct incident *inc = &an->inc;
	struct counter_span cook, drop, sent, ov, ld;
	int64_t d_cook = delta_of(inc, "TCPReqQFullDoCookies", &cook);
	int64_t d_drop = delta_of(inc, "TCPReqQFullDrop", &drop);
	int64_t d_sent = delta_of(inc, "SyncookiesSent", &sent);
	int64_t d_ov = delta_of(inc, "ListenOverflows", &ov);
	int64_t d_ld = delta_of(inc, "ListenDrops", &ld);
	int64_t syncookies = -1;
	if (!incident_sysctl_i64(inc, "net.ipv4.tcp_syncookies", &syncookies))
		syncookies = -1;

	/* half-open sockets per listener */
	const struct listener *worst_l = NULL;
	uint32_t worst = 0, worst_sources = 0;
	const struct sock_row *worst_row = NULL;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		for (size_t li = 0; li < inc->listeners.n; li++) {
			const struct listener *l = inc->listeners.v[li];
			uint32_t n = 0, sources = 0;
			const struct sock_row *first = NULL;
			for (size_t r = 0; r < s->rows.n; r++) {
				const struct sock_row *row = &s->rows.v[r];
				if (row->state != TCP_SYN_RECV && row->state != TCP_NEW_SYN_RECV)
					continue;
				if (derive_listener_of(inc, &row->local) != l)
					continue;
				if (!first)
					first = row;
				n++;
				bool seen = false;
				for (size_t k = 0; k < r && !seen; k++) {
					const struct sock_row *o = &s->rows.v[k];
					if ((o->state == TCP_SYN_RECV || o->state == TCP_NEW_SYN_RECV) &&
					    o->peer.family == row->peer.family &&
					    memcmp(o->peer.addr, row->peer.addr, 16) == 0)
						seen = true;
				}
				if (!seen)
					sources++;
			}
			if (n > worst) {
				worst = n;
				worst_l = l;
				worst_sources = sources;
				worst_row = first;
			}
		}
	}
	int64_t limit = worst_l ? worst_l->backlog : -1;
	bool surge = worst >= 64 && (limit < 0 || (int64_t)worst > limit / 2);
	bool reqq = d_cook > 0 || d_drop > 0 || d_sent > 0;
	/* drops on listeners that were not accept-queue overflows: with
	 * syncookies off, the SYN queue (tcp_max_syn_backlog, 3/4 rule) drops
	 * count in ListenDrops only; many of them are a SYN-queue problem even
	 * when the sysctl was not collected */
	bool other_drops = d_ld > d_ov && (syncookies == 0 || d_ld - d_ov >= 100);
	const struct finding *overflow = analysis_find(an, "accept-queue-overflow", NULL);

	if (!reqq && !surge && !other_drops) {
		if (inc->counter_snaps.n < 2 && !inc->sock_snaps.n)
			return;		/* nothing to check it against */
		analysis_checked(an, "no SYN flood (no SYN-queue drops or cookies%s, at most %u "
				 "half-open)", inc->counter_snaps.n >= 2 ? "" : " counted", worst);
		return;
	}
	if (reqq && !surge && overflow && overflow->severity == SEV_CRITICAL) {
		/* ordinary clients, small backlog: the accept queue overflowed too */
		analysis_checked(an, "no SYN flood: %lld SYN cookies sent and %lld SYN-queue drops "
				 "are explained by the small backlog under a burst (the accept queue "
				 "overflowed too; at most %u half-open)",
				 (long long)d_sent, (long long)d_drop, worst);
		analysis_note(an, "SYN cookies were sent %lld times: the listen backlog also caps the "
				  "SYN queue, so a burst of ordinary clients triggers cookies; a cookie "
				  "connection whose ACK finds the accept queue full is dropped silently",
			      (long long)(d_sent ? d_sent : d_cook));
		return;
	}
	double conf = 0.5 + (surge ? 0.25 : 0) + (reqq ? 0.15 : 0) +
		      (surge && worst_sources && worst_sources <= 3 ? 0.05 : 0);
	struct finding *f = finding_new(an, self, surge || d_drop > 0 ? SEV_CRITICAL : SEV_WARNING,
					conf, "SYN queue%s full: %s",
					worst_l ? " of a listener" : "",
					surge ? "many half-open handshakes never completed"
					      : "SYN cookies / SYN-queue drops");
	if (worst_l) {
		f->listener = worst_l->name;
		f->title = arena_printf(&an->arena, "SYN queue of %s full: %u half-open handshakes "
					"from %u source%s", worst_l->name, worst, worst_sources,
					worst_sources == 1 ? "" : "s");
	}
	if (d_cook)
		finding_fact_int(an, f, "TCPReqQFullDoCookies", d_cook);
	if (d_drop)
		finding_fact_int(an, f, "TCPReqQFullDrop", d_drop);
	if (d_sent)
		finding_fact_int(an, f, "SyncookiesSent", d_sent);
	finding_fact_int(an, f, "half_open_peak", worst);
	finding_fact_int(an, f, "half_open_sources", worst_sources);
	if (syncookies >= 0)
		finding_fact_int(an, f, "tcp_syncookies", syncookies);
	if (d_cook)
		finding_evidence(an, f, &cook.last_c->src, NULL);
	if (d_drop)
		finding_evidence(an, f, &drop.last_c->src, NULL);
	if (d_sent)
		finding_evidence(an, f, &sent.last_c->src, NULL);
	if (worst_row)
		finding_evidence(an, f, &worst_row->src, NULL);
	finding_detail(an, f,
		       "%u half-open (SYN-RECV) sockets at peak from %u source address%s; "
		       "TCPReqQFullDoCookies +%lld, TCPReqQFullDrop +%lld, SyncookiesSent +%lld; "
		       "ListenDrops +%lld vs ListenOverflows +%lld",
		       worst, worst_sources, worst_sources == 1 ? "" : "es", (long long)d_cook,
		       (long long)d_drop, (long long)d_sent, (long long)d_ld, (long long)d_ov);
	finding_advice(an, f,
		       "Keep net.ipv4.tcp_syncookies=1 so legitimate clients still connect during a "
		       "flood; filter the sources upstream if they are few. With syncookies off, "
		       "net.ipv4.tcp_max_syn_backlog and the listen() backlog size the SYN queue.");
}

const struct rule rule_syn_flood = {
	.id = "syn-flood",
	.title = "SYN (half-open) queue full from handshakes that never complete",
	.doc = "Reads TCPReqQFullDoCookies, TCPReqQFullDrop and SyncookiesSent deltas, "
	       "ListenDrops beyond ListenOverflows, and SYN-RECV sockets per listener and how "
	       "many sources they come from. SYN cookies alone are not a flood: a burst of "
	       "ordinary clients against a small backlog sends them too, and then the accept "
	       "queue overflows as well; that case is reported as checked, not as a flood.",
	.needs = NEED_COUNTERS | NEED_SOCKETS,
	.run = run,
};
