/* pcap_stats.c — print what pcap_flows.c makes of captures, one
 * `name=value` per line: for tests/data/pcap/README, for cross-checking
 * against tshark by hand, and for tests/bench-capture.sh.
 *
 *   build/tests/pcap_stats [-p PORT]... FILE...
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "input/parsers.h"

static void print_stats(const struct listener *l)
{
	const struct capture_stats *c = l->capture;
	printf("listener %s\n", l->name);
#define P(f) printf("  %s=%" PRIu64 "\n", #f, c->f)
	P(syn_packets);
	P(syn_attempts);
	P(syn_unanswered_packets);
	P(attempts_never_answered);
	P(synack_packets);
	P(synack_retransmits);
	P(synack_retransmits_after_ack);
	P(rst_after_handshake);
	P(rst_from_server);
	P(rst_from_client);
	P(handshakes_completed);
	P(requests);
	P(requests_unanswered);
	P(client_fin_no_server_fin);
	P(zero_window);
	P(window_probes);
#undef P
	printf("  syn_retransmit_intervals_s=");
	for (size_t i = 0; i < c->syn_retransmit_intervals.n; i++)
		printf("%s%.1f*%" PRIu64, i ? "," : "", c->syn_retransmit_intervals.v[i],
		       c->syn_retransmit_interval_counts.v[i]);
	printf("\n  first_ts=%.9f last_ts=%.9f seconds=%zu\n", c->first_ts, c->last_ts,
	       c->series.n);
	const struct provenance *pv[] = { &c->first_unanswered, &c->first_synack_after_ack,
					  &c->first_rst_after_handshake };
	const char *names[] = { "first_unanswered", "first_synack_after_ack",
				"first_rst_after_handshake" };
	for (int i = 0; i < 3; i++)
		if (pv[i]->packet)
			printf("  %s=packet %" PRIu64 " at %.6f: %s\n", names[i], pv[i]->packet,
			       pv[i]->at, pv[i]->text ? pv[i]->text : "");
}

int main(int argc, char **argv)
{
	struct analysis an;
	analysis_init(&an);
	int i = 1;
	for (; i + 1 < argc && strcmp(argv[i], "-p") == 0; i += 2)
		*VEC_PUSH(&an.arena, &an.opt.ports) = (uint16_t)atoi(argv[i + 1]);
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-p PORT]... FILE...\n", argv[0]);
		return 1;
	}
	for (; i < argc; i++) {
		struct input *in = VEC_PUSH(&an.arena, &an.inputs);
		memset(in, 0, sizeof(*in));
		in->path = in->display = argv[i];
		in->index = (int)an.inputs.n - 1;
		in->kind = "pcap";
		in->at = NAN;
		an.diags.cur_input = in->index;
		int rc = pcap_parse(&an, in);
		an.diags.cur_input = -1;
		printf("input %s rc=%d packets=%" PRIu64 "\n  summary=%s\n", in->display, rc,
		       in->records, in->summary ? in->summary : "");
	}
	for (size_t j = 0; j < an.diags.list.n; j++) {
		char buf[1024];
		diag_format(&an.diags.list.v[j], buf, sizeof(buf));
		printf("diag %s\n", buf);
	}
	for (size_t j = 0; j < an.inc.listeners.n; j++)
		if (an.inc.listeners.v[j]->capture)
			print_stats(an.inc.listeners.v[j]);
	analysis_release(&an);
	return 0;
}
