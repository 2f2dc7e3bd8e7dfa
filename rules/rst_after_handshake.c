/* rst_after_handshake.c — the server reset connections right after their
 * handshake: with tcp_abort_on_overflow=1, tcp_check_req() answers a final
 * ACK that finds the accept queue full with a RST (net/ipv4/tcp_minisocks.c,
 * "embryonic_reset"); clients see "connection reset by peer". */
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
		if (!c || !c->rst_after_handshake)
			continue;
		struct finding *f = finding_new(an, self, SEV_CRITICAL,
						(abort_on_overflow == 1 ? 0.95 : 0.75) *
						capture_keep(c),
						"%s reset %llu connections right after their handshake",
						l->name, (unsigned long long)c->rst_after_handshake);
		f->listener = l->name;
		f->since = c->first_rst_after_handshake.at;
		finding_fact_int(an, f, "rst_after_handshake", (int64_t)c->rst_after_handshake);
		finding_fact_int(an, f, "rst_from_server", (int64_t)c->rst_from_server);
		if (abort_on_overflow >= 0)
			finding_fact_int(an, f, "tcp_abort_on_overflow", abort_on_overflow);
		if (c->first_rst_after_handshake.packet)
			finding_evidence(an, f, &c->first_rst_after_handshake, NULL);
		finding_detail(an, f, "%s",
			       abort_on_overflow == 1
			       ? "tcp_abort_on_overflow=1: a final ACK that finds the accept queue full "
				 "is answered with a reset, so clients fail at once"
			       : "resets from the server before any data: with tcp_abort_on_overflow=1 "
				 "this is what a full accept queue does");
		finding_advice(an, f, "Fix what keeps the accept queue full; tcp_abort_on_overflow=1 "
				      "turns queueing delay into errors for clients.");
	}
}

const struct rule rule_rst_after_handshake = {
	.id = "rst-after-handshake",
	.title = "server reset connections right after the handshake (abort_on_overflow=1)",
	.doc = "From a capture: server RSTs on connections whose handshake had just completed, "
	       "with no data from the server: the accept queue was full and "
	       "tcp_abort_on_overflow=1.",
	.needs = NEED_CAPTURE,
	.run = run,
};
