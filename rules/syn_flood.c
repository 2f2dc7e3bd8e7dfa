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
 * dmesg): then the accept queue overflows as well, and SYN-RECV stays small.
 *
 * That kernel line (tcp_syn_flood_action(), read by parse_kernlog.c) is
 * printed once per listening socket (queue->synflood_warned) and
 * rate-limited: it says the listener's SYN queue was full at least once since
 * the listener was created, not when, how often, or why. It is cited as
 * evidence, never as proof of an attack: what tells a flood from a burst is
 * how many half-open sockets there are and from how many sources, whether
 * the cookies come back (SyncookiesRecv against SyncookiesSent), and whether
 * the accept queue overflowed too. */
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

/* Only the kernel's line: the SYN queue was full once; a flood or a burst,
 * the line cannot tell. */
static void syn_flood_line_alone(struct analysis *an, const struct rule *self,
				 const struct kernel_event *kev, uint32_t klines, int64_t syncookies)
{
	const struct incident *inc = &an->inc;
	const struct listener *l = NULL;
	for (size_t i = 0; i < inc->listeners.n && !l; i++) {
		const struct kernel_event *k;
		if (rule_syn_flood_lines(inc, inc->listeners.v[i], &k) && k == kev)
			l = inc->listeners.v[i];
	}
	char where[96];
	if (l)
		snprintf(where, sizeof(where), "%s", l->name);
	else if (kev->addr.family)
		endpoint_format(&kev->addr, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "port %d", (int)kev->port);
	struct counter_span ck;
	bool window = (incident_counter_span(inc, "TCPReqQFullDoCookies", &ck) ||
		       incident_counter_span(inc, "TCPReqQFullDrop", &ck)) && ck.n >= 2 &&
		      !ck.went_backwards;
	/* counters over a window with no SYN-queue overflow: the line is older */
	struct finding *f = finding_new(an, self, SEV_INFO, window ? 0.2 : 0.3,
					"SYN queue of %s full at least once (kernel log): a flood, or a "
					"burst against a small backlog", where);
	f->listener = l ? l->name : NULL;
	if (l)
		for (size_t k = 0; k < l->pids.n; k++)
			finding_pid(an, f, l->pids.v[k]);
	finding_fact_int(an, f, "kernel_syn_flood_lines", klines);
	if (kev->port >= 0)
		finding_fact_int(an, f, "port", kev->port);
	finding_fact_bool(an, f, "cookies", kev->cookies);
	if (syncookies >= 0)
		finding_fact_int(an, f, "tcp_syncookies", syncookies);
	finding_evidence(an, f, &kev->src, NULL);
	f->since = kev->src.at;
	finding_detail(an, f,
		       "the kernel printed \"%s\": the listener's SYN queue, which the listen "
		       "backlog caps, was full and the kernel %s (tcp_syn_flood_action()). It "
		       "prints this once per listening socket, so the line says the queue was full "
		       "at least once since the listener was created, not when, how often, or "
		       "why%s",
		       kev->text ? kev->text : "Possible SYN flooding",
		       kev->cookies ? "answered with SYN cookies" : "dropped SYNs",
		       window ? arena_printf(&an->arena, "; the counters show no SYN-queue overflow "
					     "between the snapshots (%s +%lld), so it happened "
					     "before them", ck.last_c->name, (long long)ck.delta)
			      : "");
	finding_advice(an, f,
		       "Tell a flood from a burst before acting: a flood leaves many SYN-RECV sockets "
		       "from few or spoofed sources and its cookies never come back (SyncookiesRecv "
		       "far below SyncookiesSent) while ListenOverflows stays flat; a burst of real "
		       "clients against a small backlog completes its handshakes (SyncookiesRecv "
		       "close to SyncookiesSent) and overflows the accept queue too (ListenOverflows "
		       "grows, LISTEN Recv-Q reaches Send-Q). Collect `ss -tan state syn-recv`, "
		       "`ss -ltn` and `nstat -az` twice during the incident.");
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
	const struct kernel_event *kev = NULL;
	uint32_t klines = rule_syn_flood_lines(inc, NULL, &kev);

	if (klines && !reqq && !surge && !other_drops &&
	    !(overflow && overflow->severity == SEV_CRITICAL)) {
		syn_flood_line_alone(an, self, kev, klines, syncookies);
		return;
	}
	if (!reqq && !surge && !other_drops && !klines) {
		if (inc->counter_snaps.n < 2 && !inc->sock_snaps.n)
			return;		/* nothing to check it against */
		analysis_checked(an, "no SYN flood (no SYN-queue drops or cookies%s, at most %u "
				 "half-open)", inc->counter_snaps.n >= 2 ? "" : " counted", worst);
		return;
	}
	if ((reqq || klines) && !surge && overflow && overflow->severity == SEV_CRITICAL) {
		/* ordinary clients, small backlog: the accept queue overflowed too */
		if (reqq) {
			analysis_checked(an, "no SYN flood: %lld SYN cookies sent and %lld SYN-queue "
					 "drops are explained by the small backlog under a burst (the "
					 "accept queue overflowed too; at most %u half-open)",
					 (long long)d_sent, (long long)d_drop, worst);
			analysis_note(an, "SYN cookies were sent %lld times: the listen backlog also "
					  "caps the SYN queue, so a burst of ordinary clients triggers "
					  "cookies; a cookie connection whose ACK finds the accept queue "
					  "full is dropped silently",
				      (long long)(d_sent ? d_sent : d_cook));
		} else {
			analysis_checked(an, "no SYN flood: the kernel's 'Possible SYN flooding' line "
					 "is explained by the small backlog under a burst (the accept "
					 "queue overflowed too; at most %u half-open)", worst);
		}
		if (klines)
			analysis_note(an, "%s:%u: the kernel logged \"Possible SYN flooding on port "
					  "%d\" (%s): not an attack by itself. The listen backlog caps "
					  "the SYN queue too, and requests whose final ACK finds the "
					  "accept queue full wait in it, so a burst of real clients fills "
					  "it; the kernel prints the line once per listener",
				      kev->src.file, kev->src.line, (int)kev->port,
				      kev->cookies ? "SYN cookies sent" : "SYNs dropped");
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
	if (klines) {
		finding_fact_int(an, f, "kernel_syn_flood_lines", klines);
		finding_evidence(an, f, &kev->src, NULL);
	}
	finding_detail(an, f,
		       "%u half-open (SYN-RECV) sockets at peak from %u source address%s; "
		       "TCPReqQFullDoCookies +%lld, TCPReqQFullDrop +%lld, SyncookiesSent +%lld; "
		       "ListenDrops +%lld vs ListenOverflows +%lld%s",
		       worst, worst_sources, worst_sources == 1 ? "" : "es", (long long)d_cook,
		       (long long)d_drop, (long long)d_sent, (long long)d_ld, (long long)d_ov,
		       klines ? arena_printf(&an->arena, "; the kernel logged \"Possible SYN "
					     "flooding on port %d\" (%s:%u)", (int)kev->port,
					     kev->src.file, kev->src.line)
			      : "");
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
