/* test_parse_ss.c — parse_ss.c: rows good and bad side by side (STYLE.md §11),
 * owners (pre-fork workers, hostile comm strings), IPv6 and scopes,
 * continuation lines, and real outputs: ../shared/corpus/ss/ and
 * tests/data/sockets/ (recorded here by tests/data/sockets/record.sh). */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

static const char HDR_NEW[] =
	"State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n";
static const char HDR_OLD[] =
	"State      Recv-Q Send-Q Local Address:Port               Peer Address:Port\n";
static const char HDR_NETID[] =
	"Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n";

/* Parse exactly `len` bytes of a heap copy: no NUL after the buffer, so an
 * overread shows under ASan/valgrind. */
static struct analysis *parse_exact(const char *kind, const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, text, n);
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "test.txt", kind, copy, n);
	free(copy);	/* the parser must have copied what it keeps */
	return an;
}

/* Write text to a temporary file and read it as `stuckscope analyze` would
 * (sniffing, the walk's status, derive). */
static struct analysis *read_text_as_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "/tmp/stk-test-%d-%s", (int)getpid(), name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	struct analysis *an = read_file_input(path);
	unlink(path);
	return an;
}

static struct analysis *parse_with(const char *hdr, const char *line)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s%s\n", hdr ? hdr : "", line);
	return parse_exact("ss", buf);
}

static const struct sock_snapshot *snap0(const struct analysis *an)
{
	assert_int_equal(an->inc.sock_snaps.n, 1);
	return an->inc.sock_snaps.v[0];
}

static size_t n_rows(const struct analysis *an)
{
	return an->inc.sock_snaps.n ? an->inc.sock_snaps.v[0]->rows.n : 0;
}

static const char *ep(const struct endpoint *e, char *buf)
{
	return endpoint_format(e, buf, 80);
}

/* ---- one row per case, good and bad side by side */

