/* syn_unanswered.c — SYNs to a listener that got no SYN-ACK, and how the
 * clients retransmitted them.
 *
 * A SYN packet is unanswered when no SYN-ACK for its attempt arrives before
 * the next SYN of the same attempt or the end of the capture; an attempt is
 * never answered when none of its SYNs got one (DESIGN.md). The client
 * retransmits on its own timer: with net.ipv4.tcp_syn_linear_timeouts (6.x,
 * default 4) the first retries come 1 s apart, then the interval doubles;
 * older kernels double from the start (1, 3, 7, 15 s after the first SYN:
 * tcp_retransmit_timer(), net/ipv4/tcp_timer.c). The intervals are read from
 * the capture, never assumed.
 *
 * A full netfilter connection table drops them before TCP sees them:
 * __nf_conntrack_alloc() (net/netfilter/nf_conntrack_core.c) cannot track the
 * first packet of a new flow, logs "nf_conntrack: table full, dropping
 * packet" (rate-limited) and the packet is dropped; no TCP counter
 * (ListenDrops, ListenOverflows) counts it. The kernel log's line is that
 * cause, cited with the capture's unanswered SYNs, or stated alone when
 * there is no capture: the clients' SYNs go unanswered all the same. */
#include <math.h>
#include <stdio.h>

#include "derive/derive.h"
#include "rule.h"

/* Without a capture, the clients' side of a socket table: a client on this
 * host whose SYN got no SYN-ACK waits in SYN-SENT (tcp_v4_connect() until
 * tcp_rcv_synsent_state_process()). Over loopback an answered SYN leaves
 * SYN-SENT within microseconds, so rows in SYN-SENT to a local listener
 * are SYNs the listener dropped (its accept queue full, or its SYN queue).
 * Per moment, the most any tool of that moment shows. */
static void from_sockets(struct analysis *an, const struct rule *self, const struct listener *l)
{
	const struct incident *inc = &an->inc;
	uint32_t peak = 0, moments = 0, cur = 0, moment = 0;
	const struct sock_row *first = NULL, *peak_row = NULL;
	for (size_t i = 0; i <= inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = i < inc->sock_snaps.n ? inc->sock_snaps.v[i] : NULL;
		if (!s || !s->moment || s->moment != moment) {
			if (cur)
				moments++;
			cur = 0;
		}
		if (!s)
			break;
		moment = s->moment;
		uint32_t n = 0;
		const struct sock_row *row1 = NULL;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (row->state != TCP_SYN_SENT || derive_listener_of_peer(inc, row) != l)
				continue;
			if (!row1)
				row1 = row;
			n++;
		}
		if (n > cur)
			cur = n;
		if (n > peak) {
			peak = n;
			peak_row = row1;
		}
		if (n && !first)
			first = row1;
	}
	if (!peak)
		return;
	struct finding *f = finding_new(an, self, SEV_WARNING, moments > 1 ? 0.75 : 0.6,
					"%u connections to %s wait in SYN-SENT on this host: their "
					"SYNs were not answered", peak, l->name);
	f->listener = l->name;
	f->since = first->src.at;
	finding_fact_int(an, f, "syn_sent", peak);
	finding_fact_int(an, f, "syn_sent_snapshots", moments);
	if (moments == 1)
		finding_fact_int(an, f, "looks", 1);
	finding_evidence(an, f, &peak_row->src, NULL);
	finding_detail(an, f,
		       "clients on this host connecting to %s still wait for a SYN-ACK (up to %u "
		       "at once, in %u snapshot%s): over loopback an answered SYN leaves SYN-SENT "
		       "within microseconds, so the listener dropped them%s",
		       l->name, peak, moments, moments == 1 ? "" : "s",
		       moments == 1 ? "; one look: a capture (or a second snapshot still "
				      "showing them) would show their retransmits"
				    : "");
	finding_advice(an, f,
		       "The server's kernel dropped these SYNs: its accept queue was full (see "
		       "accept-queue-overflow) or its SYN queue was (syn-flood). A capture on the "
		       "port (`tcpdump -i any -w syn.pcap port %u`) shows how often the clients "
		       "retry.", l->addr.port);
}

/* The conntrack table was full: new connections' SYNs dropped before TCP,
 * with no capture to count them. */
