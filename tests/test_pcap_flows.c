/* test_pcap_flows.c — capture analysis (analyzer/pcap_flows.c).
 *
 * 1. Every capture in $SHARED/corpus/pcap is read or rejected with a reason,
 *    never a crash; the ones that are not clean are listed with their status.
 * 2. Handshake captures from the corpus and our own recordings
 *    (tests/data/pcap/, README there) against expected counts, each count
 *    also computed from tshark's dissection by tests/data/pcap/tshark-count.sh
 *    when tshark is installed: both must agree.
 * 3. Hand-built captures for what the corpus lacks: QinQ, IPv6 extension
 *    headers, fragments, snaplen cuts, malformed headers (a diagnostic with
 *    the packet number), BSD loopback in both byte orders, a file cut in the
 *    middle of a packet, standard input, --port. */
#include "testutil.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------- */

struct run {
	struct analysis *an;
	struct input *in;
	int rc;
	enum input_status status;	/* as analysis.c's input_run_parser() decides */
};

static struct run run_input(const char *path, const char *buf, size_t len, const uint16_t *ports,
			    size_t n_ports)
{
	struct run r;
	r.an = malloc(sizeof(*r.an));
	assert_non_null(r.an);
	analysis_init(r.an);
	for (size_t i = 0; i < n_ports; i++)
		*VEC_PUSH(&r.an->arena, &r.an->opt.ports) = ports[i];
	r.in = VEC_PUSH(&r.an->arena, &r.an->inputs);
	memset(r.in, 0, sizeof(*r.in));
	r.in->path = r.in->display = path;
	r.in->kind = KIND_PCAP;
	r.in->at = NAN;
	r.in->buf = buf;
	r.in->len = len;
	r.in->size = (off_t)len;
	r.an->diags.cur_input = r.in->index;
	r.rc = pcap_parse(r.an, r.in);
	r.an->diags.cur_input = -1;
	size_t warn = diags_count(&r.an->diags, r.in->index, DIAG_SEV_WARN);
	r.status = r.rc < 0 ? INPUT_ERROR : warn ? INPUT_PARTIAL : INPUT_OK;
	return r;
}

static struct run run_file(const char *path)
{
	return run_input(path, NULL, 0, NULL, 0);
}

static const struct capture_stats *stats_of(const struct run *r, const char *listener)
{
	for (size_t i = 0; i < r->an->inc.listeners.n; i++) {
		const struct listener *l = r->an->inc.listeners.v[i];
		if (strcmp(l->name, listener) == 0)
			return l->capture;
	}
	return NULL;
}

static const struct diag *find_diag(const struct run *r, enum diag_code code)
{
	for (size_t i = 0; i < r->an->diags.list.n; i++)
		if (r->an->diags.list.v[i].code == code)
			return &r->an->diags.list.v[i];
	return NULL;
}

static void run_free(struct run *r)
{
	analysis_free(r->an);
	r->an = NULL;
}

static void print_diags(const struct run *r)
{
	for (size_t i = 0; i < r->an->diags.list.n; i++) {
		char buf[512];
		diag_format(&r->an->diags.list.v[i], buf, sizeof(buf));
		print_message("  %s\n", buf);
	}
}

/* ---- 1. the whole corpus ---------------------------------------------- */

/* Captures that are not clean, and why. Every other file in corpus/pcap must
 * read with status ok and no diagnostic. */
