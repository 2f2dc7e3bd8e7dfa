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
 *    middle of a packet, standard input, --port.
 * 4. pcapng (pcapng.c): every packet of mergecap's and editcap's files
 *    counted as tshark counts them; records skipped and counted, never a
 *    stop (another link type, another byte order, longer than the snapshot
 *    length, an undefined interface, an unknown block); hand-built sections
 *    for the rest; a capture read in part named next to the verdict. */
#include "testutil.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report.h"

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
	r.in->kind = "pcap";
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
	/* ... and pcapng: the block structure broken before the first
	 * interface is described (what pcap_ng_check_header() refuses) */
	{ "libpcap_pcapng-block-len-not-mult4.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-block-len-too-small.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-shb-len-insane.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-shb-len-too-small.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_pcapng-truncated-shb.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	{ "libpcap_shb-option-too-long.pcapng", INPUT_ERROR, DIAG_UNREADABLE },
	/* the only interface's timing options cannot be right, a section of
	 * another version, a packet before any interface: nothing readable,
	 * the record named (libpcap_pcapng-idb-endofopt-badlen.pcapng and
	 * libpcap_pcapng-no-idb.pcapng are read: an opt_endofopt ends the
	 * options whatever its length, and a section needs no interface
	 * until it holds a packet) */
	{ "libpcap_pcapng-idb-tsoffset-badlen.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-idb-tsoffset-dup.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-idb-tsresol-badlen.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-idb-tsresol-bin-high.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-idb-tsresol-dec-high.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-idb-tsresol-dup.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-invalid-vers-1.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-invalid-vers-2.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
	{ "libpcap_pcapng-packet-before-idb.pcapng", INPUT_ERROR, DIAG_SKIPPED_RECORD },
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
			if (cc->code == DIAG_SKIPPED_RECORD)	/* the packet or the block */
				assert_true(dg->packet >= 1 || dg->offset >= 0);
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
	enum input_status status;	/* INPUT_OK unless said */
	/* tshark counts this file instead (it refuses the one we read) ... */
	const char *tshark_file;
	/* ... keeping only these packets: those we read when we skip some, or
	 * those of this listener when two share its port */
	const char *tshark_keep;
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

	/* pcapng read by pcapng.c (tests/data/pcap/README.md says how each was
	 * made). mergecap of noaccept-lo.pcap (Ethernet, microseconds) and
	 * slowaccept-any-sll2.pcap (Linux cooked v2, made nanoseconds and 40 s
	 * earlier by editcap, so the two interleave): each listener counts as
	 * in its own file, the intervals prove each interface's if_tsresol. */
	{ .file = "tests/data/pcap/merged-lo-sll2.pcapng", .listener = "127.0.0.1:8000",
	  .port = 8000,
	  .v = { [F_SYN] = 146, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 144, [F_NEVER] = 18, [F_SYNACK] = 2,
	    [F_HANDSHAKES] = 2, [F_REQUESTS] = 2, [F_REQ_UNANSWERED] = 2, [F_CFIN_ONLY] = 2 },
	  .intervals = "1.0*18,2.1*18,3.1*18,4.1*18,5.1*18,7.1*18,11.3*18" },
	{ .file = "tests/data/pcap/merged-lo-sll2.pcapng", .listener = "127.0.0.1:8002",
	  .port = 8002,
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 28,
	    [F_SA_RETRANS] = 8, [F_SA_AFTER_ACK] = 8, [F_HANDSHAKES] = 20, [F_REQUESTS] = 20,
	    [F_REQ_UNANSWERED] = 20, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	/* mergecap of four corpus captures: BSD loopback, raw IP, Linux cooked
	 * (SLL), Ethernet with a VLAN tag. The two redis captures
	 * (zeek_redis_pubsub, tcpdump_resp_1_benchmark) share 127.0.0.1:6379
	 * and add up: 3 + 15 SYNs, 4 + 15 requests */
	{ .file = "tests/data/pcap/merged-null-raw-sll-vlan.pcapng", .listener = "127.0.0.1:6379",
	  .port = 6379,
	  .v = { [F_SYN] = 18, [F_ATTEMPTS] = 18, [F_SYNACK] = 18, [F_HANDSHAKES] = 18,
	    [F_REQUESTS] = 19 } },
	{ .file = "tests/data/pcap/merged-null-raw-sll-vlan.pcapng", .listener = "192.168.0.2:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 },
	  .not_tshark = 1u << F_UNANSWERED | 1u << F_NEVER | 1u << F_SYNACK | 1u << F_HANDSHAKES |
			1u << F_REQUESTS | 1u << F_CFIN_ONLY,
	  .tshark_keep = "ip.addr==192.168.0.2" },
	{ .file = "tests/data/pcap/merged-null-raw-sll-vlan.pcapng", .listener = "192.150.187.43:80",
	  .port = 80,
	  .v = { [F_SYN] = 1, [F_ATTEMPTS] = 1, [F_SYNACK] = 1, [F_HANDSHAKES] = 1, [F_REQUESTS] = 1 },
	  .tshark_keep = "ip.addr==192.150.187.43" },
	/* two sections: noaccept-lo little-endian, then slowaccept-aoo1-lo
	 * rewritten big-endian (pcapng-edit.py swap) */
	{ .file = "tests/data/pcap/sections-le-be.pcapng", .listener = "127.0.0.1:8000", .port = 8000,
	  .v = { [F_SYN] = 146, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 144, [F_NEVER] = 18, [F_SYNACK] = 2,
	    [F_HANDSHAKES] = 2, [F_REQUESTS] = 2, [F_REQ_UNANSWERED] = 2, [F_CFIN_ONLY] = 2 },
	  .intervals = "1.0*18,2.1*18,3.1*18,4.1*18,5.1*18,7.1*18,11.3*18" },
	{ .file = "tests/data/pcap/sections-le-be.pcapng", .listener = "127.0.0.1:8004",
	  .port = 8004,
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 20,
	    [F_RST_HS] = 2, [F_RST_SERVER] = 2, [F_HANDSHAKES] = 20, [F_REQUESTS] = 18,
	    [F_REQ_UNANSWERED] = 18, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	/* slowaccept-aoo1-lo with its interface's snapshot length set to 80:
	 * the 111 packets of 84 bytes (tshark -Y 'frame.cap_len > 80') are
	 * skipped, the requests with them; tshark reads them all, and counts
	 * as we do when it keeps only the others */
	{ .file = "tests/data/pcap/snaplen-exceeded.pcapng", .listener = "127.0.0.1:8004",
	  .port = 8004, .status = INPUT_PARTIAL, .tshark_keep = "frame.cap_len <= 80",
	  .v = { [F_SYN] = 37, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 17, [F_SYNACK] = 20,
	    [F_RST_HS] = 2, [F_RST_SERVER] = 2, [F_HANDSHAKES] = 20, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	/* merged-lo-sll2 with packet 123 (a SYN to 8002, the only one of its
	 * attempt) on interface 5, which no block describes, and a block of an
	 * unknown type after packet 200: tshark refuses the file at packet 123,
	 * so it counts the file this one was made from, without packet 123 */
	{ .file = "tests/data/pcap/undefined-ifid-unknown-block.pcapng",
	  .listener = "127.0.0.1:8002", .port = 8002, .status = INPUT_PARTIAL,
	  .tshark_file = "tests/data/pcap/merged-lo-sll2.pcapng",
	  .tshark_keep = "frame.number != 123",
	  .v = { [F_SYN] = 36, [F_ATTEMPTS] = 19, [F_UNANSWERED] = 17, [F_SYNACK] = 28,
	    [F_SA_RETRANS] = 8, [F_SA_AFTER_ACK] = 8, [F_HANDSHAKES] = 20, [F_REQUESTS] = 20,
	    [F_REQ_UNANSWERED] = 20, [F_CFIN_ONLY] = 10 },
	  .intervals = "1.0*17" },
	{ .file = "tests/data/pcap/undefined-ifid-unknown-block.pcapng",
	  .listener = "127.0.0.1:8000", .port = 8000, .status = INPUT_PARTIAL,
	  .tshark_file = "tests/data/pcap/merged-lo-sll2.pcapng",
	  .tshark_keep = "frame.number != 123",
	  .v = { [F_SYN] = 146, [F_ATTEMPTS] = 20, [F_UNANSWERED] = 144, [F_NEVER] = 18, [F_SYNACK] = 2,
	    [F_HANDSHAKES] = 2, [F_REQUESTS] = 2, [F_REQ_UNANSWERED] = 2, [F_CFIN_ONLY] = 2 },
	  .intervals = "1.0*18,2.1*18,3.1*18,4.1*18,5.1*18,7.1*18,11.3*18" },
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
		if (r.status != cc->status) {
			print_message("%s: status %d, want %d\n", path, r.status, cc->status);
			print_diags(&r);
			fail();
		}
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
			snprintf(cmd, sizeof(cmd), "sh tests/data/pcap/tshark-count.sh '%s' %u '%s'",
				 cc->tshark_file ? cc->tshark_file : path, cc->port,
				 cc->tshark_keep ? cc->tshark_keep : "");
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
	assert_string_equal(an->inputs.v[0].kind, "pcap");
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


/* ---- 4. pcapng ---------------------------------------------------------- */

/* Every packet counted: what we decode plus what we skip is what tshark
 * counts (`tshark -r F | wc -l`, run when tshark is installed; the numbers
 * here were recorded from it). tshark refuses undefined-ifid-unknown-block
 * at packet 123, so its row counts the file it was made from. */
static const struct counted_case {
	const char *file;
	const char *tshark_file;	/* NULL: file */
	uint64_t tshark, records, skipped, skipped_packets;
	const char *summary;		/* a part of the input's summary */
	uint64_t diag_packet;		/* a SKIPPED_RECORD diagnostic names this packet */
	const char *diag;		/* ... with this text */
} counted_cases[] = {
	{ "tests/data/pcap/merged-lo-sll2.pcapng", NULL, 408, 408, 0, 0,
	  "408 packets (EN10MB, LINUX_SLL2)", 0, NULL },
	{ "tests/data/pcap/merged-null-raw-sll-vlan.pcapng", NULL, 230, 230, 0, 0,
	  "230 packets (EN10MB, LINUX_SLL, RAW, NULL)", 0, NULL },
	{ "tests/data/pcap/sections-le-be.pcapng", NULL, 378, 378, 0, 0, "378 packets (EN10MB)", 0,
	  NULL },
	{ "tests/data/pcap/snaplen-exceeded.pcapng", NULL, 220, 109, 111, 111,
	  "111 records skipped (longer than the snapshot length)", 4,
	  "captured length 84 > snapshot length 80 of interface 0 (byte offset 444)" },
	{ "tests/data/pcap/undefined-ifid-unknown-block.pcapng",
	  "tests/data/pcap/merged-lo-sll2.pcapng", 408, 407, 2, 1,
	  "2 records skipped (1 on an undefined interface, 1 of an unknown block type)", 123,
	  "Enhanced Packet Block on interface 5, but section 1 describes 2 (byte offset 13316)" },
	/* two interfaces with different snapshot lengths: libpcap stopped at
	 * packet 1 ("an interface has a snapshot length 8192 different from
	 * the snapshot length of the first interface") */
	{ "corpus/pcap/zeek_ldap_gap-data-missing.pcapng", NULL, 18, 18, 0, 0, "18 packets", 0,
	  NULL },
	{ "corpus/pcap/zeek_pcapng-multi-interface.pcapng", NULL, 6, 6, 0, 0, "6 packets", 0, NULL },
};

static uint64_t tshark_frames(const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "tshark -n -r '%s' 2>/dev/null | wc -l", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	unsigned long long n = 0;
	assert_int_equal(fscanf(p, "%llu", &n), 1);
	pclose(p);
	return n;
}

static void test_pcapng_every_packet_counted(void **state)
{
	(void)state;
	bool tshark = have_tshark();
	for (size_t i = 0; i < sizeof(counted_cases) / sizeof(counted_cases[0]); i++) {
		const struct counted_case *cc = &counted_cases[i];
		char path[1024], tpath[1024];
		if (strncmp(cc->file, "corpus/", 7) == 0)
			shared_path(path, sizeof(path), cc->file);
		else
			snprintf(path, sizeof(path), "%s", cc->file);
		snprintf(tpath, sizeof(tpath), "%s", cc->tshark_file ? cc->tshark_file : path);
		if (tshark)
			assert_int_equal(tshark_frames(tpath), cc->tshark);
		struct run r = run_file(path);
		if (r.in->records != cc->records || r.in->records_skipped != cc->skipped) {
			print_message("%s: %" PRIu64 " records, %" PRIu64 " skipped\n", path,
				      r.in->records, r.in->records_skipped);
			print_diags(&r);
			fail();
		}
		/* every packet record is numbered: decoded + skipped = tshark's */
		assert_int_equal(r.in->records + cc->skipped_packets, cc->tshark);
		if (!strstr(r.in->summary, cc->summary)) {
			print_message("%s: %s\n", path, r.in->summary);
			fail();
		}
		assert_int_equal(r.status, cc->skipped ? INPUT_PARTIAL : INPUT_OK);
		if (cc->diag) {
			const struct diag *dg = find_diag(&r, DIAG_SKIPPED_RECORD);
			assert_non_null(dg);
			assert_string_equal(dg->file, path);
			assert_int_equal(dg->packet, cc->diag_packet);
			assert_non_null(strstr(dg->msg, cc->diag));
			assert_true(r.in->unread_share > 0);
			assert_non_null(r.in->unread);
		} else {
			assert_int_equal(r.an->diags.list.n, 0);
			assert_true(r.in->unread_share == 0);
			assert_null(r.in->unread);
		}
		run_free(&r);
	}
}

/* A buffer read by the reader over memory (tests, fuzzers) and a file read
 * through read() give the same analysis. */
static void test_pcapng_memory_and_file_agree(void **state)
{
	(void)state;
	const char *path = "tests/data/pcap/undefined-ifid-unknown-block.pcapng";
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 17];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 40000 && n < sizeof(buf));
	struct run a = run_input(path, buf, n, NULL, 0), b = run_file(path);
	assert_string_equal(a.in->summary, b.in->summary);
	assert_int_equal(a.an->diags.list.n, b.an->diags.list.n);
	for (size_t i = 0; i < a.an->diags.list.n; i++)
		assert_string_equal(a.an->diags.list.v[i].msg, b.an->diags.list.v[i].msg);
	run_free(&a);
	run_free(&b);
}

/* `tcpdump -w - | stuckscope analyze -`, pcapng from mergecap: read from
 * standard input through read() after its magic number. */
static void test_pcapng_stdin(void **state)
{
	(void)state;
	int saved = dup(0);
	assert_true(saved >= 0);
	assert_non_null(freopen("tests/data/pcap/merged-lo-sll2.pcapng", "rb", stdin));
	struct run r = run_file("-");
	assert_int_equal(r.status, INPUT_OK);
	assert_int_equal(r.in->records, 408);
	const struct capture_stats *c = stats_of(&r, "127.0.0.1:8002");
	assert_non_null(c);
	assert_int_equal(c->synack_retransmits_after_ack, 8);
	run_free(&r);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	clearerr(stdin);
}

/* a pcapng writer in either byte order (draft-ietf-opsawg-pcapng 3.1) */
static void ng_u16(struct pcapbuf *b, bool be, uint16_t v)
{
	uint8_t x[2] = { be ? (uint8_t)(v >> 8) : (uint8_t)v, be ? (uint8_t)v : (uint8_t)(v >> 8) };
	pb_put(b, x, 2);
}

static void ng_u32(struct pcapbuf *b, bool be, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[be ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
	pb_put(b, x, 4);
}

static void ng_block(struct pcapbuf *out, bool be, uint32_t type, const struct pcapbuf *body)
{
	static const uint8_t zero[4];
	size_t pad = (4 - body->n % 4) % 4;
	uint32_t len = (uint32_t)(12 + body->n + pad);
	ng_u32(out, be, type);
	ng_u32(out, be, len);
	pb_put(out, body->p, body->n);
	pb_put(out, zero, pad);
	ng_u32(out, be, len);
}

static void ng_shb(struct pcapbuf *out, bool be, uint16_t major)
{
	struct pcapbuf b = { 0 };
	ng_u32(&b, be, 0x1A2B3C4D);
	ng_u16(&b, be, major);
	ng_u16(&b, be, 0);
	ng_u32(&b, be, 0xffffffff);	/* section length: unknown */
	ng_u32(&b, be, 0xffffffff);
	ng_block(out, be, 0x0A0D0D0A, &b);
	free(b.p);
}

/* tsresol < 0: none; opt_len: the if_tsresol option's length (1 is right) */
static void ng_idb(struct pcapbuf *out, bool be, uint16_t linktype, uint32_t snaplen, int tsresol,
		   uint16_t opt_len, bool has_off, int64_t off)
{
	struct pcapbuf b = { 0 };
	ng_u16(&b, be, linktype);
	ng_u16(&b, be, 0);
	ng_u32(&b, be, snaplen);
	if (tsresol >= 0) {
		ng_u16(&b, be, 9);
		ng_u16(&b, be, opt_len);
		uint8_t v[4] = { (uint8_t)tsresol };
		pb_put(&b, v, 4);
	}
	if (has_off) {
		ng_u16(&b, be, 14);
		ng_u16(&b, be, 8);
		uint64_t u = (uint64_t)off;
		ng_u32(&b, be, be ? (uint32_t)(u >> 32) : (uint32_t)u);
		ng_u32(&b, be, be ? (uint32_t)u : (uint32_t)(u >> 32));
	}
	ng_u16(&b, be, 0);
	ng_u16(&b, be, 0);
	ng_block(out, be, 1, &b);
	free(b.p);
}

static void ng_pkt(struct pcapbuf *out, bool be, uint32_t type, uint32_t ifid, uint64_t ts,
		   const uint8_t *d, uint32_t caplen, uint32_t len)
{
	struct pcapbuf b = { 0 };
	if (type == 3) {		/* SPB */
		ng_u32(&b, be, len);
	} else {
		if (type == 6) {
			ng_u32(&b, be, ifid);
		} else {		/* PB */
			ng_u16(&b, be, (uint16_t)ifid);
			ng_u16(&b, be, 0);
		}
		ng_u32(&b, be, (uint32_t)(ts >> 32));
		ng_u32(&b, be, (uint32_t)ts);
		ng_u32(&b, be, caplen);
		ng_u32(&b, be, len);
	}
	pb_put(&b, d, caplen);
	ng_block(out, be, type, &b);
	free(b.p);
}

static void ng_raw_block(struct pcapbuf *out, bool be, uint32_t type, size_t n)
{
	struct pcapbuf b = { 0 };
	uint8_t z[64] = { 0 };
	pb_put(&b, z, n);
	ng_block(out, be, type, &b);
	free(b.p);
}

static const struct diag *diag_at_packet(const struct run *r, uint64_t pkt)
{
	for (size_t i = 0; i < r->an->diags.list.n; i++)
		if (r->an->diags.list.v[i].packet == pkt)
			return &r->an->diags.list.v[i];
	return NULL;
}

/* Sections in both byte orders; each interface with its link type,
 * snapshot length, if_tsresol (binary and decimal) and if_tsoffset;
 * Enhanced, obsolete and Simple Packet Blocks; every record that cannot be
 * used skipped, counted and named, and reading goes on to the end. */
static void test_pcapng_handbuilt_sections(void **state)
{
	(void)state;
	struct pcapbuf b = { 0 };
	uint8_t pk[256], big[100];
	size_t n;
	/* section 1, big-endian */
	ng_shb(&b, true, 1);
	ng_idb(&b, true, 1, 0, 0x80 | 10, 1, true, 1000);	/* 0: Ethernet, 2^-10 s, +1000 s */
	ng_idb(&b, true, 239, 0, -1, 0, false, 0);		/* 1: NFLOG, not read */
	ng_idb(&b, true, 101, 64, 3, 1, false, 0);		/* 2: raw IP, ms, snaplen 64 */
	/* 1: SYN 10.0.0.1:40000 > 10.0.0.2:80 at 5.5 s + 1000 s */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_SYN, 1000, 0, 0);
	ng_pkt(&b, true, 6, 0, 5 * 1024 + 512, pk, (uint32_t)n, (uint32_t)n);
	/* 2: on the NFLOG interface */
	ng_pkt(&b, true, 6, 1, 0, pk, (uint32_t)n, (uint32_t)n);
	/* 3: SYN-ACK in an obsolete Packet Block on raw IP, 1005.600 s */
	n = ip4_tcp(pk, 2, 1, 80, 40000, TF_SYN | TF_ACK, 5000, 1001, 0);
	ng_pkt(&b, true, 2, 2, 1005600, pk, (uint32_t)n, (uint32_t)n);
	/* 4: the ACK in a Simple Packet Block (interface 0, no time) */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK, 1001, 5001, 0);
	ng_pkt(&b, true, 3, 0, 0, pk, (uint32_t)n, (uint32_t)n);
	/* 5: 100 bytes on the raw interface of snapshot length 64 */
	memset(big, 0x45, sizeof(big));
	ng_pkt(&b, true, 6, 2, 1005700, big, 100, 100);
	/* 6: interface 9, undefined */
	ng_pkt(&b, true, 6, 9, 0, pk, (uint32_t)n, (uint32_t)n);
	ng_raw_block(&b, true, 4, 8);		/* Name Resolution Block: not needed */
	ng_raw_block(&b, true, 0xBAD, 12);	/* a custom block */
	size_t unknown_off = b.n;
	ng_raw_block(&b, true, 0x7777, 16);	/* not a block type */
	/* section 2, little-endian: its own interfaces, from 0 again */
	ng_shb(&b, false, 1);
	ng_idb(&b, false, 1, 0, -1, 0, false, 0);	/* 0: Ethernet, microseconds */
	/* 7: the request, at 1006 s */
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_ACK | TF_PSH, 1001, 5001, 10);
	ng_pkt(&b, false, 6, 0, 1006000000ULL, pk, (uint32_t)n, (uint32_t)n);
	/* 8: interface 1 was section 1's; this section has only 0 */
	ng_pkt(&b, false, 6, 1, 1006000001ULL, pk, (uint32_t)n, (uint32_t)n);
	/* section 3: pcapng 2.0, skipped with its packet 9 */
	size_t v2_off = b.n;
	ng_shb(&b, false, 2);
	ng_idb(&b, false, 1, 0, -1, 0, false, 0);
	ng_pkt(&b, false, 6, 0, 1007000000ULL, pk, (uint32_t)n, (uint32_t)n);
	/* section 4: an if_tsresol option 2 bytes long: its packet 10 skipped */
	ng_shb(&b, false, 1);
	size_t bad_idb_off = b.n;
	ng_idb(&b, false, 1, 0, 6, 2, false, 0);
	ng_pkt(&b, false, 6, 0, 1008000000ULL, pk, (uint32_t)n, (uint32_t)n);

	struct run r = run_input("sections.pcapng", (const char *)b.p, b.n, NULL, 0);
	if (r.rc != 0 || r.in->records != 4) {
		print_diags(&r);
		fail();
	}
	assert_int_equal(r.status, INPUT_PARTIAL);
	assert_int_equal(r.in->records_skipped, 7);	/* 6 packets and the unknown block */
	assert_non_null(strstr(r.in->summary, "4 packets (EN10MB, RAW)"));
	assert_non_null(strstr(r.in->summary, "7 records skipped (2 on an undefined interface, 1 on "
				"an interface not understood, 1 longer than the snapshot length, 1 in a "
				"section of another pcapng version, 1 of an unknown block type, 1 of a "
				"link type not read)"));
	/* each skipped packet named by its number, as tshark numbers frames */
	static const struct { uint64_t pkt; const char *text; } named[] = {
		{ 2, "interface 1 is NFLOG (239)" },
		{ 5, "captured length 100 > snapshot length 64 of interface 2" },
		{ 6, "on interface 9, but section 1 describes 3" },
		{ 8, "on interface 1, but section 2 describes 1" },
		{ 9, "Enhanced Packet Block in a section not read" },
		{ 10, "whose description (byte offset" },
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		const struct diag *dg = diag_at_packet(&r, named[i].pkt);
		assert_non_null(dg);
		assert_int_equal(dg->code, DIAG_SKIPPED_RECORD);
		if (!strstr(dg->msg, named[i].text)) {
			print_message("packet %" PRIu64 ": %s\n", named[i].pkt, dg->msg);
			fail();
		}
	}
	/* blocks that are no packet: named by byte offset */
	bool unknown = false, v2 = false, bad_idb = false;
	for (size_t i = 0; i < r.an->diags.list.n; i++) {
		const struct diag *dg = &r.an->diags.list.v[i];
		unknown |= dg->offset == (int64_t)unknown_off && strstr(dg->msg, "0x00007777");
		v2 |= dg->offset == (int64_t)v2_off && strstr(dg->msg, "version 2.0");
		bad_idb |= dg->offset == (int64_t)bad_idb_off &&
			   strstr(dg->msg, "if_tsresol option of 2 bytes, not 1");
	}
	assert_true(unknown && v2 && bad_idb);

	const struct capture_stats *c = stats_of(&r, "10.0.0.2:80");
	assert_non_null(c);
	assert_int_equal(c->syn_packets, 1);
	assert_int_equal(c->synack_packets, 1);
	assert_int_equal(c->handshakes_completed, 1);
	assert_int_equal(c->requests, 1);
	assert_int_equal(c->syn_unanswered_packets, 0);
	/* 5.5 s in units of 2^-10 s, + if_tsoffset 1000 s; the SYN-ACK at
	 * 1005.600 s in milliseconds; the request at 1006 s in microseconds */
	assert_true(fabs(c->first_ts - 1005.5) < 1e-9);
	assert_true(fabs(c->last_ts - 1006.0) < 1e-9);
	assert_true(c->unread_share > 0);
	run_free(&r);
	free(b.p);
}

/* Where the block structure itself is lost, reading stops: what came
 * before is kept, the place is named, the capture is partial. */
static void test_pcapng_handbuilt_stops(void **state)
{
	(void)state;
	uint8_t pk[128];
	size_t n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_SYN, 1000, 0, 0);
	struct pcapbuf b = { 0 };
	ng_shb(&b, false, 1);
	ng_idb(&b, false, 1, 0, -1, 0, false, 0);
	ng_pkt(&b, false, 6, 0, 1000000, pk, (uint32_t)n, (uint32_t)n);
	size_t second = b.n;
	ng_pkt(&b, false, 6, 0, 2000000, pk, (uint32_t)n, (uint32_t)n);
	size_t whole = b.n;

	/* the file ends inside the second packet's block */
	struct run r = run_input("cut.pcapng", (const char *)b.p, second + 30, NULL, 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, INPUT_PARTIAL);
	assert_int_equal(r.in->records, 1);
	const struct diag *dg = find_diag(&r, DIAG_TRUNCATED);
	assert_non_null(dg);
	assert_int_equal(dg->offset, (int64_t)second);
	assert_non_null(strstr(dg->msg, "the file ends 30 bytes into a"));
	assert_non_null(strstr(dg->msg, "after packet 1"));
	assert_non_null(strstr(r.in->unread, "reading stopped after packet 1"));
	run_free(&r);

	/* the trailer disagrees with the header */
	b.p[whole - 4] ^= 0x40;
	r = run_input("trailer.pcapng", (const char *)b.p, whole, NULL, 0);
	assert_int_equal(r.status, INPUT_PARTIAL);
	assert_int_equal(r.in->records, 1);
	dg = find_diag(&r, DIAG_BAD_BLOCK);
	assert_non_null(dg);
	assert_int_equal(dg->offset, (int64_t)second);
	assert_non_null(strstr(dg->msg, "in its trailer"));
	run_free(&r);
	b.p[whole - 4] ^= 0x40;

	/* a zero-filled tail (a preallocated or crashed file): one message */
	b.n = whole;
	uint8_t zero[4096] = { 0 };
	pb_put(&b, zero, sizeof(zero));
	r = run_input("zeros.pcapng", (const char *)b.p, b.n, NULL, 0);
	assert_int_equal(r.in->records, 2);
	assert_int_equal(r.an->diags.list.n, 1);
	dg = find_diag(&r, DIAG_BAD_BLOCK);
	assert_non_null(dg);
	assert_int_equal(dg->offset, (int64_t)whole);
	assert_non_null(strstr(dg->msg, "length 0 (less than 12)"));
	run_free(&r);
	free(b.p);

	/* every interface of a link type not read: refused as a pcap would be */
	b = (struct pcapbuf){ 0 };
	ng_shb(&b, false, 1);
	ng_idb(&b, false, 239, 0, -1, 0, false, 0);
	ng_pkt(&b, false, 6, 0, 0, pk, (uint32_t)n, (uint32_t)n);
	r = run_input("nflog.pcapng", (const char *)b.p, b.n, NULL, 0);
	assert_int_equal(r.rc, -1);
	dg = find_diag(&r, DIAG_LINKTYPE);
	assert_non_null(dg);
	assert_non_null(strstr(dg->msg, "NFLOG (239)"));
	run_free(&r);
	free(b.p);
}

/* Through read(): a block larger than the read window (300 KiB) is held
 * whole, one over 16 MiB is passed over without being held, and reading
 * goes on after both. */
static void test_pcapng_big_blocks_from_a_file(void **state)
{
	(void)state;
	char path[] = "/tmp/stuckscope-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t pk[128];
	size_t n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 1, 2, 40000, 80, TF_SYN, 1000, 0, 0);
	struct pcapbuf b = { 0 };
	ng_shb(&b, false, 1);
	ng_idb(&b, false, 1, 0, -1, 0, false, 0);
	size_t sizes[2] = { 300 << 10, (17 << 20) };
	for (int k = 0; k < 2; k++) {
		uint8_t *d = calloc(1, sizes[k]);
		assert_non_null(d);
		memcpy(d, pk, n);
		ng_pkt(&b, false, 6, 0, 1000000 * (uint64_t)(k + 1), d, (uint32_t)sizes[k],
		       (uint32_t)sizes[k]);
		free(d);
	}
	n = eth(pk, 0x0800) + ip4_tcp(pk + 14, 2, 1, 80, 40000, TF_SYN | TF_ACK, 5000, 1001, 0);
	ng_pkt(&b, false, 6, 0, 3000000, pk, (uint32_t)n, (uint32_t)n);
	assert_int_equal(write(fd, b.p, b.n), (ssize_t)b.n);
	close(fd);
	free(b.p);
	struct run r = run_file(path);
	assert_int_equal(r.in->records, 2);
	assert_int_equal(r.in->records_skipped, 1);
	const struct diag *dg = diag_at_packet(&r, 2);
	assert_non_null(dg);
	assert_non_null(strstr(dg->msg, "more than 16777216"));
	const struct capture_stats *c = stats_of(&r, "10.0.0.2:80");
	assert_non_null(c);
	assert_int_equal(c->syn_packets, 1);
	assert_int_equal(c->synack_packets, 1);
	run_free(&r);
	unlink(path);
}