static void conntrack_full(struct analysis *an, const struct rule *self,
			   const struct kernel_event *ct, uint64_t lines)
{
	const struct incident *inc = &an->inc;
	bool in_window = rule_kernel_event_in_window(inc, ct);
	struct counter_span ld, ov;
	bool have_ld = incident_counter_span(inc, "ListenDrops", &ld) && ld.n >= 2 &&
		       !ld.went_backwards;
	bool have_ov = incident_counter_span(inc, "ListenOverflows", &ov) && ov.n >= 2 &&
		       !ov.went_backwards;
	bool listeners_fine = have_ld && ld.delta == 0 && (!have_ov || ov.delta == 0);
	int64_t ct_max = -1, ct_count = -1;
	if (!incident_sysctl_i64(inc, "net.netfilter.nf_conntrack_max", &ct_max) &&
	    !incident_sysctl_i64(inc, "net.nf_conntrack_max", &ct_max))
		ct_max = -1;
	if (!incident_sysctl_i64(inc, "net.netfilter.nf_conntrack_count", &ct_count))
		ct_count = -1;
	bool near_full = ct_max > 0 && ct_count >= 0 && ct_count * 10 >= ct_max * 9;
	double conf = 0.6 + (listeners_fine ? 0.15 : 0) + (near_full ? 0.1 : 0);
	char t1[32];
	struct finding *f = finding_new(an, self, in_window ? SEV_CRITICAL : SEV_INFO,
					in_window ? conf : 0.3,
					"new connections dropped before TCP: the conntrack table was "
					"full (%llu kernel log line%s)%s",
					(unsigned long long)lines, lines == 1 ? "" : "s",
					in_window ? "" : arena_printf(&an->arena, " at %s, outside the "
								      "evidence window",
								      time_format_hms(ct->src.at, t1,
										      sizeof(t1))));
	if (inc->listeners.n == 1)
		f->listener = inc->listeners.v[0]->name;
	f->since = ct->src.at;
	finding_fact_str(an, f, "cause", "conntrack-table-full");
	finding_fact_int(an, f, "kernel_conntrack_full_lines", (int64_t)lines);
	if (have_ld)
		finding_fact_int(an, f, "ListenDrops", ld.delta);
	if (ct_max >= 0)
		finding_fact_int(an, f, "nf_conntrack_max", ct_max);
	if (ct_count >= 0)
		finding_fact_int(an, f, "nf_conntrack_count", ct_count);
	finding_evidence(an, f, &ct->src, NULL);
	if (have_ld)
		finding_evidence(an, f, &ld.last_c->src, NULL);
	finding_detail(an, f,
		       "the kernel logged \"%s\" (%s:%u): netfilter's connection table was full, so "
		       "the first packet of each new flow, a client's SYN, was dropped before TCP "
		       "saw it (__nf_conntrack_alloc()); clients see SYNs never answered and retry. "
		       "%s%s",
		       ct->text ? ct->text : "nf_conntrack: table full, dropping packet",
		       ct->src.file, ct->src.line,
		       listeners_fine ? arena_printf(&an->arena, "No listener dropped anything "
						     "(ListenDrops +%lld): the drops are not the "
						     "server's queues. ", (long long)ld.delta)
				      : "No TCP counter counts these drops. ",
		       ct_max >= 0 && ct_count >= 0
		       ? arena_printf(&an->arena, "nf_conntrack_count %lld of nf_conntrack_max %lld.",
				      (long long)ct_count, (long long)ct_max)
		       : "");
	finding_advice(an, f,
		       "Compare net.netfilter.nf_conntrack_count with nf_conntrack_max, find what "
		       "fills the table (`conntrack -S`; `conntrack -L` by state and source: short "
		       "connections in TIME_WAIT, a scan), then raise nf_conntrack_max (and "
		       "nf_conntrack_buckets) or exempt the service's port from tracking (a raw-table "
		       "NOTRACK rule, or `ct state untracked` with nftables).");
}