static const struct corpus_case {
	const char *name;
	enum input_status status;
	enum diag_code code;
} corpus_cases[] = {
	/* libpcap's own malformed-file tests: rejected at open, with its reason */
	{ "libpcap_linktype-reserved-field-not-zero.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "libpcap_pcap-empty-file.pcap", INPUT_ERROR, DIAG_EMPTY },
	{ "libpcap_pcap-invalid-version-1.pcap", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcap-invalid-version-2.pcap", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcap-truncated-hdr-23.pcap", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-block-len-not-mult4.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-block-len-too-small.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-endofopt-badlen.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-tsoffset-badlen.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-tsoffset-dup.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-tsresol-badlen.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-tsresol-bin-high.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-tsresol-dec-high.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-idb-tsresol-dup.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-invalid-vers-1.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-invalid-vers-2.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-no-idb.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-packet-before-idb.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-shb-len-insane.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-shb-len-too-small.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-truncated-shb.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_shb-option-too-long.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "zeek_nvt-line-limit.pcap.gz", INPUT_ERROR, DIAG_UNREADABLE },	/* gzip */
	/* link types with no IP inside that we decode */
	{ "tcpdump_LINKTYPE_PKTAP.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "tcpdump_LINKTYPE_USER2_PKTAP.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "tcpdump_arcnet-rfc1201-arp-icmp-http.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "tcpdump_bgp_vpn_attrset.pcap", INPUT_ERROR, DIAG_LINKTYPE },	/* PPP */
	{ "tcpdump_e1000g.pcap", INPUT_ERROR, DIAG_LINKTYPE },		/* IPNET */
	{ "tcpdump_nflog.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "tcpdump_radiotap-heapoverflow.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "tcpdump_truncated-aack.pcap", INPUT_ERROR, DIAG_LINKTYPE },	/* PPP */
	{ "tcpdump_unsupported-link-type-dbus.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "zeek_nflog-bad-tlv-len.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	{ "zeek_nflog-http.pcap", INPUT_ERROR, DIAG_LINKTYPE },
	/* libpcap stops at the first packet: a second interface with another
	 * snapshot length */
	{ "zeek_ldap_gap-data-missing.pcapng", INPUT_ERROR, DIAG_TRUNCATED },
	/* read, with a diagnostic naming the packet */
	{ "libpcap_pcapng-tsresol-bin-overflow.pcapng", INPUT_PARTIAL, DIAG_BAD_PACKET },
	{ "ppa1e_http-fault-post.pcap", INPUT_PARTIAL, DIAG_TRUNCATED },	/* file cut at 26 */
	{ "tcpdump_LINKTYPE_IPV6_invalid.pcap", INPUT_PARTIAL, DIAG_BAD_PACKET },
	{ "tcpdump_beep-oobr.pcap", INPUT_PARTIAL, DIAG_BAD_PACKET },
	{ "zeek_trunc_ipv4-truncated-broken-header.pcap", INPUT_PARTIAL, DIAG_BAD_PACKET },
};

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus_every_capture(void **state)
{
	(void)state;
	char dir[1024];
	shared_path(dir, sizeof(dir), "corpus/pcap");
	DIR *d = opendir(dir);
	if (!d) {
		print_message("skipped: no corpus at %s (set SHARED)\n", dir);
		skip();
	}
	char *names[1024];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL && n < 1024;)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_cstr);
	assert_true(n >= 146);	/* 146 when written; new ones must read clean or be listed */
	size_t n_ok = 0, n_listed = 0;
	for (size_t i = 0; i < n; i++) {
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		const struct corpus_case *cc = NULL;
		for (size_t j = 0; j < sizeof(corpus_cases) / sizeof(corpus_cases[0]); j++)
			if (strcmp(corpus_cases[j].name, names[i]) == 0)
				cc = &corpus_cases[j];
		struct run r = run_file(path);
		enum input_status want = cc ? cc->status : INPUT_OK;
		if (r.status != want || (cc && !find_diag(&r, cc->code)) ||
		    (!cc && r.an->diags.list.n)) {
			print_message("%s: status %d, want %d\n", names[i], r.status, want);
			print_diags(&r);
			fail();
		}
		if (cc) {
			/* the reason names the file, and the packet when one was read */
			const struct diag *dg = find_diag(&r, cc->code);
			assert_string_equal(dg->file, path);
			if (cc->code == DIAG_BAD_PACKET || cc->code == DIAG_TRUNCATED)
				assert_true(dg->packet >= 1);
			n_listed++;
		} else {
			assert_non_null(r.in->summary);
			n_ok++;
		}
		run_free(&r);
		free(names[i]);
	}
	assert_int_equal(n_listed, sizeof(corpus_cases) / sizeof(corpus_cases[0]));
	print_message("corpus: %zu captures read clean, %zu read or rejected with a reason\n",
		      n_ok, n_listed);
}

/* ---- 2. expected counts, cross-checked with tshark ----------------------- */

enum field {
	F_SYN, F_ATTEMPTS, F_UNANSWERED, F_NEVER, F_SYNACK, F_SA_RETRANS, F_SA_AFTER_ACK,
	F_RST_HS, F_RST_SERVER, F_RST_CLIENT, F_HANDSHAKES, F_REQUESTS, F_REQ_UNANSWERED,
	F_CFIN_ONLY, F_ZERO_WINDOW, F_N
};

static const struct {
	const char *name;	/* as tshark-count.sh prints it */
	size_t off;
} fields[F_N] = {
#define FLD(e, m) [e] = { #m, offsetof(struct capture_stats, m) }
	FLD(F_SYN, syn_packets),
	FLD(F_ATTEMPTS, syn_attempts),
	FLD(F_UNANSWERED, syn_unanswered_packets),
	FLD(F_NEVER, attempts_never_answered),
	FLD(F_SYNACK, synack_packets),
	FLD(F_SA_RETRANS, synack_retransmits),
	FLD(F_SA_AFTER_ACK, synack_retransmits_after_ack),
	FLD(F_RST_HS, rst_after_handshake),
	FLD(F_RST_SERVER, rst_from_server),
	FLD(F_RST_CLIENT, rst_from_client),
	FLD(F_HANDSHAKES, handshakes_completed),
	FLD(F_REQUESTS, requests),
	FLD(F_REQ_UNANSWERED, requests_unanswered),
	FLD(F_CFIN_ONLY, client_fin_no_server_fin),
	FLD(F_ZERO_WINDOW, zero_window),
#undef FLD
};

struct count_case {
	const char *file;	/* "corpus/pcap/..." in $SHARED, else repository-relative */
	const char *listener;
	uint16_t port;
	uint64_t v[F_N];
	const char *intervals;	/* "1.0*18,2.1*18" */
	uint32_t not_tshark;	/* 1 << field: counts the tshark script gets wrong, and why */
};

/* The plain counts are what `tshark -r F -Y FILTER | wc -l` prints (filters
 * in tests/data/pcap/tshark-count.sh); the others are that script's awk over
 * tshark's fields. */
static const struct count_case count_cases[] = {
	/* tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l → 1;
	 * ... 'tcp.flags.syn==1 && tcp.flags.ack==1' → 1; third packet the ACK */
	{ .file = "corpus/pcap/tcpdump_tcp-handshake-nano.pcap", .listener = "137.116.81.94:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1 } },
	{ .file = "corpus/pcap/ppa_tcp_handshake.pcapng", .listener = "212.58.226.142:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1 } },
	/* joined mid-stream: one side's data retransmitted 5 times, never
	 * acknowledged (tshark: 'tcp.analysis.retransmission' → 5); with no SYN
	 * the lower port is taken for the server */
	{ .file = "corpus/pcap/ppa_tcp_retransmissions.pcapng", .listener = "10.3.71.7:1043",
	  .port = 1043,
	  .v = { [F_REQUESTS] = 1, [F_REQ_UNANSWERED] = 1 } },
	{ .file = "corpus/pcap/ppa1e_tcp-con-lost.pcap", .listener = "10.3.71.7:1043",
	  .port = 1043,
	  .v = { [F_REQUESTS] = 1, [F_REQ_UNANSWERED] = 1 } },
	/* Linux cooked (SLL), 15 redis connections:
	 * tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==6379' | wc -l → 15 */
	{ .file = "corpus/pcap/tcpdump_resp_1_benchmark.pcap", .listener = "127.0.0.1:6379",
	  .port = 6379,
	  .v = { [F_SYN] = 15, [F_ATTEMPTS] = 15, [F_SYNACK] = 15, [F_HANDSHAKES] = 15,
	    [F_REQUESTS] = 15 } },
	/* SLL2 (tcpdump -i any) */
	{ .file = "corpus/pcap/zeek_openjdk-tls-sll2.pcap", .listener = "192.0.78.150:443",
	  .port = 443,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 } },
	/* BSD loopback (NULL) */
	{ .file = "corpus/pcap/zeek_redis_pubsub.pcap", .listener = "127.0.0.1:6379",
	  .port = 6379,
	  .v = { [F_SYN] = 3, [F_ATTEMPTS] = 3, [F_SYNACK] = 3, [F_HANDSHAKES] = 3, [F_REQUESTS] = 4 } },
	/* raw IP; source and destination port both 80, which the tshark script
	 * cannot orient; the SYN carries 100 bytes and the SYN-ACK acks them
	 * (ISN + 101), which the script does not take as an answer */
	{ .file = "corpus/pcap/zeek_tcp_payload-syn.pcap", .listener = "192.168.0.2:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 },
	  .not_tshark = 1u << F_UNANSWERED | 1u << F_NEVER | 1u << F_SYNACK | 1u << F_HANDSHAKES |
			1u << F_REQUESTS | 1u << F_CFIN_ONLY },
	/* 802.1Q with VLAN 0, QinQinQ, and PCP/DEI bits */
	{ .file = "corpus/pcap/zeek_http-vlan-0.pcap", .listener = "192.150.187.43:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 } },
	{ .file = "corpus/pcap/zeek_vlan-qinqinq.pcap", .listener = "192.150.187.43:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 } },
	/* the SYN is sent 3 times in the same instant, each answered:
	 * tshark ... -T fields -e tcp.seq_raw | sort -u | wc -l → 1 attempt */
	{ .file = "corpus/pcap/zeek_vlan-pcp-dei.pcapng", .listener = "192.168.1.200:80",
	  .port = 80,
	  .v = { [F_SYN] = 3, [F_ATTEMPTS] = 1, [F_UNANSWERED] = 2, [F_SYNACK] = 3, [F_SA_RETRANS] = 2,
	    [F_HANDSHAKES] = 1 },
	  .intervals = "0.0*2" },
	/* IPv6 destination options before TCP; the first SYN-ACK is in the file
	 * before its SYN (timestamps go back 30 us): we take it as answering
	 * the SYN, the tshark script's strict order does not */
	{ .file = "corpus/pcap/zeek_ipv6-http-atomic-frag.pcap", .listener = "[2001:db8:1::1]:80",
	  .port = 80,
	  .v = { [F_SYN] = 4, [F_ATTEMPTS] = 4, [F_SYNACK] = 4, [F_HANDSHAKES] = 4, [F_REQUESTS] = 4 },
	  .not_tshark = 1u << F_UNANSWERED | 1u << F_NEVER | 1u << F_HANDSHAKES },
	{ .file = "corpus/pcap/zeek_tcp_handshake-reorder.pcap", .listener = "192.150.187.43:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 },
	  .not_tshark = 1u << F_UNANSWERED | 1u << F_NEVER | 1u << F_HANDSHAKES },
	/* tshark -r F -Y 'tcp.analysis.zero_window' | wc -l → 1 */
	{ .file = "corpus/pcap/ppa_tcp_zerowindowrecovery.pcapng", .listener = "192.168.0.30:1720",
	  .port = 1720,
	  .v = { [F_ZERO_WINDOW] = 1 } },

	/* Our recordings (tests/data/pcap/README): 20 clients at once against a
	 * backlog-1 listener that never accepts: 2 get in (limit + 1), 18 keep
	 * retransmitting at +1, +2, +3, +4, +5, +7, +11 s (tcp_syn_linear_timeouts=4).
	 * tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' | wc -l → 146 */
	{ .file = "tests/data/pcap/noaccept-lo.pcap", .listener = "127.0.0.1:8000", .port = 8000,
	  .v = { [F_SYN] = 146, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 144, [F_NEVER] = 18, [F_SYNACK] = 2,
	    [F_HANDSHAKES] = 2, [F_REQUESTS] = 2, [F_REQ_UNANSWERED] = 2, [F_CFIN_ONLY] = 2 },
	  .intervals = "1.0*18,2.1*18,3.1*18,4.1*18,5.1*18,7.1*18,11.3*18" },
	/* backlog 2, one accept() every 2 s, abort_on_overflow=0: the final ACK
	 * of 6 handshakes found the queue full and the SYN-ACK came again:
	 * tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.analysis.retransmission' | wc -l → 6 */
	{ .file = "tests/data/pcap/slowaccept-aoo0-lo.pcap", .listener = "127.0.0.1:8001",
	  .port = 8001,
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 26,
	    [F_SA_RETRANS] = 6, [F_SA_AFTER_ACK] = 6, [F_HANDSHAKES] = 20, [F_REQUESTS] = 20,
	    [F_REQ_UNANSWERED] = 20, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	{ .file = "tests/data/pcap/slowaccept-any-sll2.pcap", .listener = "127.0.0.1:8002",
	  .port = 8002,
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 28,
	    [F_SA_RETRANS] = 8, [F_SA_AFTER_ACK] = 8, [F_HANDSHAKES] = 20, [F_REQUESTS] = 20,
	    [F_REQ_UNANSWERED] = 20, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	{ .file = "tests/data/pcap/slowaccept-ipv6-lo.pcap", .listener = "[::1]:8003",
	  .port = 8003,
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 27,
	    [F_SA_RETRANS] = 7, [F_SA_AFTER_ACK] = 7, [F_HANDSHAKES] = 20, [F_REQUESTS] = 20,
	    [F_REQ_UNANSWERED] = 20, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	/* the same with abort_on_overflow=1: RST instead of the SYN-ACK again:
	 * tshark -r F -Y 'tcp.flags.reset==1 && tcp.srcport==8004' | wc -l → 2 */
	{ .file = "tests/data/pcap/slowaccept-aoo1-lo.pcap", .listener = "127.0.0.1:8004",
	  .port = 8004,
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 20,
	    [F_RST_HS] = 2, [F_RST_SERVER] = 2, [F_HANDSHAKES] = 20, [F_REQUESTS] = 18,
	    [F_REQ_UNANSWERED] = 18, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
};

static bool have_tshark(void)
{
	return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* tshark-count.sh's value for `name`, or NULL. */
static const char *tshark_value(char lines[][128], size_t n, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (strncmp(lines[i], name, len) == 0 && lines[i][len] == ' ')
			return lines[i] + len + 1;
	return NULL;
}

static void intervals_text(const struct capture_stats *c, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->syn_retransmit_intervals.n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%.1f*%" PRIu64, i ? "," : "",
				      c->syn_retransmit_intervals.v[i],
				      c->syn_retransmit_interval_counts.v[i]);
}

static void test_expected_counts(void **state)
{
	(void)state;
	bool tshark = have_tshark();
	if (!tshark)
		print_message("tshark not installed: expected counts only, no cross-check\n");
	size_t n_checked = 0;
	for (size_t i = 0; i < sizeof(count_cases) / sizeof(count_cases[0]); i++) {
		const struct count_case *cc = &count_cases[i];
		char path[1024];
		if (strncmp(cc->file, "corpus/", 7) == 0)
			shared_path(path, sizeof(path), cc->file);
		else
			snprintf(path, sizeof(path), "%s", cc->file);
		if (access(path, R_OK) != 0) {
			print_message("%s: missing\n", path);
			fail();
		}
		struct run r = run_file(path);
		assert_int_equal(r.status, INPUT_OK);
		const struct capture_stats *c = stats_of(&r, cc->listener);
		if (!c) {
			print_message("%s: no listener %s\n", path, cc->listener);
			fail();
		}
		for (int f = 0; f < F_N; f++) {
			uint64_t got = *(const uint64_t *)((const char *)c + fields[f].off);
			if (got != cc->v[f]) {
				print_message("%s %s: %s = %" PRIu64 ", want %" PRIu64 "\n", path,
					      cc->listener, fields[f].name, got, cc->v[f]);
				fail();
			}
		}
		char iv[512];
		intervals_text(c, iv, sizeof(iv));
		assert_string_equal(iv, cc->intervals ? cc->intervals : "");
		/* the series adds up to the totals */
		uint64_t syn = 0, unans = 0, synack = 0, hs = 0;
		for (size_t s = 0; s < c->series.n; s++) {
			syn += c->series.v[s].syn;
			unans += c->series.v[s].syn_unanswered;
			synack += c->series.v[s].synack;
			hs += c->series.v[s].handshakes;
			if (s)
				assert_true(c->series.v[s - 1].t < c->series.v[s].t);
		}
		assert_int_equal(syn, c->syn_packets);
		assert_int_equal(unans, c->syn_unanswered_packets);
		assert_int_equal(synack, c->synack_packets);
		assert_int_equal(hs, c->handshakes_completed);
		assert_true(c->first_ts <= c->last_ts);
		if (c->syn_unanswered_packets) {
			assert_true(c->first_unanswered.packet >= 1);
			assert_string_equal(c->first_unanswered.file, path);
			assert_non_null(strstr(c->first_unanswered.text, "SYN "));
		}
		if (c->synack_retransmits_after_ack)
			assert_non_null(strstr(c->first_synack_after_ack.text, "SYN-ACK "));
		if (c->rst_after_handshake)
			assert_non_null(strstr(c->first_rst_after_handshake.text, "RST "));

		if (tshark) {
			char cmd[2048];
			snprintf(cmd, sizeof(cmd), "sh tests/data/pcap/tshark-count.sh '%s' %u", path,
				 cc->port);
			FILE *p = popen(cmd, "r");
			assert_non_null(p);
			char lines[32][128];
			size_t n = 0;
			while (n < 32 && fgets(lines[n], sizeof(lines[n]), p)) {
				lines[n][strcspn(lines[n], "\n")] = '\0';
				n++;
			}
			assert_int_equal(pclose(p), 0);
			for (int f = 0; f < F_N; f++) {
				if (cc->not_tshark & (1u << f))
					continue;
				const char *tv = tshark_value(lines, n, fields[f].name);
				assert_non_null(tv);
				uint64_t got = *(const uint64_t *)((const char *)c + fields[f].off);
				if (strtoull(tv, NULL, 10) != got) {
					print_message("%s %s: %s = %" PRIu64 ", tshark says %s\n", path,
						      cc->listener, fields[f].name, got, tv);
					fail();
				}
			}
			const char *tiv = tshark_value(lines, n, "syn_retransmit_intervals_s");
			if (!(cc->not_tshark & (1u << F_UNANSWERED)))
				assert_string_equal(iv, tiv ? tiv : "");
			n_checked++;
		}
		run_free(&r);
	}
	if (tshark)
		print_message("%zu captures cross-checked with tshark\n", n_checked);
}

/* The refused connection is no listener: a SYN answered by RST|ACK
 * (tshark -r F -Y 'tcp.flags.reset==1' | wc -l → 1). */
static void test_refused_is_no_listener(void **state)
{
	(void)state;
	char path[1024];
	struct run r = run_file(shared_path(path, sizeof(path),
					    "corpus/pcap/ppa_tcp_refuseconnection.pcapng"));
	assert_int_equal(r.status, INPUT_OK);
	assert_int_equal(r.an->inc.listeners.n, 0);
	assert_non_null(strstr(r.in->summary, "2 TCP, 1 connections, 0 listeners"));
	run_free(&r);
}

static void test_linktype_rejected(void **state)
{
	(void)state;
	char path[1024];
	struct run r = run_file(shared_path(path, sizeof(path),
					    "corpus/pcap/tcpdump_unsupported-link-type-dbus.pcap"));
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.an->diags.list.n, 1);
	const struct diag *dg = find_diag(&r, DIAG_LINKTYPE);
	assert_non_null(dg);
	assert_non_null(strstr(dg->msg, "DBUS (231)"));
	run_free(&r);
}

/* ---- 3. hand-built captures ------------------------------------------- */

struct pcapbuf {
	uint8_t *p;
	size_t n, cap;
};

static void pb_put(struct pcapbuf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void pb_u32(struct pcapbuf *b, uint32_t v)
{
	pb_put(b, &v, 4);	/* host order: the magic says which */
}

static void pb_header(struct pcapbuf *b, uint32_t linktype)
{
	pb_u32(b, 0xa1b2c3d4);
	uint16_t v[2] = { 2, 4 };
	pb_put(b, v, 4);
	pb_u32(b, 0);
	pb_u32(b, 0);
	pb_u32(b, 65535);
	pb_u32(b, linktype);
}

static void pb_packet(struct pcapbuf *b, uint32_t sec, uint32_t usec, const uint8_t *d,
		      size_t caplen, size_t len)
{
	pb_u32(b, sec);
	pb_u32(b, usec);
	pb_u32(b, (uint32_t)caplen);
	pb_u32(b, (uint32_t)len);
	pb_put(b, d, caplen);
}

enum { TF_FIN = 1, TF_SYN = 2, TF_RST = 4, TF_PSH = 8, TF_ACK = 16 };

static size_t put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t tcp_hdr(uint8_t *t, uint16_t sp, uint16_t dp, uint8_t flags, uint32_t seq,
		      uint32_t ack, uint16_t win)
{
	memset(t, 0, 20);
	put_be16(t, sp);
	put_be16(t + 2, dp);
	put_be32(t + 4, seq);
	put_be32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put_be16(t + 14, win);
	return 20;
}

/* IPv4 + TCP at p: 10.0.0.<s>:sp > 10.0.0.<d>:dp */
static size_t ip4_tcp(uint8_t *p, uint8_t s, uint8_t d, uint16_t sp, uint16_t dp, uint8_t flags,
		      uint32_t seq, uint32_t ack, size_t payload)
{
	memset(p, 0, 20 + 20 + payload);
	p[0] = 0x45;
	put_be16(p + 2, (uint16_t)(40 + payload));
	p[8] = 64;
	p[9] = 6;
	p[12] = 10, p[15] = s;
	p[16] = 10, p[19] = d;
	tcp_hdr(p + 20, sp, dp, flags, seq, ack, 1000);
	return 40 + payload;
}

static size_t eth(uint8_t *p, uint16_t type)
{
	memset(p, 0, 12);
	return 12 + put_be16(p + 12, type);
}

static void test_handbuilt_ethernet(void **state)
{
	(void)state;
	struct pcapbuf b = { 0 };
	uint8_t pk[256];
	size_t n;
	pb_header(&b, 1);	/* LINKTYPE_ETHERNET */
	/* 1: QinQ (802.1ad outer, 802.1Q inner) SYN 10.0.0.1:40000 > 10.0.0.2:80 */
	n = eth(pk, 0x88a8);
	n += put_be16(pk + n, 100), n += put_be16(pk + n, 0x8100);
	n += put_be16(pk + n, 200), n += put_be16(pk + n, 0x0800);
	n += ip4_tcp(pk + n, 1, 2, 40000, 80, TF_SYN, 1000, 0, 0);
	pb_packet(&b, 100, 0, pk, n, n);
	/* 2: SYN-ACK, 3: ACK, 4: request */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 2, 1, 80, 40000, TF_SYN | TF_ACK, 5000, 1001, 0);
	pb_packet(&b, 100, 10, pk, n, n);
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK, 1001, 5001, 0);
	pb_packet(&b, 100, 20, pk, n, n);
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK | TF_PSH, 1001, 5001, 10);
	pb_packet(&b, 100, 30, pk, n, n);
	/* 5: an IPv4 fragment (MF) */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK, 1011, 5001, 8);
	pk[14 + 6] = 0x20;
	pb_packet(&b, 100, 40, pk, n, n);
	/* 6: IHL 3: malformed */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK, 1011, 5001, 0);
	pk[14] = 0x43;
	pb_packet(&b, 100, 50, pk, n, n);
	/* 7: UDP */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 53, 53, 0, 0, 0, 0);
	pk[14 + 9] = 17;
	pb_packet(&b, 100, 60, pk, n, n);
	/* 8: cut by snaplen inside the TCP header (caplen < len): no diagnostic */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK, 1011, 5001, 0);
	pb_packet(&b, 100, 70, pk, 14 + 20 + 8, n);
	/* 9: a 10-byte frame that claims to be whole: malformed */
	pb_packet(&b, 100, 80, pk, 10, 10);
	/* 10, 11: IPv6 hop-by-hop + destination options, SYN [fd00::1]:40001 >
	 * [fd00::2]:8080 and its retransmit 1 s later, never answered */
	for (int k = 0; k < 2; k++) {
		n = eth(pk, 0x86dd);
		uint8_t *ip = pk + n;
		memset(ip, 0, 40 + 16 + 20);
		ip[0] = 0x60;
		put_be16(ip + 4, 16 + 20);
		ip[6] = 0;	/* hop-by-hop */
		ip[7] = 64;
		ip[8] = 0xfd, ip[23] = 1;
		ip[24] = 0xfd, ip[39] = 2;
		ip[40] = 60, ip[41] = 0;	/* → destination options, 8 bytes */
		ip[48] = 6, ip[49] = 0;		/* → TCP */
		tcp_hdr(ip + 56, 40001, 8080, TF_SYN, 777, 0, 1000);
		n += 40 + 16 + 20;
		pb_packet(&b, 101 + (uint32_t)k, 0, pk, n, n);
	}
	/* 12: an IPv6 fragment with an offset */
	n = eth(pk, 0x86dd);
	memset(pk + n, 0, 48);
	pk[n] = 0x60;
	put_be16(pk + n + 4, 8);
	pk[n + 6] = 44;
	pk[n + 40] = 6;
	put_be16(pk + n + 42, 0x0100);
	n += 48;
	pb_packet(&b, 103, 0, pk, n, n);

	struct run r = run_input("handbuilt.pcap", (const char *)b.p, b.n, NULL, 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, INPUT_PARTIAL);
	assert_int_equal(r.in->records, 12);
	/* exactly the two malformed packets, by number */
	assert_int_equal(count_diags(r.an, DIAG_BAD_PACKET), 2);
	assert_int_equal(r.an->diags.list.v[0].packet, 6);
	assert_non_null(strstr(r.an->diags.list.v[0].msg, "IPv4 header length 12 < 20"));
	assert_int_equal(r.an->diags.list.v[1].packet, 9);
	assert_non_null(strstr(r.an->diags.list.v[1].msg, "Ethernet header truncated"));
	assert_non_null(strstr(r.in->summary, "1 non-TCP"));
	assert_non_null(strstr(r.in->summary, "2 IP fragments skipped"));
	assert_non_null(strstr(r.in->summary, "1 cut by snaplen"));
	assert_non_null(strstr(r.in->summary, "2 malformed"));

	const struct capture_stats *c = stats_of(&r, "10.0.0.2:80");
	assert_non_null(c);
	assert_int_equal(c->syn_packets, 1);
	assert_int_equal(c->synack_packets, 1);
	assert_int_equal(c->handshakes_completed, 1);
	assert_int_equal(c->requests, 1);
	assert_int_equal(c->requests_unanswered, 1);
	assert_true(fabs(c->first_ts - 100.0) < 1e-9);

	c = stats_of(&r, "[fd00::2]:8080");
	assert_non_null(c);
	assert_int_equal(c->syn_packets, 2);
	assert_int_equal(c->syn_attempts, 1);
	assert_int_equal(c->syn_unanswered_packets, 2);
	assert_int_equal(c->attempts_never_answered, 1);
	assert_int_equal(c->syn_retransmit_intervals.n, 1);
	assert_true(fabs(c->syn_retransmit_intervals.v[0] - 1.0) < 1e-9);
	assert_int_equal(c->first_unanswered.packet, 10);
	assert_string_equal(c->first_unanswered.text, "SYN [fd00::1]:40001 > [fd00::2]:8080 seq 777");
	assert_int_equal(c->series.n, 2);

	/* --port: only the named port is a listener */
	run_free(&r);
	uint16_t port = 8080;
	r = run_input("handbuilt.pcap", (const char *)b.p, b.n, &port, 1);
	assert_int_equal(r.an->inc.listeners.n, 1);
	assert_non_null(stats_of(&r, "[fd00::2]:8080"));
	run_free(&r);

	/* cut in the middle of packet 4's data: packets 1-3 are kept */
	size_t cut = 24;
	for (int k = 0; k < 3; k++) {
		uint32_t caplen;
		memcpy(&caplen, b.p + cut + 8, 4);
		cut += 16 + caplen;
	}
	cut += 16 + 5;
	r = run_input("cut.pcap", (const char *)b.p, cut, NULL, 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, INPUT_PARTIAL);
	const struct diag *dg = find_diag(&r, DIAG_TRUNCATED);
	assert_non_null(dg);
	assert_int_equal(dg->packet, 4);
	assert_non_null(strstr(dg->msg, "stopped at packet 4"));
	c = stats_of(&r, "10.0.0.2:80");
	assert_non_null(c);
	assert_int_equal(c->handshakes_completed, 1);
	run_free(&r);
	free(b.p);
}

/* BSD loopback: the AF_ value in the writer's byte order, both orders in one
 * file (LINKTYPE_NULL), AF_INET6 as FreeBSD (28) writes it. */
static void test_handbuilt_null(void **state)
{
	(void)state;
	struct pcapbuf b = { 0 };
	uint8_t pk[256];
	pb_header(&b, 0);
	uint8_t le_inet[4] = { 2, 0, 0, 0 }, be_inet[4] = { 0, 0, 0, 2 };
	uint8_t le_inet6[4] = { 28, 0, 0, 0 };
	static const uint32_t at[3] = { 10, 11, 13 };
	for (int k = 0; k < 3; k++) {	/* SYN + 2 retransmits, both byte orders */
		memcpy(pk, k == 1 ? be_inet : le_inet, 4);
		size_t n = 4 + ip4_tcp(pk + 4, 1, 2, 50000, 9000, TF_SYN, 42, 0, 0);
		pb_packet(&b, at[k], 0, pk, n, n);
	}
	memcpy(pk, le_inet6, 4);
	memset(pk + 4, 0, 40);
	pk[4] = 0x60;
	pk[10] = 59;	/* no next header: not TCP */
	pb_packet(&b, 20, 0, pk, 44, 44);
	struct run r = run_input("null.pcap", (const char *)b.p, b.n, NULL, 0);
	assert_int_equal(r.status, INPUT_OK);
	const struct capture_stats *c = stats_of(&r, "10.0.0.2:9000");
	assert_non_null(c);
	assert_int_equal(c->syn_packets, 3);
	assert_int_equal(c->syn_attempts, 1);
	assert_int_equal(c->syn_unanswered_packets, 3);
	/* SYNs at 10, 11, 13 s: +1 and +3 after the first */
	assert_int_equal(c->syn_retransmit_intervals.n, 2);
	assert_true(fabs(c->syn_retransmit_intervals.v[0] - 1.0) < 1e-9);
	assert_true(fabs(c->syn_retransmit_intervals.v[1] - 3.0) < 1e-9);
	assert_non_null(strstr(r.in->summary, "1 non-TCP"));
	run_free(&r);
	free(b.p);
}

/* Zero windows and the probes into them (tshark's tcp.analysis.zero_window;
 * RFC 9293 3.8.6.1 one-byte probes, Linux's empty ones at snd_una - 1). */
static void test_handbuilt_zero_window(void **state)
{
	(void)state;
	struct pcapbuf b = { 0 };
	uint8_t pk[256];
	size_t n;
	pb_header(&b, 1);
	static const struct {
		bool from_client;
		uint8_t flags;
		uint32_t seq, ack;
		uint16_t win;
		size_t len;
	} seg[] = {
		{ true, TF_SYN, 100, 0, 1000, 0 },
		{ false, TF_SYN | TF_ACK, 500, 101, 1000, 0 },
		{ true, TF_ACK, 101, 501, 1000, 0 },
		{ true, TF_ACK | TF_PSH, 101, 501, 1000, 5 },	/* request */
		{ false, TF_ACK, 501, 106, 1000, 10 },		/* answer */
		{ true, TF_ACK, 106, 511, 0, 0 },		/* zero window */
		{ false, TF_ACK, 510, 106, 1000, 0 },		/* Linux probe */
		{ true, TF_ACK, 106, 511, 0, 0 },		/* zero window */
		{ false, TF_ACK, 511, 106, 1000, 1 },		/* one-byte probe */
		{ true, TF_ACK, 106, 511, 2000, 0 },		/* window opens */
		{ false, TF_ACK, 511, 106, 1000, 0 },		/* a plain ACK: no probe */
	};
	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]); i++) {
		n = eth(pk, 0x0800);
		n += seg[i].from_client
			     ? ip4_tcp(pk + n, 1, 2, 40000, 80, seg[i].flags, seg[i].seq, seg[i].ack,
				       seg[i].len)
			     : ip4_tcp(pk + n, 2, 1, 80, 40000, seg[i].flags, seg[i].seq, seg[i].ack,
				       seg[i].len);
		put_be16(pk + 14 + 20 + 14, seg[i].win);
		pb_packet(&b, 100, (uint32_t)i, pk, n, n);
	}
	struct run r = run_input("zw.pcap", (const char *)b.p, b.n, NULL, 0);
	assert_int_equal(r.status, INPUT_OK);
	const struct capture_stats *c = stats_of(&r, "10.0.0.2:80");
	assert_non_null(c);
	assert_int_equal(c->zero_window, 2);
	assert_int_equal(c->window_probes, 2);
	assert_int_equal(c->requests, 1);
	assert_int_equal(c->requests_unanswered, 0);
	run_free(&r);
	free(b.p);
}