static const struct row_case {
	const char *hdr;
	const char *line;
	int rows;		/* rows kept */
	int st;
	uint32_t rq, sq;
	const char *local, *peer;	/* endpoint_format() */
	int diag;		/* expected diag code, -1 none */
} row_cases[] = {
	{ HDR_NEW, "LISTEN 6      5      0.0.0.0:8000   0.0.0.0:*", 1, TCP_LISTEN, 6, 5,
	  "0.0.0.0:8000", "0.0.0.0:*", -1 },
	{ HDR_NEW, "CLOSE-WAIT 0  0      10.0.0.1:8000  10.0.0.9:51234", 1, TCP_CLOSE_WAIT, 0, 0,
	  "10.0.0.1:8000", "10.0.0.9:51234", -1 },
	{ HDR_NEW, "LISTEN x      5      0.0.0.0:8000   0.0.0.0:*", 0, 0, 0, 0, NULL, NULL,
	  DIAG_BAD_NUMBER },
	{ HDR_NEW, "LISTEN 4294967296 5 0.0.0.0:8000 0.0.0.0:*", 0, 0, 0, 0, NULL, NULL,
	  DIAG_BAD_NUMBER },		/* u32 overflow */
	{ HDR_NEW, "LISTEN 0 -1 0.0.0.0:8000 0.0.0.0:*", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_NUMBER },
	{ HDR_NEW, "LISTEN 0 5 999.0.0.1:8000 0.0.0.0:*", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_ADDRESS },
	{ HDR_NEW, "LISTEN 0 5 127.0.0.1:99999 0.0.0.0:*", 0, 0, 0, 0, NULL, NULL,
	  DIAG_BAD_ADDRESS },
	{ HDR_NEW, "LISTEN 0 5 127.0.0.1:8000", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_LINE },
	{ HDR_NEW, "LISTEN", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_LINE },
	/* unknown state: kept raw, flagged */
	{ HDR_NEW, "BOUND-INACTIVE 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_STATE_UNKNOWN, 0, 0,
	  "1.2.3.4:1", "5.6.7.8:2", DIAG_UNKNOWN_STATE },
	/* every ss state name (misc/ss.c sstate_name[]) */
	{ HDR_NEW, "ESTAB 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_ESTABLISHED, 0, 0, NULL, NULL, -1 },
	{ HDR_NEW, "SYN-SENT 0 1 1.2.3.4:1 5.6.7.8:2", 1, TCP_SYN_SENT, 0, 1, NULL, NULL, -1 },
	{ HDR_NEW, "SYN-RECV 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_SYN_RECV, 0, 0, NULL, NULL, -1 },
	{ HDR_NEW, "FIN-WAIT-1 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_FIN_WAIT1, 0, 0, NULL, NULL, -1 },
	{ HDR_NEW, "FIN-WAIT-2 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_FIN_WAIT2, 0, 0, NULL, NULL, -1 },
	{ HDR_NEW, "TIME-WAIT 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_TIME_WAIT, 0, 0, NULL, NULL, -1 },
	{ HDR_NEW, "UNCONN 0 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_CLOSE, 0, 0, NULL, NULL, -1 },
	{ HDR_NEW, "CLOSE-WAIT 7 0 1.2.3.4:1 5.6.7.8:2", 1, TCP_CLOSE_WAIT, 7, 0, NULL, NULL, -1 },
	{ HDR_NEW, "LAST-ACK 0 1 1.2.3.4:1 5.6.7.8:2", 1, TCP_LAST_ACK, 0, 1, NULL, NULL, -1 },
	{ HDR_NEW, "CLOSING 0 1 1.2.3.4:1 5.6.7.8:2", 1, TCP_CLOSING, 0, 1, NULL, NULL, -1 },
	/* addresses: IPv6, "*", v4-mapped, interface scopes */
	{ HDR_NEW, "LISTEN 0 128 *:22 *:*", 1, TCP_LISTEN, 0, 128, "*:22", "*:*", -1 },
	{ HDR_NEW, "LISTEN 0 128 [::]:80 [::]:*", 1, TCP_LISTEN, 0, 128, "[::]:80", "[::]:*", -1 },
	{ HDR_NEW, "ESTAB 0 0 [::ffff:1.2.3.4]:80 [::ffff:5.6.7.8]:5000", 1, TCP_ESTABLISHED, 0, 0,
	  "[::ffff:1.2.3.4]:80", "[::ffff:5.6.7.8]:5000", -1 },
	{ HDR_NEW, "UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:*", 1, TCP_CLOSE, 0, 0, "127.0.0.53:53",
	  "0.0.0.0:*", -1 },
	{ HDR_NEW, "LISTEN 0 4096 [::1]%lo:8000 [::]:*", 1, TCP_LISTEN, 0, 4096, "[::1]:8000",
	  "[::]:*", -1 },
	{ HDR_NEW, "ESTAB 0 0 [fe80::1]%eth0:22 [fe80::2]%eth0:41000", 1, TCP_ESTABLISHED, 0, 0,
	  "[fe80::1]:22", "[fe80::2]:41000", -1 },
	/* old iproute2 (CentOS 7): no brackets around IPv6 */
	{ HDR_OLD, "LISTEN     0      128         :::22                      :::*", 1, TCP_LISTEN,
	  0, 128, "[::]:22", "[::]:*", -1 },
	{ HDR_OLD, "ESTAB      0      36     ::ffff:10.0.0.1:22   ::ffff:10.0.0.2:5000", 1,
	  TCP_ESTABLISHED, 0, 36, "[::ffff:10.0.0.1]:22", "[::ffff:10.0.0.2]:5000", -1 },
	/* no header: layout guessed per line */
	{ NULL, "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*", 1, TCP_LISTEN, 0, 5, "127.0.0.1:8000",
	  "0.0.0.0:*", -1 },
	{ NULL, "tcp LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*", 1, TCP_LISTEN, 0, 5, "127.0.0.1:8000",
	  "0.0.0.0:*", -1 },
	{ NULL, "udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*", 0, 0, 0, 0, NULL, NULL, DIAG_SKIPPED },
	/* Netid column: tcp kept, the rest skipped and counted, not errors */
	{ HDR_NETID, "tcp LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*", 1, TCP_LISTEN, 0, 5, NULL, NULL,
	  -1 },
	{ HDR_NETID, "u_str ESTAB 0 0 /run/x.sock 123 * 456", 0, 0, 0, 0, NULL, NULL, DIAG_SKIPPED },
	{ HDR_NETID, "nl UNCONN 0 0 0:0 * sk=0 cb=0 groups=0x00000000", 0, 0, 0, 0, NULL, NULL,
	  DIAG_SKIPPED },
	{ HDR_NETID, "tcp", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_LINE },
	{ HDR_NETID, "garbage 1 2 3 4 5", 0, 0, 0, 0, NULL, NULL, DIAG_SKIPPED },
	/* issue 14: not numbers, rows kept. Service names (ss without -n),
	 * read from the built-in table, never the host's /etc/services */
	{ HDR_NEW, "LISTEN 0 128 0.0.0.0:ssh 0.0.0.0:*", 1, TCP_LISTEN, 0, 128, "0.0.0.0:22",
	  "0.0.0.0:*", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "ESTAB 0 0 [::1]:http-alt [::1]:41234", 1, TCP_ESTABLISHED, 0, 0, "[::1]:8080",
	  "[::1]:41234", DIAG_UNKNOWN_FIELD },
	{ HDR_OLD, "LISTEN     0      100    127.0.0.1:smtp                  *:*", 1, TCP_LISTEN, 0,
	  100, "127.0.0.1:25", "*:*", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "LISTEN 0 511 *:irdmi *:*", 1, TCP_LISTEN, 0, 511, "*:8000", "*:*",
	  DIAG_UNKNOWN_FIELD },
	/* an unknown service name: its port unknown, kept as shown */
	{ HDR_NEW, "ESTAB 0 0 10.0.0.1:zz-custom 10.0.0.2:5000", 1, TCP_ESTABLISHED, 0, 0,
	  "10.0.0.1:zz-custom", "10.0.0.2:5000", DIAG_UNKNOWN_FIELD },
	/* host names (ss -r), kept as names */
	{ HDR_NEW, "ESTAB 0 0 web1.example.com:https client.isp.net:44321", 1, TCP_ESTABLISHED, 0,
	  0, "web1.example.com:443", "client.isp.net:44321", DIAG_UNKNOWN_FIELD },
	/* masked by the reporter: state, queues and ports still read */
	{ HDR_NEW, "LISTEN 129 128 ********:443 *:*", 1, TCP_LISTEN, 129, 128, "********:443",
	  "*:*", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "ESTAB 0 0 IP:8000 x.x.x.x:51000", 1, TCP_ESTABLISHED, 0, 0, "IP:8000",
	  "x.x.x.x:51000", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "ESTAB 17 0 <redacted>:8000 a.b.c.d:51000", 1, TCP_ESTABLISHED, 17, 0,
	  "<redacted>:8000", "a.b.c.d:51000", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "ESTAB 0 0 10.0.x.x:8000 [2001:db8:xxxx::1]:51000", 1, TCP_ESTABLISHED, 0, 0,
	  "10.0.x.x:8000", "[2001:db8:xxxx::1]:51000", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "ESTAB 0 0 211.*.*.*:22 [REDACTED]:51000", 1, TCP_ESTABLISHED, 0, 0,
	  "211.*.*.*:22", "[REDACTED]:51000", DIAG_UNKNOWN_FIELD },
	{ HDR_NEW, "LISTEN 0 5 SERVER_IP:PORT *:*", 1, TCP_LISTEN, 0, 5, "SERVER_IP:PORT", "*:*",
	  DIAG_UNKNOWN_FIELD },
	/* not addresses at all: rejected as before */
	{ HDR_NEW, "LISTEN 0 5 1.2.3.4:9x9 *:*", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_ADDRESS },
	{ HDR_NEW, "LISTEN 0 5 <script>x</script>:1 *:*", 0, 0, 0, 0, NULL, NULL,
	  DIAG_BAD_ADDRESS },
	{ HDR_NEW, "LISTEN 0 5 a$b:80 *:*", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_ADDRESS },
	{ HDR_NEW, "LISTEN 0 5 :80 *:*", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_ADDRESS },
	{ HDR_NEW, "LISTEN 0 5 web1: *:*", 0, 0, 0, 0, NULL, NULL, DIAG_BAD_ADDRESS },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(row_cases) / sizeof(row_cases[0]); i++) {
		const struct row_case *tc = &row_cases[i];
		struct analysis *an = parse_with(tc->hdr, tc->line);
		char a[80], b[80];
		if (n_rows(an) != (size_t)tc->rows)
			fail_msg("case %zu '%s': %zu rows, want %d", i, tc->line, n_rows(an), tc->rows);
		if (tc->rows) {
			const struct sock_row *r = &snap0(an)->rows.v[0];
			assert_int_equal(r->state, tc->st);
			assert_true(r->have_queues);
			assert_int_equal(r->recv_q, tc->rq);
			assert_int_equal(r->send_q, tc->sq);
			if (tc->local)
				assert_string_equal(ep(&r->local, a), tc->local);
			if (tc->peer)
				assert_string_equal(ep(&r->peer, b), tc->peer);
			assert_string_equal(r->src.file, "test.txt");
			assert_int_equal(r->src.line, tc->hdr ? 2 : 1);
			assert_non_null(r->src.text);
			if (tc->st == TCP_STATE_UNKNOWN)
				assert_non_null(r->state_raw);
		}
		if (tc->diag >= 0) {
			if (count_diags(an, (enum diag_code)tc->diag) != 1)
				fail_msg("case %zu '%s': want one diag %s", i, tc->line,
					 diag_code_text((enum diag_code)tc->diag));
		} else {
			assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_INFO), 0);
		}
		analysis_free(an);
	}
}

/* A bad line names file, line and the byte offset of the bad field. */
static void test_diag_position(void **state)
{
	(void)state;
	struct analysis *an = parse_with(HDR_NEW, "LISTEN 0 5 1.2.3.4:80 0.0.0.0:*\nLISTEN x 5 1.2.3.4:81 0.0.0.0:*\n"
					 "LISTEN 1 5 1.2.3.4:82 0.0.0.0:*");
	assert_int_equal(n_rows(an), 2);
	assert_int_equal(an->diags.list.n, 1);
	const struct diag *d = &an->diags.list.v[0];
	assert_int_equal(d->code, DIAG_BAD_NUMBER);
	assert_string_equal(d->file, "test.txt");
	assert_int_equal(d->line, 3);
	size_t off = strlen(HDR_NEW) + strlen("LISTEN 0 5 1.2.3.4:80 0.0.0.0:*\n") + strlen("LISTEN ");
	assert_int_equal(d->offset, (int64_t)off);
	assert_non_null(strstr(d->msg, "Recv-Q 'x'"));
	assert_int_equal(an->inputs.v[0].records, 2);
	assert_int_equal(an->inputs.v[0].status, INPUT_PARTIAL);
	analysis_free(an);
}

/* ---- owners: users:(("comm",pid=N,fd=N),...) */

static const struct owner_case {
	const char *tail;
	int n;
	const char *comm[3];
	int32_t pid[3], fd[3];
	bool diag;
} owner_cases[] = {
	{ "users:((\"python3\",pid=4103,fd=3))", 1, { "python3" }, { 4103 }, { 3 }, false },
	/* pre-fork: one listening socket, several owners */
	{ "users:((\"nginx\",pid=6439,fd=7),(\"nginx\",pid=6438,fd=7),(\"nginx\",pid=6437,fd=7))", 3,
	  { "nginx", "nginx", "nginx" }, { 6439, 6438, 6437 }, { 7, 7, 7 }, false },
	/* iproute2 before 3.18: no pid=/fd= labels */
	{ "users:((\"sshd\",1026,4),(\"systemd\",1,40))", 2, { "sshd", "systemd" }, { 1026, 1 },
	  { 4, 40 }, false },
	/* hostile comm strings: ss prints them between quotes, unescaped */
	{ "users:((\"a b c\",pid=1,fd=2))", 1, { "a b c" }, { 1 }, { 2 }, false },
	{ "users:((\"x\"),(\"y\",pid=5,fd=6))", 1, { "x\"),(\"y" }, { 5 }, { 6 }, false },
	{ "users:((\"a,b\",pid=1,fd=2),(\"(c)\",pid=3,fd=4))", 2, { "a,b", "(c)" }, { 1, 3 },
	  { 2, 4 }, false },
	{ "users:((\"q\",pid=7,fd=8)\",pid=9,fd=3),(\"n\",pid=10,fd=4))", 2,
	  { "q\",pid=7,fd=8)", "n" }, { 9, 10 }, { 3, 4 }, false },
	{ "users:((\"w\xc3\xb6rker (1\",pid=22147,fd=3))", 1, { "w\xc3\xb6rker (1" }, { 22147 },
	  { 3 }, false },
	{ "users:((\"\",pid=1,fd=2))", 1, { "" }, { 1 }, { 2 }, false },
	/* a comm that reads like a shell prompt does not hide the row */
	{ "users:((\"a$ ss b\",pid=1,fd=2))", 1, { "a$ ss b" }, { 1 }, { 2 }, false },
	/* followed by -e fields */
	{ "users:((\"a\",pid=1,fd=2)) uid:1000 ino:4242 sk:1 <->", 1, { "a" }, { 1 }, { 2 }, false },
	/* broken lists: the row stays, the owners part is flagged */
	{ "users:((\"abc", 0, { NULL }, { 0 }, { 0 }, true },
	{ "users:(garbage)", 0, { NULL }, { 0 }, { 0 }, true },
	{ "users:((\"a\",pid=1,fd=2)junk", 1, { "a" }, { 1 }, { 2 }, true },
	{ "users:((\"a\",pid=99999999999,fd=2))", 0, { NULL }, { 0 }, { 0 }, true },
};

static void test_owners(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(owner_cases) / sizeof(owner_cases[0]); i++) {
		const struct owner_case *tc = &owner_cases[i];
		char line[512];
		snprintf(line, sizeof(line), "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:* %s", tc->tail);
		struct analysis *an = parse_with(HDR_NEW, line);
		assert_int_equal(n_rows(an), 1);
		const struct sock_snapshot *s = snap0(an);
		const struct sock_row *r = &s->rows.v[0];
		if (r->n_owners != (uint32_t)tc->n)
			fail_msg("case %zu: %u owners, want %d", i, r->n_owners, tc->n);
		for (int k = 0; k < tc->n; k++) {
			assert_string_equal(r->owners[k].comm, tc->comm[k]);
			assert_int_equal(r->owners[k].pid, tc->pid[k]);
			assert_int_equal(r->owners[k].fd, tc->fd[k]);
		}
		assert_int_equal(count_diags(an, DIAG_BAD_LINE), tc->diag ? 1 : 0);
		if (tc->n)
			assert_true(s->has_owners);
		analysis_free(an);
	}
	struct analysis *an = parse_with(HDR_NEW, "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:* "
					 "users:((\"a\",pid=1,fd=2)) uid:1000 ino:4242 sk:1 <->");
	const struct sock_row *r = &snap0(an)->rows.v[0];
	assert_int_equal(r->uid, 1000);
	assert_true(r->have_inode);
	assert_int_equal(r->inode, 4242);
	analysis_free(an);
}

/* -p on a copied command line: no owner shown means none */
static void test_has_owners(void **state)
{
	(void)state;
	struct analysis *an = parse_exact("ss", "root@host:~# ss -tanp\n"
					  "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
					  "TIME-WAIT 0 0 1.2.3.4:80 5.6.7.8:9000\n");
	assert_int_equal(n_rows(an), 1);
	assert_true(snap0(an)->has_owners);
	assert_true(snap0(an)->listen_send_q_is_limit);
	/* the copied prompt line is skipped and counted, nothing else said */
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	analysis_free(an);
	an = parse_exact("ss", "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
			 "TIME-WAIT 0 0 1.2.3.4:80 5.6.7.8:9000\n");
	assert_false(snap0(an)->has_owners);
	analysis_free(an);
}

/* ---- -i -e -m continuation lines */

static void test_continuation(void **state)
{
	(void)state;
	struct analysis *an = parse_exact("ss",
		"Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"tcp ESTAB 0 0 10.0.0.1:22 10.0.0.2:5000 users:((\"sshd\",pid=1,fd=3)) ino:77 sk:1 <->\n"
		"\t skmem:(r0,rb369280,t0,tb87040,f0,w0,o0,bl0,d0) ts sack cubic wscale:7,7 "
		"rto:201 retrans:1/42 backoff:3 rcv_space:29200 rcv_ssthresh:35684 snd_wnd:65536 "
		"rcv_wnd:1024 bbr:(bw:0bps,mrtt:0.004) bogus nonsense:x\n"
		"udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n"
		"\t skmem:(r0) rcv_space:1 snd_wnd:2\n"
		"tcp TIME-WAIT 0 0 10.0.0.1:22 10.0.0.3:5000 timer:(timewait,58sec,0) ino:0 sk:2\n"
		"\t\n"
		"tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* uid:29 ino:5 sk:3 <->\n"
		"\t skmem:(r0,rb87380,t0,tb16384,f0,w0,o0,bl0,d0) cubic cwnd:10\n");
	const struct sock_snapshot *s = snap0(an);
	assert_int_equal(s->rows.n, 3);
	const struct sock_row *r = &s->rows.v[0];
	assert_int_equal(r->rcv_space, 29200);
	assert_int_equal(r->snd_wnd, 65536);
	assert_int_equal(r->rcv_wnd, 1024);
	assert_int_equal(r->retrans, 1);
	assert_int_equal(r->backoff, 3);
	assert_int_equal(r->uid, 0);	/* -e prints uid only when non-zero */
	assert_int_equal(r->inode, 77);
	assert_int_equal(r->src.line, 2);
	/* the udp row's continuation does not land on the TIME-WAIT row */
	r = &s->rows.v[1];
	assert_int_equal(r->state, TCP_TIME_WAIT);
	assert_int_equal(r->rcv_space, -1);
	assert_int_equal(r->snd_wnd, -1);
	assert_false(r->have_inode);	/* ino:0: no socket inode */
	r = &s->rows.v[2];
	assert_int_equal(r->uid, 29);
	assert_int_equal(r->inode, 5);
	assert_int_equal(r->rcv_space, -1);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	analysis_free(an);
}

/* A state filter hides the State column (misc/ss.c); the command line, when
 * copied with the output, says which state. */
static void test_state_filter(void **state)
{
	(void)state;
	struct analysis *an = parse_exact("ss",
		"u@h:~$ ss -tn state close-wait\n"
		"Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"1      0      127.0.0.1:8000 127.0.0.1:5000\n"
		"0      0      127.0.0.1:8000 127.0.0.1:5001\n");
	assert_int_equal(n_rows(an), 2);
	assert_int_equal(snap0(an)->rows.v[1].state, TCP_CLOSE_WAIT);
	/* the copied prompt line is skipped and counted, nothing else said */
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	analysis_free(an);
	an = parse_exact("ss", "Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
			 "1      0      127.0.0.1:8000 127.0.0.1:5000\n"
			 "0      0      127.0.0.1:8000 127.0.0.1:5001\n");
	assert_int_equal(n_rows(an), 2);
	assert_int_equal(snap0(an)->rows.v[0].state, TCP_STATE_UNKNOWN);
	assert_int_equal(count_diags(an, DIAG_UNKNOWN_STATE), 1);	/* once, not per row */
	analysis_free(an);
}

/* `ss -s` is a summary: said so once, no crash, nothing kept. */
static void test_summary(void **state)
{
	(void)state;
	struct analysis *an = parse_exact("ss",
		"Total: 131 (kernel 0)\n"
		"TCP:   14 (estab 1, closed 0, orphaned 10, synrecv 0, timewait 0/0), ports 0\n\n"
		"Transport Total     IP        IPv6\n*         0         -         -\n"
		"RAW       1         0         1\nTCP       14        13        1\n");
	assert_int_equal(an->inc.sock_snaps.n, 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(an->diags.list.n, 1);
	assert_int_equal(an->diags.list.v[0].code, DIAG_UNKNOWN_FORMAT);
	assert_non_null(strstr(an->diags.list.v[0].msg, "ss -s"));
	analysis_free(an);
}

static void test_edges(void **state)
{
	(void)state;
	/* timestamp line first: line numbers stay those of the file */
	struct analysis *an = parse_exact("ss", "2026-11-25T18:41:43.987Z\n"
					  "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
					  "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*\r\n");
	assert_int_equal(n_rows(an), 1);
	assert_int_equal(snap0(an)->rows.v[0].src.line, 3);
	assert_string_equal(snap0(an)->rows.v[0].src.text, "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*");
	assert_false(isnan(snap0(an)->at));
	analysis_free(an);

	/* evidence text is capped */
	char big[2048];
	int n = snprintf(big, sizeof(big), "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*");
	for (int i = 0; i < 100; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, " sk:%d", i);
	an = parse_with(HDR_NEW, big);
	assert_int_equal(n_rows(an), 1);
	assert_true(strlen(snap0(an)->rows.v[0].src.text) <= 300);
	analysis_free(an);

	/* no trailing newline, a line cut anywhere */
	static const char full[] = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
				   "ESTAB 0 0 [::1]:8000 [::1]:5000 users:((\"a b\",pid=1,fd=2))";
	for (size_t cut = 0; cut <= sizeof(full) - 1; cut++) {
		char *copy = malloc(cut ? cut : 1);
		memcpy(copy, full, cut);
		an = malloc(sizeof(*an));
		analysis_init(an);
		analysis_parse_buffer(an, "cut.txt", "ss", copy, cut);
		free(copy);
		analysis_free(an);
	}

	/* empty input, blank lines, header only */
	an = parse_exact("ss", "");
	assert_int_equal(n_rows(an), 0);
	analysis_free(an);
	an = parse_exact("ss", HDR_NEW);
	assert_int_equal(an->inc.sock_snaps.n, 1);	/* an empty table is evidence too */
	assert_int_equal(n_rows(an), 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	analysis_free(an);
	an = parse_exact("ss", "hello world\n");
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	analysis_free(an);
}


/* ---- issue 14: what is saved around the table */

static size_t n_snaps(const struct analysis *an)
{
	return an->inc.sock_snaps.n;
}

static const struct sock_snapshot *snap_i(const struct analysis *an, size_t i)
{
	assert_true(i < an->inc.sock_snaps.n);
	return an->inc.sock_snaps.v[i];
}

/* Each saved table: noise lines around it, the rows all read, one
 * diagnostic (DIAG_SKIPPED, informational) for what was skipped. */
static const struct paste_case {
	const char *text;
	size_t rows, skipped_lines;
} paste_cases[] = {
	/* `ss -tanpie 2>&1` in a netns: iproute2's cgroup2 warning first */
	{ "root@h:~# ip netns exec app ss -tanpie 2>&1\n"
	  "Failed to find cgroup2 mount\nFailed to find cgroup2 mount\n"
	  "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
	  "LISTEN 129    128    0.0.0.0:8080 0.0.0.0:* users:((\"g\",pid=2,fd=5)) ino:1 sk:1 cgroup:unreachable:1 <->\n"
	  "\t skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d412) cubic cwnd:10\n"
	  "Failed to find cgroup2 mount\n"
	  "ESTAB  0      0      10.0.0.2:8080 10.0.0.1:5000\n", 2, 4 },
	/* a markdown fence, a RHEL prompt, the empty prompt after */
	{ "```text\n[root@web1 ~]# ss -ltn\n"
	  "State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	  "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n[root@web1 ~]# \n```\n", 1, 4 },
	/* the not-root apology and a bare command line */
	{ "ss -tanp\nCannot open netlink socket: Protocol not supported\n"
	  "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	  "ESTAB 0 0 1.2.3.4:22 5.6.7.8:9\n", 1, 2 },
	/* an issue form around it */
	{ "<details>\n<summary>ss</summary>\n\n```console\n$ ss -ltn\n"
	  "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	  "LISTEN 9 8 0.0.0.0:8000 0.0.0.0:*\n```\n</details>\n", 1, 6 },
	/* a paste indented by four blanks, no header: rows are rows, not
	 * continuation lines of the first */
	{ "    $ ss -tan\n    LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*\n"
	  "    ESTAB 0 0 127.0.0.1:8000 127.0.0.1:5000\n"
	  "    ESTAB 0 0 127.0.0.1:8000 127.0.0.1:5001\n", 3, 1 },
	/* indented by a tab, -i lines one tab deeper */
	{ "\t# ss -tni\n\tState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	  "\tESTAB 100 0 1.2.3.4:22 5.6.7.8:9\n\t\t cubic rcv_space:14480 snd_wnd:0\n"
	  "\tESTAB 0 0 1.2.3.4:22 5.6.7.8:10\n\t\t cubic rcv_space:29200\n", 2, 1 },
	/* another command's output between two ss outputs */
	{ "$ ss -ltn\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	  "LISTEN 129 128 0.0.0.0:443 0.0.0.0:*\n"
	  "$ sysctl net.core.somaxconn\nnet.core.somaxconn = 128\n"
	  "$ uptime\n 09:14:02 up 3 days,  2:01,  1 user,  load average: 0.51, 0.32, 0.30\n"
	  "$ ss -nt\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
	  "ESTAB 0 0 10.0.0.1:443 10.0.0.9:5000\n", 2, 6 },
};

static void test_paste(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(paste_cases) / sizeof(paste_cases[0]); i++) {
		const struct paste_case *tc = &paste_cases[i];
		struct analysis *an = parse_exact("ss", tc->text);
		size_t rows = 0;
		for (size_t k = 0; k < n_snaps(an); k++)
			rows += snap_i(an, k)->rows.n;
		if (rows != tc->rows)
			fail_msg("case %zu: %zu rows, want %zu", i, rows, tc->rows);
		if (diags_count(&an->diags, -1, DIAG_SEV_WARN))
			fail_msg("case %zu: warning '%s'", i, an->diags.list.v[0].msg);
		assert_int_equal(an->inputs.v[0].status, INPUT_OK);
		assert_int_equal(an->inputs.v[0].records, tc->rows);
		char want[32];
		snprintf(want, sizeof(want), "%zu line", tc->skipped_lines);
		bool found = false;
		for (size_t k = 0; k < an->diags.list.n; k++)
			found = found || (an->diags.list.v[k].code == DIAG_SKIPPED &&
					  strstr(an->diags.list.v[k].msg, want) == an->diags.list.v[k].msg +
					  strlen("skipped: "));
		if (!found)
			fail_msg("case %zu: no diagnostic counting %zu skipped lines", i,
				 tc->skipped_lines);
		analysis_free(an);
	}
	/* the tab-indented -i lines landed on their rows */
	struct analysis *an = parse_exact("ss", paste_cases[5].text);
	assert_int_equal(snap0(an)->rows.v[0].snd_wnd, 0);
	assert_int_equal(snap0(an)->rows.v[1].rcv_space, 29200);
	analysis_free(an);
}

/* Outputs appended to one file: one snapshot each, with its own time. */
static void test_appended(void **state)
{
	(void)state;
	/* while sleep 1; do date; ss -ltn; done > f */
	struct analysis *an = parse_exact("ss",
		"Wed Nov 25 09:14:02 UTC 2026\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 3 8 0.0.0.0:8000 0.0.0.0:*\n"
		"Wed Nov 25 09:14:03 AM UTC 2026\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 9 8 0.0.0.0:8000 0.0.0.0:*\n"
		"# epoch 1795598044\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 5 8 0.0.0.0:8000 0.0.0.0:*\n"
		"=== 09:14:05 ===\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 0 8 0.0.0.0:8000 0.0.0.0:*\n");
	assert_int_equal(n_snaps(an), 4);
	static const uint32_t rq[] = { 3, 9, 5, 0 };
	for (size_t i = 0; i < 4; i++) {
		const struct sock_snapshot *s = snap_i(an, i);
		assert_int_equal(s->rows.n, 1);
		assert_int_equal(s->rows.v[0].recv_q, rq[i]);
		assert_int_equal(s->seq, i);
		assert_int_equal(s->at_src, TIME_CONTENT);
		assert_true(fabs(s->at - (1795598042.0 + (double)i)) < 1e-6);
	}
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(count_diags(an, DIAG_NOTE), 1);	/* "4 outputs in one file" */
	analysis_free(an);

	/* watch: a title per screen in a zone we cannot place; the header
	 * repeated; a table whose rows are all garbage between them is left
	 * out, not kept as an empty table */
	an = parse_exact("ss",
		"\033[H\033[JEvery 1.0s: ss -ltn     web1: Wed Nov 25 09:14:02 2026\n\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
		"LISTEN 0 10 0.0.0.0:8000 0.0.0.0:*\n"
		"\033[H\033[JEvery 1.0s: ss -ltn     web1: Wed Nov 25 09:14:03 2026\n\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
		"LISTEN0 10 0.0.0.0:8000\n"
		"\033[H\033[JEvery 1.0s: ss -ltn     web1: Wed Nov 25 09:14:04 2026\n\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
		"LISTEN 11 10 0.0.0.0:8000 0.0.0.0:*\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
		"LISTEN 12 10 0.0.0.0:8000 0.0.0.0:*\n");
	assert_int_equal(n_snaps(an), 3);
	assert_int_equal(snap_i(an, 1)->rows.v[0].recv_q, 11);
	assert_int_equal(snap_i(an, 2)->rows.v[0].recv_q, 12);
	assert_true(snap_i(an, 0)->seq < snap_i(an, 1)->seq);
	assert_int_equal(an->inputs.v[0].records, 3);
	assert_int_equal(an->inputs.v[0].status, INPUT_PARTIAL);
	analysis_free(an);

	/* a new command line: its own options (-p) for its own output */
	an = parse_exact("ss",
		"$ ss -tanp\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"TIME-WAIT 0 0 1.2.3.4:80 5.6.7.8:9000\n"
		"$ ss -tan\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"TIME-WAIT 0 0 1.2.3.4:80 5.6.7.8:9001\n");
	assert_int_equal(n_snaps(an), 2);
	assert_true(snap_i(an, 0)->has_owners);
	assert_false(snap_i(an, 1)->has_owners);
	analysis_free(an);

	/* a state filter on the loop's command line names every output's state */
	an = parse_exact("ss",
		"$ while :; do echo \"# epoch $(date +%s)\"; ss -tn state close-wait; sleep 10; done\n"
		"# epoch 1795598042\nRecv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"1 0 10.0.0.1:8080 10.0.0.2:5000\n"
		"# epoch 1795598052\nRecv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"1 0 10.0.0.1:8080 10.0.0.2:5000\n1 0 10.0.0.1:8080 10.0.0.2:5001\n");
	assert_int_equal(n_snaps(an), 2);
	assert_int_equal(snap_i(an, 1)->rows.n, 2);
	assert_int_equal(snap_i(an, 1)->rows.v[1].state, TCP_CLOSE_WAIT);
	assert_true(fabs(snap_i(an, 1)->at - 1795598052.0) < 1e-6);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	analysis_free(an);

	/* a time of day past midnight after a dated snapshot: the next day */
	an = parse_exact("ss",
		"2026-11-25T23:59:59Z\nState Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 0 8 0.0.0.0:8000 0.0.0.0:*\n=== 00:00:01 ===\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 0 8 0.0.0.0:8000 0.0.0.0:*\n");
	assert_int_equal(n_snaps(an), 2);
	assert_true(fabs(snap_i(an, 1)->at - snap_i(an, 0)->at - 2.0) < 1e-6);
	analysis_free(an);
}

/* A file whose rows were all rejected is not read, and leaves no empty
 * snapshot that would read as "no sockets" (issue 14). */
static void test_all_rejected(void **state)
{
	(void)state;
	struct analysis *an = parse_exact("ss",
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN0128*:8000*:*\nESTAB0010.1.1.5:800010.1.7.3:40022\nCLOSE-WAIT1\n0\n");
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(an->inputs.v[0].records, 0);
	assert_int_equal(n_snaps(an), 0);
	analysis_free(an);
	/* a udp-only table: no TCP evidence, no empty TCP table either */
	an = parse_exact("ss", "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
			 "udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n");
	assert_int_equal(n_snaps(an), 0);
	assert_int_equal(an->inputs.v[0].records, 0);
	analysis_free(an);
	/* a header alone is an empty table: evidence of no socket */
	an = parse_exact("ss", "$ ss -tn state close-wait\n"
			 "Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n");
	assert_int_equal(n_snaps(an), 1);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	analysis_free(an);
}

/* Masked listeners still count: the accept queue of "********:443". */
static void test_masked_listener(void **state)
{
	(void)state;
	static const char text[] =
		"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
		"LISTEN 129 128 ********:443 *:*\n"
		"ESTAB 517 0 ********:443 <redacted>:51544\n";
	struct analysis *an = read_text_as_file("ss-masked.txt", text);
	assert_int_equal(an->inc.listeners.n, 1);
	const struct listener *l = an->inc.listeners.v[0];
	assert_string_equal(l->name, "********:443");
	assert_int_equal(l->backlog, 128);
	assert_int_equal(l->max_recv_q, 129);
	assert_int_equal(l->n_full_snapshots, 1);
	assert_true(l->addr.masked);
	const struct sock_row *r = &an->inc.sock_snaps.v[0]->rows.v[1];
	assert_ptr_equal(derive_listener_of(&an->inc, &r->local), l);
	assert_int_equal(count_diags(an, DIAG_UNKNOWN_FIELD), 1);
	analysis_free(an);
}

/* ---- real files */

static struct analysis *read_ss(const char *path, size_t rows)
{
	struct analysis *an = read_file_input(path);
	assert_int_equal(an->inputs.n, 1);
	assert_string_equal(an->inputs.v[0].kind, "ss");
	assert_int_equal(an->inc.sock_snaps.n, 1);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	if (s->rows.n != rows)
		fail_msg("%s: %zu rows, want %zu", path, s->rows.n, rows);
	assert_int_equal(an->inputs.v[0].records, rows);
	assert_true(s->listen_send_q_is_limit);
	for (size_t i = 0; i < s->rows.n; i++) {
		assert_non_null(s->rows.v[i].src.file);
		assert_true(s->rows.v[i].src.line > 0);
		assert_non_null(s->rows.v[i].src.text);
	}
	return an;
}

static size_t count_state(const struct sock_snapshot *s, int st)
{
	size_t n = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		n += s->rows.v[i].state == st;
	return n;
}

static const struct sock_row *row_at_line(const struct sock_snapshot *s, uint32_t line)
{
	for (size_t i = 0; i < s->rows.n; i++)
		if (s->rows.v[i].src.line == line)
			return &s->rows.v[i];
	fail_msg("no row at line %u", line);
	return NULL;
}

/* sos ss -peaonmi (iproute 4.18): all netids. awk '$1=="tcp"' -> 28 rows,
 * 15 LISTEN + 13 ESTAB; 167 other rows (49 nl, 1 raw, 32 u_dgr, 8 u_seq,
 * 69 u_str, 8 udp). */
static void test_corpus_sos(void **state)
{
	(void)state;
	char p[512];
	struct analysis *an =
		read_ss(shared_path(p, sizeof(p), "corpus/ss/sos-rhcos42-iproute-4.18.0-ss-peaonmi.txt"), 28);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_LISTEN), 15);
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 13);
	assert_true(s->has_owners);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	assert_non_null(strstr(an->diags.list.v[0].msg, "167 rows"));
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	/* line 183: rpc.statd, uid:29 ino:24910 */
	const struct sock_row *r = row_at_line(s, 183);
	assert_int_equal(r->uid, 29);
	assert_int_equal(r->inode, 24910);
	assert_string_equal(r->owners[0].comm, "rpc.statd");
	/* line 187: one socket, two owners (socket activation) */
	r = row_at_line(s, 187);
	assert_int_equal(r->n_owners, 2);
	assert_string_equal(r->owners[1].comm, "systemd");
	assert_int_equal(r->owners[1].pid, 1);
	assert_int_equal(r->owners[1].fd, 40);
	/* line 221: v4-mapped; its -i line 222 has rcv_space:28960 */
	r = row_at_line(s, 221);
	char b[80];
	assert_string_equal(ep(&r->local, b), "[::ffff:172.16.1.10]:2380");
	assert_int_equal(r->rcv_space, 28960);
	/* line 195 (-i on 196): retrans:0/1 */
	assert_int_equal(row_at_line(s, 195)->retrans, 0);
	analysis_free(an);
}

/* tcpmon ss -tanpmi, old iproute2, no Netid column. awk '/^[A-Z]/' ->
 * 1830 LISTEN, 763 ESTAB, 2332 TIME-WAIT, 13 FIN-WAIT-2, 8 CLOSE-WAIT, 1 LAST-ACK. */
static void test_corpus_tcpmon(void **state)
{
	(void)state;
	char p[512];
	struct analysis *an = read_ss(
		shared_path(p, sizeof(p), "corpus/ss/tcpmon-ss-tanpmi-envoy-reuseport-old-iproute2.txt"),
		4947);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_LISTEN), 1830);
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 763);
	assert_int_equal(count_state(s, TCP_TIME_WAIT), 2332);
	assert_int_equal(count_state(s, TCP_FIN_WAIT2), 13);
	assert_int_equal(count_state(s, TCP_CLOSE_WAIT), 8);
	assert_int_equal(count_state(s, TCP_LAST_ACK), 1);
	assert_int_equal(an->diags.list.n, 0);
	/* grep -n '"nginx",pid=6439,fd=7' -> line 498, three pre-forked owners of *:443 */
	const struct sock_row *r = row_at_line(s, 498);
	char b[80];
	assert_string_equal(ep(&r->local, b), "*:443");
	assert_int_equal(r->send_q, 128);
	assert_int_equal(r->n_owners, 3);
	assert_int_equal(r->owners[2].pid, 6437);
	analysis_free(an);
}

static void test_corpus_kerneldoc(void **state)
{
	(void)state;
	char p[512];
	/* "ss -o state established -i": no State column, the prompt names it */
	struct analysis *an = read_ss(
		shared_path(p, sizeof(p), "corpus/ss/kerneldoc-ss-o-state-established-i.txt"), 1);
	const struct sock_row *r = &an->inc.sock_snaps.v[0]->rows.v[0];
	assert_int_equal(r->state, TCP_ESTABLISHED);
	assert_int_equal(r->rcv_space, 29200);
	assert_int_equal(r->src.line, 3);
	/* the copied prompt line is skipped and counted, nothing else said */
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	analysis_free(an);

	an = read_ss(shared_path(p, sizeof(p), "corpus/ss/kerneldoc-ss-ta-filter.txt"), 2);
	assert_int_equal(an->inc.sock_snaps.v[0]->rows.v[1].peer.port, 9001);
	/* the copied prompt line is skipped and counted, nothing else said */
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	analysis_free(an);

	an = read_file_input(shared_path(p, sizeof(p), "corpus/ss/kerneldoc-ss-s-orphaned.txt"));
	assert_int_equal(an->inc.sock_snaps.n, 0);
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(count_diags(an, DIAG_UNKNOWN_FORMAT), 1);
	analysis_free(an);
}

/* Recorded on this machine by tests/data/sockets/record.sh: sockserver.py
 * on 127.0.0.1:18765 (backlog 4, three forked workers with hostile comms)
 * and [::1]:18765 (backlog 3). awk 'NR>1 && /^[A-Z]/{print $1}' ->
 * 3 LISTEN, 10 ESTAB, 2 CLOSE-WAIT, 2 FIN-WAIT-2; Recv-Q sum 706;
 * grep -c 'users:((' -> 10; grep -c ' ino:0 ' -> 6. */
static void test_recorded_tanpie(void **state)
{
	(void)state;
	struct analysis *an = read_ss("tests/data/sockets/ss-tanpie.txt", 17);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_LISTEN), 3);
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 10);
	assert_int_equal(count_state(s, TCP_CLOSE_WAIT), 2);
	assert_int_equal(count_state(s, TCP_FIN_WAIT2), 2);
	uint64_t recvq = 0;
	size_t with_owner = 0, no_inode = 0, with_rcv_space = 0;
	for (size_t i = 0; i < s->rows.n; i++) {
		recvq += s->rows.v[i].recv_q;
		with_owner += s->rows.v[i].n_owners > 0;
		no_inode += !s->rows.v[i].have_inode;
		with_rcv_space += s->rows.v[i].rcv_space >= 0;
	}
	assert_int_equal(recvq, 706);
	assert_int_equal(with_owner, 10);
	assert_int_equal(no_inode, 6);
	assert_int_equal(with_rcv_space, 12);	/* grep -c rcv_space: */
	assert_true(s->has_owners);
	assert_int_equal(an->diags.list.n, 0);

	/* line 4: the shared IPv4 listener, accept queue 3 of 4, four owners;
	 * ss cut each comm at its first ')' (it reads /proc/PID/stat) */
	const struct sock_row *r = row_at_line(s, 4);
	char b[80];
	assert_int_equal(r->state, TCP_LISTEN);
	assert_int_equal(r->recv_q, 3);
	assert_int_equal(r->send_q, 4);
	assert_string_equal(ep(&r->local, b), "127.0.0.1:18765");
	assert_int_equal(r->inode, 45506);
	assert_int_equal(r->n_owners, 4);
	assert_string_equal(r->owners[0].comm, "w \"2\"");
	assert_string_equal(r->owners[1].comm, "a\",pid=7,fd=8");
	assert_int_equal(r->owners[1].pid, 22148);
	assert_int_equal(r->owners[1].fd, 3);
	assert_string_equal(r->owners[2].comm, "w\xc3\xb6rker (1");
	assert_string_equal(r->owners[3].comm, "python3");
	assert_int_equal(r->owners[3].pid, 22105);
	/* line 26: the IPv6 listener, 1 of 3 */
	r = row_at_line(s, 26);
	assert_string_equal(ep(&r->local, b), "[::1]:18765");
	assert_int_equal(r->recv_q, 1);
	assert_int_equal(r->send_q, 3);
	/* line 6: CLOSE-WAIT held by the first worker, 101 bytes unread (100 + FIN) */
	r = row_at_line(s, 6);
	assert_int_equal(r->state, TCP_CLOSE_WAIT);
	assert_int_equal(r->recv_q, 101);
	assert_int_equal(r->owners[0].pid, 22147);
	assert_int_equal(r->rcv_space, 65483);
	assert_int_equal(r->snd_wnd, 65536);
	analysis_free(an);
}

static void test_recorded_ltn_tan(void **state)
{
	(void)state;
	struct analysis *an = read_ss("tests/data/sockets/ss-ltn.txt", 3);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_LISTEN), 3);
	assert_false(s->has_owners);	/* "Process" is in every new header, -p or not */
	assert_int_equal(row_at_line(s, 3)->recv_q, 3);
	assert_int_equal(row_at_line(s, 3)->send_q, 4);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);

	/* same moment as ss-tanpie.txt, without -pie: same states, same queues */
	an = read_ss("tests/data/sockets/ss-tan.txt", 17);
	s = an->inc.sock_snaps.v[0];
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 10);
	assert_int_equal(count_state(s, TCP_CLOSE_WAIT), 2);
	uint64_t recvq = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		recvq += s->rows.v[i].recv_q;
	assert_int_equal(recvq, 706);
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_diag_position),
		cmocka_unit_test(test_owners),
		cmocka_unit_test(test_has_owners),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_state_filter),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_paste),
		cmocka_unit_test(test_appended),
		cmocka_unit_test(test_all_rejected),
		cmocka_unit_test(test_masked_listener),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_corpus_sos),
		cmocka_unit_test(test_corpus_tcpmon),
		cmocka_unit_test(test_corpus_kerneldoc),
		cmocka_unit_test(test_recorded_tanpie),
		cmocka_unit_test(test_recorded_ltn_tan),
	};
	return cmocka_run_group_tests_name("parse_ss", tests, NULL, NULL);
}