static void run(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	const struct kernel_event *ct = NULL;
	uint64_t ct_lines = rule_kernel_events(inc, KEV_CONNTRACK_FULL, &ct);
	if (ct_lines && !incident_has_capture(inc))
		conntrack_full(an, self, ct, ct_lines);
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		const struct capture_stats *c = l->capture;
		if (!c) {
			from_sockets(an, self, l);
			continue;
		}
		if (!c->syn_unanswered_packets) {
			analysis_checked(an, "every SYN to %s answered (%llu SYNs in the capture)",
					 l->name, (unsigned long long)c->syn_packets);
			continue;
		}
		bool all = c->syn_attempts && c->attempts_never_answered == c->syn_attempts;
		enum severity sev = c->attempts_never_answered || c->syn_unanswered_packets * 20 >
				    c->syn_packets ? SEV_CRITICAL : SEV_WARNING;
		struct strbuf iv = STRBUF_INIT;
		for (size_t k = 0; k < c->syn_retransmit_intervals.n && k < 8; k++)
			strbuf_addf(&iv, "%s+%.1f s (%llu)", k ? ", " : "",
				    c->syn_retransmit_intervals.v[k],
				    (unsigned long long)(k < c->syn_retransmit_interval_counts.n
							? c->syn_retransmit_interval_counts.v[k] : 0));
		bool none = !iv.len;
		if (none)
			strbuf_addstr(&iv, "none");
		struct finding *f = finding_new(an, self, sev, 0.95 * capture_keep(c),
						"%llu SYNs to %s never answered%s",
						(unsigned long long)c->syn_unanswered_packets, l->name,
						all ? ": no connection attempt succeeded" : "");
		f->listener = l->name;
		f->since = c->first_unanswered_ts;
		for (size_t k = 0; k < l->pids.n; k++)
			finding_pid(an, f, l->pids.v[k]);
		finding_fact_int(an, f, "syn_packets", (int64_t)c->syn_packets);
		finding_fact_int(an, f, "syn_attempts", (int64_t)c->syn_attempts);
		finding_fact_int(an, f, "syn_unanswered_packets", (int64_t)c->syn_unanswered_packets);
		finding_fact_int(an, f, "attempts_never_answered", (int64_t)c->attempts_never_answered);
		if (c->syn_retransmit_intervals.n)
			finding_fact_num(an, f, "first_retransmit_s", c->syn_retransmit_intervals.v[0]);
		finding_fact_str(an, f, "retransmit_intervals", iv.buf);
		if (c->first_unanswered.packet)
			finding_evidence(an, f, &c->first_unanswered, NULL);
		/* linear (1, 2, 3 ...) or doubling (1, 3, 7 ...) retransmits */
		const char *pattern = "";
		if (c->syn_retransmit_intervals.n >= 2) {
			double a = c->syn_retransmit_intervals.v[0], b = c->syn_retransmit_intervals.v[1];
			if (fabs(a - 1) < 0.25 && fabs(b - 2) < 0.25)
				pattern = " — linear 1 s retries (tcp_syn_linear_timeouts, Linux 6.x)";
			else if (fabs(a - 1) < 0.25 && fabs(b - 3) < 0.25)
				pattern = " — exponential backoff from 1 s";
		}
		finding_detail(an, f,
			       "%llu of %llu SYN packets (%llu connection attempts) got no SYN-ACK "
			       "before the next retransmit or the end of the capture; %llu attempts "
			       "were never answered at all. %s%s%s",
			       (unsigned long long)c->syn_unanswered_packets,
			       (unsigned long long)c->syn_packets,
			       (unsigned long long)c->syn_attempts,
			       (unsigned long long)c->attempts_never_answered,
			       none ? "No SYN was retransmitted (the clients gave up, or the source "
				      "addresses were spoofed, or the capture ended first)"
				    : "Clients retransmitted after ", none ? "" : iv.buf,
			       none ? "." : arena_printf(&an->arena, "%s.", pattern));
		strbuf_release(&iv);
		finding_advice(an, f,
			       "The server's kernel dropped these SYNs: its accept queue was full "
			       "(see accept-queue-overflow) or its SYN queue was (syn-flood). Each "
			       "retry costs the client at least a second: that is the latency and the "
			       "timeouts users see.");
		if (ct_lines && rule_kernel_event_in_window(inc, ct)) {
			finding_fact_str(an, f, "cause", "conntrack-table-full");
			finding_fact_int(an, f, "kernel_conntrack_full_lines", (int64_t)ct_lines);
			finding_evidence(an, f, &ct->src, NULL);
			finding_advice(an, f,
				       "The kernel log says the conntrack table was full (%s:%u): "
				       "netfilter dropped new connections' SYNs before TCP saw them, "
				       "which no TCP counter counts. Check nf_conntrack_count against "
				       "nf_conntrack_max, then raise the limit or exempt the port from "
				       "tracking. Each retry costs the client at least a second.",
				       ct->src.file, ct->src.line);
		} else {
			finding_advice(an, f,
				       "The server's kernel dropped these SYNs: its accept queue was "
				       "full (see accept-queue-overflow) or its SYN queue was "
				       "(syn-flood). Each retry costs the client at least a second: "
				       "that is the latency and the timeouts users see.");
		}
		/* cross-check with the counters */
		struct counter_span ov, ld, ck;
		bool have_ld = incident_counter_span(inc, "ListenDrops", &ld) && ld.moments >= 2 &&
			       !ld.went_backwards;
		bool have_ck = incident_counter_span(inc, "SyncookiesSent", &ck) &&
			       ck.moments >= 2 && !ck.went_backwards && ck.delta > 0;
		if (incident_counter_span(inc, "ListenOverflows", &ov) && ov.moments >= 2 &&
		    !ov.went_backwards) {
			if ((uint64_t)ov.delta > c->syn_unanswered_packets) {
				struct strbuf why = STRBUF_INIT;
				if (c->synack_retransmits_after_ack)
					strbuf_addf(&why, "; final ACKs were dropped too "
						    "(%llu SYN-ACKs re-sent after the client's ACK)",
						    (unsigned long long)c->synack_retransmits_after_ack);
				if (have_ck)
					strbuf_addf(&why, "; SYN cookies were sent %lld "
						    "times, and a cookie connection whose ACK finds the "
						    "queue full is dropped silently, once per retransmit "
						    "of its data (%llu such connections in the capture)",
						    (long long)ck.delta,
						    (unsigned long long)c->requests_never_acked);
				if (!why.len)
					strbuf_addstr(&why, "; the capture may not cover "
							      "the whole counter window");
				analysis_note(an, "ListenOverflows +%lld exceeds the %llu unanswered SYNs "
						  "of %s%s", (long long)ov.delta,
					      (unsigned long long)c->syn_unanswered_packets, l->name, why.buf);
				strbuf_release(&why);
			} else if ((uint64_t)ov.delta < c->syn_unanswered_packets) {
				if (have_ld && (uint64_t)ld.delta >= c->syn_unanswered_packets)
					analysis_note(an, "the %llu unanswered SYNs of %s are not accept-"
							  "queue overflows (ListenOverflows +%lld) but other "
							  "listen drops: ListenDrops +%lld", 
						      (unsigned long long)c->syn_unanswered_packets,
						      l->name, (long long)ov.delta, (long long)ld.delta);
				else
					analysis_note(an, "fewer ListenOverflows (+%lld) than unanswered "
							  "SYNs (%llu) on %s: the counters may not cover the "
							  "capture's time, or the SYNs were dropped before "
							  "the listener (firewall, SYN queue)",
						      (long long)ov.delta,
						      (unsigned long long)c->syn_unanswered_packets,
						      l->name);
			}
		}
	}
}

const struct rule rule_syn_unanswered = {
	.id = "syn-unanswered",
	.title = "SYNs to a listener never answered; their retransmit pattern",
	.doc = "From a capture: per listener, SYN packets with no SYN-ACK before the client's next "
	       "SYN of the same attempt (same ISN) or the end of the capture, attempts never "
	       "answered, and the retransmit offsets actually seen (linear 1 s retries on 6.x "
	       "kernels with tcp_syn_linear_timeouts, doubling on older ones). Cross-checks the "
	       "count with the ListenOverflows delta when counters are present. Without a "
	       "capture, clients on the same host waiting in SYN-SENT to a local listener in a "
	       "socket snapshot (their SYNs unanswered). A kernel log line \"nf_conntrack: table "
	       "full, dropping packet\" is the cause it names when present, and is reported alone "
	       "without a capture: netfilter drops new connections' SYNs before TCP, and no TCP "
	       "counter counts them.",
	.needs = NEED_CAPTURE | NEED_SOCKETS | NEED_KERNEL_LOG,
	.run = run,
};