/* Packets with bogus timestamps (2036, 1970) in the middle must not fold the
 * open connections as idle: the SYN retransmits around them are one attempt. */
static void test_time_jump(void **state)
{
	(void)state;
	struct pcapbuf b = { 0 };
	uint8_t pk[256];
	size_t n;
	const uint32_t t0 = 1700000000;
	pb_header(&b, 1);
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_SYN, 7, 0, 0);
	pb_packet(&b, t0, 0, pk, n, n);
	pb_packet(&b, 2100000000, 0, pk, n, n);	/* the same SYN, dated 2036 */
	pb_packet(&b, 5, 0, pk, n, n);			/* ... and 1970 */
	pb_packet(&b, t0 + 1, 0, pk, n, n);
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 2, 1, 80, 40000, TF_SYN | TF_ACK, 9, 8, 0);
	pb_packet(&b, t0 + 1, 1, pk, n, n);
	struct run r = run_input("jump.pcap", (const char *)b.p, b.n, NULL, 0);
	const struct capture_stats *c = stats_of(&r, "10.0.0.2:80");
	assert_non_null(c);
	assert_int_equal(c->syn_packets, 4);
	assert_int_equal(c->syn_attempts, 1);
	assert_int_equal(c->syn_unanswered_packets, 3);
	assert_int_equal(c->attempts_never_answered, 0);
	assert_int_equal(c->synack_packets, 1);
	run_free(&r);
	free(b.p);
}

