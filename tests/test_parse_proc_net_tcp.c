/* test_parse_proc_net_tcp.c — parse_proc_net_tcp.c: /proc/net/tcp and tcp6
 * as get_tcp4_sock()/get_tcp6_sock() print them (net/ipv4/tcp_ipv4.c,
 * net/ipv6/tcp_ipv6.c), rows good and bad side by side (STYLE.md §11), real
 * files (../shared/corpus/proc/, tests/data/sockets/ recorded by record.sh),
 * and a cross-check against the ss table recorded at the same moment. */
#include "testutil.h"

#include <math.h>

static const char H4[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
static const char H6[] =
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

static struct analysis *parse_exact(const char *text, size_t n)
{
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, text, n);
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "test.txt", "proc-net-tcp", copy, n);
	free(copy);
	return an;
}

static size_t n_rows(const struct analysis *an)
{
	return an->inc.sock_snaps.n ? an->inc.sock_snaps.v[0]->rows.n : 0;
}

static const struct pc {
	const char *hdr;
	const char *line;
	int rows;
	int st;
	uint32_t rq, sq;
	const char *local, *peer;
	int64_t uid;
	uint64_t inode;
	int diag;
} cases[] = {
	/* LISTEN: rx_queue = sk_ack_backlog (accept queue), tx_queue 0 */
	{ H4, "   0: 0100007F:1F40 00000000:0000 0A 00000000:00000006 00:00000000 00000000  1000        0 9702 1 0000000000000000 100 0 0 10 0",
	  1, TCP_LISTEN, 6, 0, "127.0.0.1:8000", "0.0.0.0:*", 1000, 9702, -1 },
	/* a little-endian host prints each __be32 byte-swapped */
	{ H4, "   1: 0A00A8C0:0016 6400A8C0:D431 01 00000024:00000000 01:00000014 00000000     0        0 555 4 0000000000000000 20 4 31 10 -1",
	  1, TCP_ESTABLISHED, 0, 0x24, "192.168.0.10:22", "192.168.0.100:54321", 0, 555, -1 },
	{ H4, "   2: 0100007F:1F40 0100007F:C226 06 00000000:00000000 03:00001764 00000000     0        0 0 3 000000002e0756a1",
	  1, TCP_TIME_WAIT, 0, 0, NULL, NULL, 0, 0, -1 },
	/* get_openreq4(): a request socket prints SYN_RECV and inode 0 */
	{ H4, "   3: 0100007F:1F40 0100007F:C350 03 00000000:00000000 01:00000064 00000000  1000        0 0 0 0000000000000000",
	  1, TCP_SYN_RECV, 0, 0, NULL, NULL, 1000, 0, -1 },
	{ H4, "   4: 0100007F:1F40 0100007F:C350 0C 00000000:00000000 01:00000064 00000000  1000        0 0 0 0000000000000000",
	  1, TCP_NEW_SYN_RECV, 0, 0, NULL, NULL, 1000, 0, -1 },
	{ H4, "   5: 0100007F:1F40 0100007F:C350 0b 00000000:00000000 00:00000000 00000000     0        0 7 1",
	  1, TCP_CLOSING, 0, 0, NULL, NULL, 0, 7, -1 },
	/* IPv6: four words, each byte-swapped */
	{ H6, "   0: 00000000000000000000000001000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 45507 2 0000000033f4246e 100 0 0 10 0",
	  1, TCP_LISTEN, 1, 0, "[::1]:8000", "[::]:*", 0, 45507, -1 },
	{ H6, "   1: 0000000000000000FFFF00000100007F:1F40 0000000000000000FFFF00000100007F:C350 08 00000000:00000065 00:00000000 00000000     0        0 0 1 0",
	  1, TCP_CLOSE_WAIT, 0x65, 0, "[::ffff:127.0.0.1]:8000", "[::ffff:127.0.0.1]:50000", 0, 0, -1 },
	{ H6, "   2: 000080FE00000000FFADE15609667CFE:C781 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 11337031 2 00000000b9256fdd 0",
	  1, TCP_CLOSE, 0, 0, "[fe80::56e1:adff:fe7c:6609]:51073", "[::]:*", 1000, 11337031, -1 },
	/* unknown state: kept raw */
	{ H4, "   6: 0100007F:1F40 0100007F:C350 0D 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  1, TCP_STATE_UNKNOWN, 0, 0, NULL, NULL, 0, 9, DIAG_UNKNOWN_STATE },
	{ H4, "   7: 0100007F:1F40 0100007F:C350 00 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  1, TCP_STATE_UNKNOWN, 0, 0, NULL, NULL, 0, 9, DIAG_UNKNOWN_STATE },
	/* a line cut after uid: kept, flagged */
	{ H4, "   8: 0100007F:1F40 0100007F:C350 01 00000000:00000002 00:00000000 00000000  1000",
	  1, TCP_ESTABLISHED, 2, 0, NULL, NULL, 1000, 0, DIAG_BAD_LINE },
	/* bad rows */
	{ H4, "   9: 0100007F:1F40 0100007F:C350 ZZ 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_NUMBER },
	{ H4, "  10: 0100007G:1F40 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_ADDRESS },
	{ H4, "  11: 0100007F 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_ADDRESS },
	{ H4, "  12: 0100007F0000:1F40 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_ADDRESS },
	{ H4, "  13: 0100007F:1F40 00000000000000000000000001000000:C350 01 00000000:00000000 00:00000000 00000000 0 0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_ADDRESS },	/* families differ */
	{ H4, "  14: 0100007F:1F4000 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_ADDRESS },
	{ H4, "  15: 0100007F:1F40 0100007F:C350 01 00000000-00000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_NUMBER },
	{ H4, "  16: 0100007F:1F40 0100007F:C350 01 00000000:100000000 00:00000000 00000000     0        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_NUMBER },
	{ H4, "  17: 0100007F:1F40 0100007F:C350 01 00000000:00000000 00:00000000 00000000     x        0 9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_NUMBER },
	{ H4, "  18: 0100007F:1F40 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 -9 1",
	  0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_NUMBER },
	{ H4, "   1: 00000000:0016 00000000:0000 0A", 0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_LINE },
	{ H4, "  x: 0100007F:1F40 0100007F:C350 01", 0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_LINE },
	{ NULL, "garbage", 0, 0, 0, 0, NULL, NULL, 0, 0, DIAG_BAD_LINE },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pc *tc = &cases[i];
		char buf[1024], a[80], b[80];
		snprintf(buf, sizeof(buf), "%s%s\n", tc->hdr ? tc->hdr : "", tc->line);
		struct analysis *an = parse_exact(buf, strlen(buf));
		if (n_rows(an) != (size_t)tc->rows)
			fail_msg("case %zu '%s': %zu rows, want %d", i, tc->line, n_rows(an), tc->rows);
		if (tc->rows) {
			const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
			const struct sock_row *r = &s->rows.v[0];
			assert_false(s->listen_send_q_is_limit);
			assert_false(s->has_owners);
			assert_int_equal(r->state, tc->st);
			if (tc->st == TCP_STATE_UNKNOWN)
				assert_non_null(r->state_raw);
			assert_true(r->have_queues);
			assert_int_equal(r->recv_q, tc->rq);
			assert_int_equal(r->send_q, tc->sq);
			if (tc->local)
				assert_string_equal(endpoint_format(&r->local, a, sizeof(a)), tc->local);
			if (tc->peer)
				assert_string_equal(endpoint_format(&r->peer, b, sizeof(b)), tc->peer);
			assert_int_equal(r->uid, tc->uid);
			assert_int_equal(r->have_inode, tc->inode != 0);
			assert_int_equal(r->inode, tc->inode);
			assert_int_equal(r->src.line, 2);
			assert_non_null(r->src.text);
		}
		if (tc->diag >= 0) {
			if (count_diags(an, (enum diag_code)tc->diag) != 1)
				fail_msg("case %zu '%s': want one diag %s", i, tc->line,
					 diag_code_text((enum diag_code)tc->diag));
		} else if (an->diags.list.n) {
			fail_msg("case %zu: unexpected diag '%s'", i, an->diags.list.v[0].msg);
		}
		analysis_free(an);
	}
}

static void test_edges(void **state)
{
	(void)state;
	/* both files concatenated, a copied command line, a timestamp */
	static const char both[] =
		"2026-11-25T18:41:44.438Z\n"
		"# cat /proc/net/tcp /proc/net/tcp6\n"
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0100007F:1F40 00000000:0000 0A 00000000:00000004 00:00000000 00000000     0        0 9702 5 000000007015cd36 100 0 0 10 0\n"
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000001000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 45507 2 0000000033f4246e 100 0 0 10 0\n";
	struct analysis *an = parse_exact(both, sizeof(both) - 1);
	assert_int_equal(n_rows(an), 2);
	assert_int_equal(an->inc.sock_snaps.v[0]->rows.v[0].src.line, 4);
	assert_int_equal(an->inc.sock_snaps.v[0]->rows.v[1].src.line, 6);
	/* tcp then tcp6: one snapshot; the copied command line skipped, counted */
	assert_int_equal(an->inc.sock_snaps.n, 1);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	analysis_free(an);
	for (size_t cut = 0; cut < sizeof(both); cut++) {
		an = parse_exact(both, cut);
		analysis_free(an);
	}
	an = parse_exact(H4, strlen(H4));	/* no sockets: still a table */
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(an->inc.sock_snaps.n, 1);
	analysis_free(an);
	an = parse_exact("", 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	analysis_free(an);
}


/* ---- issue 14: saved as people save it */

static void test_saved(void **state)
{
	(void)state;
	static const char row4[] =
		"   0: 0100007F:1F40 00000000:0000 0A 00000000:00000004 00:00000000 00000000     0        0 9702 5 000000007015cd36 100 0 0 10 0\n";
	char buf[4096];
	/* a loop: `while sleep 5; do date -u; cat /proc/net/tcp; done` */
	snprintf(buf, sizeof(buf), "Wed Nov 25 09:14:02 UTC 2026\n%s%sWed Nov 25 09:14:07 UTC 2026\n%s%s%s",
		 H4, row4, H4, row4, row4);
	struct analysis *an = parse_exact(buf, strlen(buf));
	assert_int_equal(an->inc.sock_snaps.n, 2);
	assert_int_equal(an->inc.sock_snaps.v[1]->rows.n, 2);
	assert_true(fabs(an->inc.sock_snaps.v[1]->at - an->inc.sock_snaps.v[0]->at - 5.0) < 1e-6);
	analysis_free(an);

	/* the same without date lines: the tcp header again is the next output */
	snprintf(buf, sizeof(buf), "%s%s%s%s", H4, row4, H4, row4);
	an = parse_exact(buf, strlen(buf));
	assert_int_equal(an->inc.sock_snaps.n, 2);
	analysis_free(an);

	/* indented by four blanks (a markdown code block), cat's stderr for tcp6,
	 * head's file names between the files */
	snprintf(buf, sizeof(buf),
		 "    $ head -n 20 /proc/net/tcp /proc/net/tcp6\n"
		 "    ==> /proc/net/tcp <==\n    %s    %s"
		 "    head: cannot open '/proc/net/tcp6' for reading: No such file or directory\n",
		 H4, row4);
	an = parse_exact(buf, strlen(buf));
	assert_int_equal(n_rows(an), 1);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	analysis_free(an);

	/* rows all garbage under a header: not read, no empty table */
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F40\n   1: zz\n", H4);
	an = parse_exact(buf, strlen(buf));
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(an->inc.sock_snaps.n, 0);
	analysis_free(an);
}

static struct analysis *read_proc(const char *path, size_t rows)
{
	struct analysis *an = read_file_input(path);
	assert_int_equal(an->inputs.n, 1);
	assert_string_equal(an->inputs.v[0].kind, "proc-net-tcp");
	assert_int_equal(an->inc.sock_snaps.n, 1);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	if (s->rows.n != rows)
		fail_msg("%s: %zu rows, want %zu", path, s->rows.n, rows);
	assert_int_equal(an->inputs.v[0].records, rows);
	return an;
}

static void test_corpus(void **state)
{
	(void)state;
	char p[512], a[80];
	/* prometheus/procfs fixture: 3 LISTEN rows, hand-edited queues */
	struct analysis *an = read_proc(shared_path(p, sizeof(p), "corpus/proc/procfs-proc-net-tcp.txt"), 3);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_string_equal(endpoint_format(&s->rows.v[0].local, a, sizeof(a)), "10.0.0.5:22");
	assert_int_equal(s->rows.v[0].recv_q, 1);
	assert_int_equal(s->rows.v[1].send_q, 1);
	assert_int_equal(s->rows.v[2].inode, 2740);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);

	/* tcp6 fixture: 2 rows in state 07, a link-local address */
	an = read_proc(shared_path(p, sizeof(p), "corpus/proc/procfs-proc-net-tcp6.txt"), 2);
	s = an->inc.sock_snaps.v[0];
	assert_int_equal(s->rows.v[1].state, TCP_CLOSE);
	assert_string_equal(endpoint_format(&s->rows.v[1].local, a, sizeof(a)),
			    "[fe80::56e1:adff:fe7c:6609]:51073");
	assert_int_equal(s->rows.v[1].uid, 1000);
	assert_int_equal(s->rows.v[0].uid, 981);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);

	/* node_exporter fixture: 149-column padding, trailing blanks */
	an = read_proc(shared_path(p, sizeof(p), "corpus/proc/node_exporter-proc-net-tcp.txt"), 2);
	s = an->inc.sock_snaps.v[0];
	assert_int_equal(s->rows.v[0].state, TCP_LISTEN);
	assert_int_equal(s->rows.v[0].send_q, 0x15);
	assert_string_equal(endpoint_format(&s->rows.v[1].local, a, sizeof(a)), "10.0.2.15:22");
	assert_string_equal(endpoint_format(&s->rows.v[1].peer, a, sizeof(a)), "10.0.2.2:35691");
	assert_int_equal(s->rows.v[1].recv_q, 1);
	assert_int_equal(s->rows.v[1].inode, 3652);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);

	/* udp_broken: a /proc/net/udp cut after "st": truly not evidence. Its one
	 * row is flagged and nothing is kept: the file counts as not read, and
	 * no empty table is left behind to read as "no sockets" (issue 14) */
	an = read_file_input(shared_path(p, sizeof(p), "corpus/proc/procfs-proc-net-udp_broken.txt"));
	assert_string_equal(an->inputs.v[0].kind, "proc-net-tcp");
	assert_int_equal(count_diags(an, DIAG_BAD_LINE), 1);
	assert_int_equal(an->diags.list.v[0].line, 2);
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(an->inputs.v[0].records, 0);
	assert_int_equal(an->inc.sock_snaps.n, 0);
	analysis_free(an);
}

static size_t count_state(const struct sock_snapshot *s, int st)
{
	size_t n = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		n += s->rows.v[i].state == st;
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Recorded by tests/data/sockets/record.sh: awk 'NR>1{print $4}' ->
 * tcp: 8 x 01, 2 x 0A, 1 x 05, 1 x 08; awk 'NR>1 && $10!=0' -> 8 inodes;
 * tcp6: 2 x 01, 1 x 0A, 1 x 05, 1 x 08. */
static void test_recorded(void **state)
{
	(void)state;
	char a[80];
	struct analysis *an = read_proc("tests/data/sockets/proc-net-tcp.txt", 12);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 8);
	assert_int_equal(count_state(s, TCP_LISTEN), 2);
	assert_int_equal(count_state(s, TCP_FIN_WAIT2), 1);
	assert_int_equal(count_state(s, TCP_CLOSE_WAIT), 1);
	size_t inodes = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		inodes += s->rows.v[i].have_inode;
	assert_int_equal(inodes, 8);
	/* line 3: the shared IPv4 listener, same inode as ss-tanpie.txt's ino:45506 */
	const struct sock_row *r = &s->rows.v[1];
	assert_int_equal(r->src.line, 3);
	assert_string_equal(endpoint_format(&r->local, a, sizeof(a)), "127.0.0.1:18765");
	assert_int_equal(r->recv_q, 3);
	assert_int_equal(r->inode, 45506);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);

	an = read_proc("tests/data/sockets/proc-net-tcp6.txt", 5);
	s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 2);
	assert_int_equal(count_state(s, TCP_LISTEN), 1);
	assert_string_equal(endpoint_format(&s->rows.v[0].local, a, sizeof(a)), "[::1]:18765");
	assert_int_equal(s->rows.v[0].recv_q, 1);
	assert_int_equal(s->rows.v[0].inode, 45507);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);
}

/* The kernel's table and ss's, taken the same second, describe the same
 * 17 sockets: every /proc row has an ss row with the same state, addresses
 * and Recv-Q (Send-Q differs only for LISTEN: ss shows the limit there). */
static void test_cross_check_ss(void **state)
{
	(void)state;
	size_t n4, n6;
	char *t4 = slurp("tests/data/sockets/proc-net-tcp.txt", &n4);
	char *t6 = slurp("tests/data/sockets/proc-net-tcp6.txt", &n6);
	char *both = malloc(n4 + n6);
	memcpy(both, t4, n4);
	memcpy(both + n4, t6, n6);
	struct analysis *pa = parse_exact(both, n4 + n6);
	free(t4);
	free(t6);
	free(both);
	struct analysis *sa = read_file_input("tests/data/sockets/ss-tan.txt");
	const struct sock_snapshot *ps = pa->inc.sock_snaps.v[0], *ss = sa->inc.sock_snaps.v[0];
	assert_int_equal(ps->rows.n, 17);
	assert_int_equal(ss->rows.n, 17);
	for (size_t i = 0; i < ps->rows.n; i++) {
		const struct sock_row *p = &ps->rows.v[i];
		bool found = false;
		for (size_t k = 0; k < ss->rows.n && !found; k++) {
			const struct sock_row *q = &ss->rows.v[k];
			found = q->state == p->state && q->recv_q == p->recv_q &&
				endpoint_equal(&q->local, &p->local) &&
				endpoint_equal(&q->peer, &p->peer) &&
				(q->state == TCP_LISTEN || q->send_q == p->send_q);
		}
		if (!found) {
			char a[80];
			fail_msg("proc row at line %u (%s) not in ss-tan.txt", p->src.line,
				 endpoint_format(&p->local, a, sizeof(a)));
		}
	}
	analysis_free(pa);
	analysis_free(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_saved),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_cross_check_ss),
	};
	return cmocka_run_group_tests_name("parse_proc_net_tcp", tests, NULL, NULL);
}