/* The report: a capture read only in part is named next to the verdict (text
 * PARTIAL line, JSON verdict_notes, records_skipped), and the findings drawn
 * from it lose confidence; the same capture read whole has neither. */
static void test_partial_capture_verdict(void **state)
{
	(void)state;
	double conf[2];
	for (int k = 0; k < 2; k++) {
		const char *path = k ? "tests/data/pcap/undefined-ifid-unknown-block.pcapng"
				     : "tests/data/pcap/merged-lo-sll2.pcapng";
		struct analysis *an = read_file_input(path);
		analysis_diagnose(an);
		assert_int_equal(an->verdict_notes.n, (size_t)k);
		const struct finding *f = analysis_find(an, "syn-unanswered", "127.0.0.1:8000");
		assert_non_null(f);
		conf[k] = f->confidence;
		char *text = NULL, *json = NULL;
		size_t tn = 0, jn = 0;
		FILE *t = open_memstream(&text, &tn), *j = open_memstream(&json, &jn);
		report_text_write(t, an, false);
		report_json_write(j, an);
		fclose(t);
		fclose(j);
		if (k) {
			assert_non_null(strstr(an->verdict_notes.v[0],
					       "undefined-ifid-unknown-block.pcapng was read only in "
					       "part: 2 of 409 records skipped (1 on an undefined "
					       "interface, 1 of an unknown block type); the confidence of "
					       "what rests on it is multiplied by 0.90"));
			/* right under the verdict, before the causal chain */
			const char *p = strstr(text, "\nPARTIAL  ");
			assert_non_null(p);
			assert_true(p < strstr(text, "CAUSAL CHAIN"));
			assert_non_null(strstr(json, "\"verdict_notes\": ["));
			assert_non_null(strstr(json, "\"records_skipped\": 2"));
		} else {
			assert_null(strstr(text, "PARTIAL"));
			assert_null(strstr(json, "verdict_notes"));
			assert_null(strstr(json, "records_skipped"));
		}
		free(text);
		free(json);
		analysis_free(an);
	}
	assert_true(fabs(conf[0] - 0.95) < 1e-9);
	assert_true(fabs(conf[1] - 0.95 * 0.9) < 1e-9);
}