/* "-" reads standard input, as `tcpdump -w - | stuckscope analyze -` does. */
static void test_stdin(void **state)
{
	(void)state;
	int saved = dup(0);
	assert_true(saved >= 0);
	assert_non_null(freopen("tests/data/pcap/slowaccept-aoo1-lo.pcap", "rb", stdin));
	struct run r = run_file("-");
	assert_int_equal(r.status, INPUT_OK);
	const struct capture_stats *c = stats_of(&r, "127.0.0.1:8004");
	assert_non_null(c);
	assert_int_equal(c->rst_after_handshake, 2);
	run_free(&r);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	clearerr(stdin);
}

/* The input driver: sniffed as a capture by content, parsed; the same
 * traffic given twice (two captures of the same time: -i lo and -i any, or
 * one file twice) is counted once, and the notes say so. */
static void test_through_the_driver(void **state)
{
	(void)state;
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_add_path(an, "tests/data/pcap/slowaccept-aoo0-lo.pcap");
	analysis_add_path(an, "tests/data/pcap/slowaccept-aoo0-lo.pcap");
	analysis_read_inputs(an);
	assert_int_equal(an->inputs.n, 2);
	assert_int_equal(an->inputs.v[0].kind, KIND_PCAP);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	struct endpoint ep = { .family = AF_INET, .port = 8001, .addr = { 127, 0, 0, 1 } };
	struct listener *l = incident_listener(&an->inc, &ep, false);
	assert_non_null(l);
	assert_non_null(l->capture);
	assert_int_equal(l->capture->synack_retransmits_after_ack, 6);	/* not 6 + 6 */
	assert_int_equal(l->capture->syn_retransmit_interval_counts.v[0], 17);
	bool noted = false;
	for (size_t i = 0; i < an->notes.n; i++)
		if (strstr(an->notes.v[i], "the same traffic seen twice"))
			noted = true;
	assert_true(noted);
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_every_capture),
		cmocka_unit_test(test_expected_counts),
		cmocka_unit_test(test_refused_is_no_listener),
		cmocka_unit_test(test_linktype_rejected),
		cmocka_unit_test(test_handbuilt_ethernet),
		cmocka_unit_test(test_handbuilt_null),
		cmocka_unit_test(test_handbuilt_zero_window),
		cmocka_unit_test(test_time_jump),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_through_the_driver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
