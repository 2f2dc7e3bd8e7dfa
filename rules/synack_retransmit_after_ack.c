/* synack_retransmit_after_ack.c — the server re-sent its SYN-ACK after the
 * client had ACKed it: the final ACK was dropped because the accept queue was
 * full (tcp_check_req() -> inet_csk_complete_hashdance() fails when
 * sk_acceptq_is_full(); with tcp_abort_on_overflow=0 the request stays and
 * the SYN-ACK timer re-sends, net/ipv4/tcp_minisocks.c). The client already
 * believes it is connected and may have sent its request. */
#include <stdio.h>

#include "rule.h"

static void run(struct analysis *an, const struct rule *self)
{
	const struct incident *inc = &an->inc;
	int64_t abort_on_overflow = -1;
	if (!incident_sysctl_i64(inc, "net.ipv4.tcp_abort_on_overflow", &abort_on_overflow))
		abort_on_overflow = -1;
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		const struct capture_stats *c = l->capture;
		if (!c || !c->synack_retransmits_after_ack)
			continue;
		struct finding *f = finding_new(an, self, SEV_WARNING, 0.9 * capture_keep(c),
						"%s re-sent %llu SYN-ACKs after the client's ACK",
						l->name,
						(unsigned long long)c->synack_retransmits_after_ack);
		f->listener = l->name;
		f->since = c->first_synack_after_ack.at;
		finding_fact_int(an, f, "synack_retransmits_after_ack",
				 (int64_t)c->synack_retransmits_after_ack);
		finding_fact_int(an, f, "synack_retransmits", (int64_t)c->synack_retransmits);
		if (abort_on_overflow >= 0)
			finding_fact_int(an, f, "tcp_abort_on_overflow", abort_on_overflow);
		if (c->first_synack_after_ack.packet)
			finding_evidence(an, f, &c->first_synack_after_ack, NULL);
		finding_detail(an, f,
			       "the client's final ACK reached a full accept queue and was dropped; "
			       "with tcp_abort_on_overflow=%s the kernel keeps the request and "
			       "re-sends the SYN-ACK, while the client, already connected, waits for "
			       "an answer",
			       abort_on_overflow == 0 ? "0" : abort_on_overflow > 0 ? "1 (?)" : "0 "
			       "(the default)");
		finding_advice(an, f,
			       "A symptom of the full accept queue: fix what keeps the application "
			       "from calling accept(). Do not set tcp_abort_on_overflow=1 to hide "
			       "it: clients then get resets instead of a delay.");
	}
}

const struct rule rule_synack_retransmit_after_ack = {
	.id = "synack-retransmit-after-ack",
	.title = "server re-sent SYN-ACK after the client's ACK (accept queue full at the final ACK)",
	.doc = "From a capture: SYN-ACK retransmits for connections whose client had already "
	       "ACKed the SYN-ACK. The final ACK was dropped because the accept queue was full "
	       "and tcp_abort_on_overflow is 0.",
	.needs = NEED_CAPTURE,
	.run = run,
};