/* "healthy" from a capture read in part is said with less confidence, and
 * with the note: the part not read may hold the problem. */
static void test_partial_capture_healthy(void **state)
{
	(void)state;
	char path[] = "/tmp/stuckscope-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t pk[128];
	size_t n;
	struct pcapbuf b = { 0 };
	ng_shb(&b, false, 1);
	ng_idb(&b, false, 1, 0, -1, 0, false, 0);
	static const struct { bool c; uint8_t fl; uint32_t seq, ack, len; } seg[] = {
		{ true, TF_SYN, 100, 0, 0 }, { false, TF_SYN | TF_ACK, 500, 101, 0 },
		{ true, TF_ACK, 101, 501, 0 }, { true, TF_ACK | TF_PSH, 101, 501, 5 },
		{ false, TF_ACK | TF_PSH, 501, 106, 10 }, { true, TF_ACK | TF_FIN, 106, 511, 0 },
		{ false, TF_ACK | TF_FIN, 511, 107, 0 }, { true, TF_ACK, 107, 512, 0 },
	};
	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]); i++) {
		n = eth(pk, 0x0800);
		n += seg[i].c ? ip4_tcp(pk + n, 1, 2, 40000, 80, seg[i].fl, seg[i].seq, seg[i].ack,
					seg[i].len)
			      : ip4_tcp(pk + n, 2, 1, 80, 40000, seg[i].fl, seg[i].seq, seg[i].ack,
					seg[i].len);
		ng_pkt(&b, false, 6, i == 3 ? 4 : 0, 1700000000000000ULL + i, pk, (uint32_t)n,
		       (uint32_t)n);
	}
	assert_int_equal(write(fd, b.p, b.n), (ssize_t)b.n);
	close(fd);
	free(b.p);
	struct analysis *an = read_file_input(path);
	analysis_diagnose(an);
	assert_int_equal(an->verdict, VERDICT_HEALTHY);
	assert_int_equal(an->verdict_notes.n, 1);
	assert_non_null(strstr(an->verdict_notes.v[0], "1 of 8 records skipped"));
	const struct finding *f = analysis_find(an, "healthy", NULL);
	assert_non_null(f);
	assert_true(fabs(f->confidence - 0.6 * 0.875) < 1e-9);	/* 7 of 8 read */
	analysis_free(an);
	unlink(path);
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
		cmocka_unit_test(test_pcapng_every_packet_counted),
		cmocka_unit_test(test_pcapng_memory_and_file_agree),
		cmocka_unit_test(test_pcapng_stdin),
		cmocka_unit_test(test_pcapng_handbuilt_sections),
		cmocka_unit_test(test_pcapng_handbuilt_stops),
		cmocka_unit_test(test_pcapng_big_blocks_from_a_file),
		cmocka_unit_test(test_partial_capture_verdict),
		cmocka_unit_test(test_partial_capture_healthy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
