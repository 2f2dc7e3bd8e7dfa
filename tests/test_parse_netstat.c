/* test_parse_netstat.c — parse_netstat.c: net-tools `netstat -ant[p]` with
 * -W -e -o, rows good and bad side by side (STYLE.md §11), the program
 * column with blanks, and real outputs (../shared/corpus/netstat/,
 * tests/data/sockets/netstat-antp.txt recorded by record.sh). */
#include "testutil.h"

#define ACTIVE "Active Internet connections (servers and established)\n"
static const char H_PLAIN[] =
	ACTIVE "Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n";
static const char H_P[] =
	ACTIVE "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n";
static const char H_EPO[] =
	ACTIVE "Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name     Timer\n";
static const char H_E[] =
	ACTIVE "Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode     \n";
static const char H_O[] =
	ACTIVE "Proto Recv-Q Send-Q Local Address           Foreign Address         State       Timer\n";

static struct analysis *parse_exact(const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, text, n);
	struct analysis *an = malloc(sizeof(*an));
	assert_non_null(an);
	analysis_init(an);
	analysis_parse_buffer(an, "test.txt", "netstat", copy, n);
	free(copy);
	return an;
}

static size_t n_rows(const struct analysis *an)
{
	return an->inc.sock_snaps.n ? an->inc.sock_snaps.v[0]->rows.n : 0;
}

static const char *ep(const struct endpoint *e, char *buf)
{
	return endpoint_format(e, buf, 80);
}

static const struct nc {
	const char *hdr;
	const char *line;
	int rows;
	int st;
	uint32_t rq, sq;
	const char *local, *peer;
	int32_t pid;		/* owner, 0 = none */
	const char *comm;
	int64_t uid;
	uint64_t inode;
	int diag;		/* -1 none */
} cases[] = {
	{ H_PLAIN, "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN", 1,
	  TCP_LISTEN, 0, 0, "0.0.0.0:22", "0.0.0.0:*", 0, NULL, -1, 0, -1 },
	/* LISTEN Recv-Q = accept-queue length; Send-Q is always 0 here */
	{ H_PLAIN, "tcp        6      0 127.0.0.1:8000          0.0.0.0:*               LISTEN", 1,
	  TCP_LISTEN, 6, 0, "127.0.0.1:8000", "0.0.0.0:*", 0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp6       0      0 :::22                   :::*                    LISTEN", 1,
	  TCP_LISTEN, 0, 0, "[::]:22", "[::]:*", 0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp6       0      0 ::1:631                 :::*                    LISTEN", 1,
	  TCP_LISTEN, 0, 0, "[::1]:631", "[::]:*", 0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp6       0      0 ::ffff:127.0.0.1:8000   ::ffff:127.0.0.1:5000   ESTABLISHED", 1,
	  TCP_ESTABLISHED, 0, 0, "[::ffff:127.0.0.1]:8000", "[::ffff:127.0.0.1]:5000", 0, NULL, -1,
	  0, -1 },
	/* net-tools tcp_state[] spellings */
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 SYN_SENT", 1, TCP_SYN_SENT, 0, 0, NULL, NULL, 0,
	  NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 SYN_RECV", 1, TCP_SYN_RECV, 0, 0, NULL, NULL, 0,
	  NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 FIN_WAIT1", 1, TCP_FIN_WAIT1, 0, 0, NULL, NULL,
	  0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 FIN_WAIT2", 1, TCP_FIN_WAIT2, 0, 0, NULL, NULL,
	  0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 TIME_WAIT", 1, TCP_TIME_WAIT, 0, 0, NULL, NULL,
	  0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 CLOSE", 1, TCP_CLOSE, 0, 0, NULL, NULL, 0, NULL,
	  -1, 0, -1 },
	{ H_PLAIN, "tcp 9 0 1.2.3.4:80 5.6.7.8:5000 CLOSE_WAIT", 1, TCP_CLOSE_WAIT, 9, 0, NULL, NULL,
	  0, NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 1 1.2.3.4:80 5.6.7.8:5000 LAST_ACK", 1, TCP_LAST_ACK, 0, 1, NULL, NULL, 0,
	  NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 1 1.2.3.4:80 5.6.7.8:5000 CLOSING", 1, TCP_CLOSING, 0, 1, NULL, NULL, 0,
	  NULL, -1, 0, -1 },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000 UNKNOWN", 1, TCP_STATE_UNKNOWN, 0, 0, NULL, NULL,
	  0, NULL, -1, 0, DIAG_UNKNOWN_STATE },
	/* bad rows */
	{ H_PLAIN, "tcp x 0 1.2.3.4:80 5.6.7.8:5000 ESTABLISHED", 0, 0, 0, 0, NULL, NULL, 0, NULL, -1,
	  0, DIAG_BAD_NUMBER },
	{ H_PLAIN, "tcp 0 99999999999 1.2.3.4:80 5.6.7.8:5000 ESTABLISHED", 0, 0, 0, 0, NULL, NULL, 0,
	  NULL, -1, 0, DIAG_BAD_NUMBER },
	{ H_PLAIN, "tcp 0 0 1.2.3:80 5.6.7.8:5000 ESTABLISHED", 0, 0, 0, 0, NULL, NULL, 0, NULL, -1,
	  0, DIAG_BAD_ADDRESS },
	{ H_PLAIN, "tcp 0 0 1.2.3.4:80 5.6.7.8:5000", 0, 0, 0, 0, NULL, NULL, 0, NULL, -1, 0,
	  DIAG_BAD_LINE },
	{ H_PLAIN, "foo bar baz", 0, 0, 0, 0, NULL, NULL, 0, NULL, -1, 0, DIAG_BAD_LINE },
	/* other protocols: skipped and counted */
	{ H_PLAIN, "udp        0      0 0.0.0.0:68              0.0.0.0:*", 0, 0, 0, 0, NULL, NULL,
	  0, NULL, -1, 0, DIAG_SKIPPED },
	{ H_PLAIN, "raw6       0      0 :::58                   :::*                    7", 0, 0, 0,
	  0, NULL, NULL, 0, NULL, -1, 0, DIAG_SKIPPED },
	/* -p */
	{ H_P, "tcp        0      0 0.0.0.0:8000            0.0.0.0:*               LISTEN      1764/python", 1,
	  TCP_LISTEN, 0, 0, NULL, NULL, 1764, "python", -1, 0, -1 },
	{ H_P, "tcp        0      0 10.0.0.1:22             10.0.0.2:5000           ESTABLISHED 1790/sshd: root@not", 1,
	  TCP_ESTABLISHED, 0, 0, NULL, NULL, 1790, "sshd: root@not", -1, 0, -1 },
	{ H_P, "tcp        0      0 10.0.0.1:22             10.0.0.2:5000           TIME_WAIT   -                   ", 1,
	  TCP_TIME_WAIT, 0, 0, NULL, NULL, 0, NULL, -1, 0, -1 },
	{ H_P, "tcp        0      0 10.0.0.1:22             10.0.0.2:5000           ESTABLISHED abc/def", 1,
	  TCP_ESTABLISHED, 0, 0, NULL, NULL, 0, NULL, -1, 0, DIAG_BAD_LINE },
	/* -W -e -o -p (sos netstat -W -neopa) */
	{ H_EPO, "tcp        0      0 172.16.1.10:22          172.16.1.1:41282        ESTABLISHED 0          150882     3002/sshd: core [pr  keepalive (7074.91/0/0)", 1,
	  TCP_ESTABLISHED, 0, 0, "172.16.1.10:22", "172.16.1.1:41282", 3002, "sshd: core [pr", 0,
	  150882, -1 },
	{ H_EPO, "tcp        0      0 0.0.0.0:39681           0.0.0.0:*               LISTEN      29         24910      1079/rpc.statd       off (0.00/0/0)", 1,
	  TCP_LISTEN, 0, 0, NULL, NULL, 1079, "rpc.statd", 29, 24910, -1 },
	{ H_EPO, "tcp        0      0 1.2.3.4:80              5.6.7.8:9000            TIME_WAIT   0          0          -                    timewait (52.10/0/0)", 1,
	  TCP_TIME_WAIT, 0, 0, NULL, NULL, 0, NULL, 0, 0, -1 },
	/* -e only, -o only */
	{ H_E, "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      1000       12345     ", 1,
	  TCP_LISTEN, 0, 0, NULL, NULL, 0, NULL, 1000, 12345, -1 },
	{ H_O, "tcp        0      0 1.2.3.4:22              5.6.7.8:5000            ESTABLISHED keepalive (6.63/0/0)", 1,
	  TCP_ESTABLISHED, 0, 0, NULL, NULL, 0, NULL, -1, 0, -1 },
	/* no header at all: columns guessed from their shape */
	{ NULL, "tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN 0 22405 1026/sshd off (0.00/0/0)", 1, TCP_LISTEN,
	  0, 0, NULL, NULL, 1026, "sshd", 0, 22405, -1 },
	{ NULL, "tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN 1026/sshd", 1, TCP_LISTEN, 0, 0, NULL, NULL,
	  1026, "sshd", -1, 0, -1 },
	/* issue 14: without -n, names (INET_rresolve() prints "*" for 0.0.0.0;
	 * services from the built-in table; host names kept, cut as netstat
	 * cuts them to its 23-byte column) */
	{ H_PLAIN, "tcp      129      0 *:http-alt              *:*                     LISTEN     ", 1,
	  TCP_LISTEN, 129, 0, "*:8080", "*:*", 0, NULL, -1, 0, DIAG_UNKNOWN_FIELD },
	{ H_PLAIN, "tcp        1      0 localhost:http-alt      localhost:51234         CLOSE_WAIT ", 1,
	  TCP_CLOSE_WAIT, 1, 0, "localhost:8080", "localhost:51234", 0, NULL, -1, 0,
	  DIAG_UNKNOWN_FIELD },
	{ H_PLAIN, "tcp6       0      0 [::]:http               [::]:*                  LISTEN     ", 1,
	  TCP_LISTEN, 0, 0, "[::]:80", "[::]:*", 0, NULL, -1, 0, DIAG_UNKNOWN_FIELD },
	{ H_PLAIN, "tcp6       0      0 :::https                :::*                    LISTEN     ", 1,
	  TCP_LISTEN, 0, 0, "[::]:443", "[::]:*", 0, NULL, -1, 0, DIAG_UNKNOWN_FIELD },
	{ H_PLAIN, "tcp        0      0 localhost.localdo:35450 lb-192-30-255-112:https ESTABLISHED", 1,
	  TCP_ESTABLISHED, 0, 0, "localhost.localdo:35450", "lb-192-30-255-112:443", 0, NULL, -1, 0,
	  DIAG_UNKNOWN_FIELD },
	{ H_EPO, "tcp        0      0 localhost:smtp          0.0.0.0:*               LISTEN      root       22606      1489/master         ", 1,
	  TCP_LISTEN, 0, 0, "localhost:25", "0.0.0.0:*", 1489, "master", -1, 22606,
	  DIAG_UNKNOWN_FIELD },
	/* masked by the reporter (LinEnum#37 masks the last byte) */
	{ H_P, "tcp        0      0 192.168.1.x:48342       172.217.23.x:443        ESTABLISHED 2513/firefox-esr", 1,
	  TCP_ESTABLISHED, 0, 0, "192.168.1.x:48342", "172.217.23.x:443", 2513, "firefox-esr", -1, 0,
	  DIAG_UNKNOWN_FIELD },
	{ H_PLAIN, "tcp      129      0 x.x.x.x:443             0.0.0.0:*               LISTEN     ", 1,
	  TCP_LISTEN, 129, 0, "x.x.x.x:443", "0.0.0.0:*", 0, NULL, -1, 0, DIAG_UNKNOWN_FIELD },
	/* a port name nobody knows: the row stays, the port is unknown */
	{ H_PLAIN, "tcp        0      0 web1:zz-custom          10.0.0.2:5000           ESTABLISHED", 1,
	  TCP_ESTABLISHED, 0, 0, "web1:zz-custom", "10.0.0.2:5000", 0, NULL, -1, 0,
	  DIAG_UNKNOWN_FIELD },
	/* not an address */
	{ H_PLAIN, "tcp 0 0 1.2.3.4:9x9 5.6.7.8:5000 ESTABLISHED", 0, 0, 0, 0, NULL, NULL, 0, NULL, -1,
	  0, DIAG_BAD_ADDRESS },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct nc *tc = &cases[i];
		char buf[2048], a[80], b[80];
		snprintf(buf, sizeof(buf), "%s%s\n", tc->hdr ? tc->hdr : "", tc->line);
		struct analysis *an = parse_exact(buf);
		if (n_rows(an) != (size_t)tc->rows)
			fail_msg("case %zu '%s': %zu rows, want %d", i, tc->line, n_rows(an), tc->rows);
		if (tc->rows) {
			const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
			const struct sock_row *r = &s->rows.v[0];
			assert_false(s->listen_send_q_is_limit);
			assert_int_equal(r->state, tc->st);
			assert_int_equal(r->recv_q, tc->rq);
			assert_int_equal(r->send_q, tc->sq);
			if (tc->local)
				assert_string_equal(ep(&r->local, a), tc->local);
			if (tc->peer)
				assert_string_equal(ep(&r->peer, b), tc->peer);
			if (tc->pid) {
				assert_int_equal(r->n_owners, 1);
				assert_int_equal(r->owners[0].pid, tc->pid);
				assert_int_equal(r->owners[0].fd, -1);
				assert_string_equal(r->owners[0].comm, tc->comm);
			} else {
				assert_int_equal(r->n_owners, 0);
			}
			assert_int_equal(r->uid, tc->uid);
			assert_int_equal(r->have_inode, tc->inode != 0);
			if (tc->inode)
				assert_int_equal(r->inode, tc->inode);
			assert_int_equal(r->src.line, tc->hdr ? 3 : 1);
			assert_non_null(r->src.text);
			if (tc->hdr == H_P || tc->hdr == H_EPO)
				assert_true(s->has_owners);
		}
		if (tc->diag >= 0) {
			if (count_diags(an, (enum diag_code)tc->diag) != 1)
				fail_msg("case %zu '%s': want one diag %s", i, tc->line,
					 diag_code_text((enum diag_code)tc->diag));
		} else if (diags_count(&an->diags, -1, DIAG_SEV_INFO) != 0) {
			fail_msg("case %zu '%s': unexpected diag '%s'", i, tc->line,
				 an->diags.list.v[0].msg);
		}
		analysis_free(an);
	}
}

static void test_sections(void **state)
{
	(void)state;
	/* not root: two lines of apology, then the table; UNIX section skipped */
	struct analysis *an = parse_exact(
		"$ netstat -antp\n"
		"(Not all processes could be identified, non-owned process info\n"
		" will not be shown, you would have to be root to see it all.)\n"
		"Active Internet connections (servers and established)\n"
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n"
		"tcp        0      0 127.0.0.1:8000          0.0.0.0:*               LISTEN      -                   \n"
		"tcp        0      0 127.0.0.1:8000          1.2.3.4:9x9             ESTABLISHED -                   \n"
		"Active UNIX domain sockets (servers and established)\n"
		"Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path\n"
		"unix  2      [ ACC ]     STREAM     LISTENING     22417    1/systemd            /run/x\n"
		"unix  3      [ ]         STREAM     CONNECTED     1234     -                    \n");
	assert_int_equal(n_rows(an), 1);
	assert_true(an->inc.sock_snaps.v[0]->has_owners);
	/* the udp rows and the copied prompt: skipped, counted */
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 2);
	assert_int_equal(count_diags(an, DIAG_BAD_ADDRESS), 1);
	const struct diag *d = NULL;
	for (size_t i = 0; i < an->diags.list.n; i++)
		if (an->diags.list.v[i].code == DIAG_BAD_ADDRESS)
			d = &an->diags.list.v[i];
	assert_int_equal(d->line, 7);
	assert_non_null(strstr(d->msg, "Foreign Address '1.2.3.4:9x9'"));
	assert_int_equal(an->inputs.v[0].status, INPUT_PARTIAL);
	analysis_free(an);

	an = parse_exact("");
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	analysis_free(an);
	an = parse_exact("just some text\n");
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(an->inc.sock_snaps.n, 0);
	analysis_free(an);

	/* cut anywhere: never a read past the buffer */
	static const char full[] =
		"Proto Recv-Q Send-Q Local Address Foreign Address State User Inode PID/Program name Timer\n"
		"tcp 0 0 1.2.3.4:22 5.6.7.8:9 ESTABLISHED 0 150882 3002/sshd: core [pr  keepalive (7074.91/0/0)";
	for (size_t cut = 0; cut < sizeof(full); cut++) {
		char *copy = malloc(cut ? cut : 1);
		memcpy(copy, full, cut);
		an = malloc(sizeof(*an));
		analysis_init(an);
		analysis_parse_buffer(an, "cut.txt", "netstat", copy, cut);
		free(copy);
		analysis_free(an);
	}
}


/* ---- issue 14: saved as people save it */

static const struct sock_snapshot *snap_i(const struct analysis *an, size_t i)
{
	assert_true(i < an->inc.sock_snaps.n);
	return an->inc.sock_snaps.v[i];
}

static void test_saved(void **state)
{
	(void)state;
	/* a fence, a prompt, stderr of an unprivileged run: rows all read */
	struct analysis *an = parse_exact(
		"```\n[deploy@app01 ~]$ netstat -at\n"
		"netstat: no support for `AF INET (tcp)' on this system.\n"
		"Active Internet connections (servers and established)\n"
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n"
		"tcp      129      0 *:http-alt              *:*                     LISTEN     \n"
		"tcp        1      0 app01.example.c:http-alt 10.20.0.31:49122       CLOSE_WAIT \n"
		"```\n");
	assert_int_equal(n_rows(an), 2);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);	/* 4 lines of noise */
	assert_int_equal(count_diags(an, DIAG_UNKNOWN_FIELD), 1);	/* one line for the file */
	analysis_free(an);

	/* two outputs appended by a loop, a date line before each */
	an = parse_exact(
		"Wed Nov 25 09:14:02 UTC 2026\n" ACTIVE
		"Proto Recv-Q Send-Q Local Address Foreign Address State\n"
		"tcp 3 0 0.0.0.0:8000 0.0.0.0:* LISTEN\n"
		"Active UNIX domain sockets (servers and established)\n"
		"Proto RefCnt Flags Type State I-Node Path\n"
		"unix 2 [ ACC ] STREAM LISTENING 22417 /run/x\n"
		"Wed Nov 25 09:14:12 UTC 2026\n" ACTIVE
		"Proto Recv-Q Send-Q Local Address Foreign Address State\n"
		"tcp 9 0 0.0.0.0:8000 0.0.0.0:* LISTEN\n"
		"tcp 1 0 10.0.0.1:8000 10.0.0.2:5000 CLOSE_WAIT\n");
	assert_int_equal(an->inc.sock_snaps.n, 2);
	assert_int_equal(snap_i(an, 0)->rows.n, 1);
	assert_int_equal(snap_i(an, 1)->rows.n, 2);
	assert_int_equal(snap_i(an, 1)->rows.v[0].recv_q, 9);
	assert_true(snap_i(an, 1)->at - snap_i(an, 0)->at > 9.9);
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	analysis_free(an);

	/* the same without date lines: "Active Internet" again begins the next */
	an = parse_exact(ACTIVE "Proto Recv-Q Send-Q Local Address Foreign Address State\n"
			 "tcp 3 0 0.0.0.0:8000 0.0.0.0:* LISTEN\n"
			 ACTIVE "Proto Recv-Q Send-Q Local Address Foreign Address State\n"
			 "tcp 4 0 0.0.0.0:8000 0.0.0.0:* LISTEN\n");
	assert_int_equal(an->inc.sock_snaps.n, 2);
	analysis_free(an);

	/* every row garbage: not read, no empty table left behind */
	an = parse_exact(ACTIVE "Proto Recv-Q Send-Q Local Address Foreign Address State\n"
			 "tcp zz 0 0.0.0.0:8000 0.0.0.0:* LISTEN\ntcp 0\n");
	assert_int_equal(an->inputs.v[0].status, INPUT_ERROR);
	assert_int_equal(an->inc.sock_snaps.n, 0);
	analysis_free(an);

	/* the apology after the table still says -p was given */
	an = parse_exact("Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name\n"
			 "tcp 0 0 1.2.3.4:22 5.6.7.8:9 TIME_WAIT -\n"
			 "(Not all processes could be identified, non-owned process info\n"
			 " will not be shown, you would have to be root to see it all.)\n");
	assert_true(snap_i(an, 0)->has_owners);
	assert_int_equal(an->inputs.v[0].status, INPUT_OK);
	analysis_free(an);
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

/* sos netstat -W -neopa: awk '$1=="tcp"||$1=="tcp6"' -> 28 rows; the rest:
 * 5 udp, 3 udp6, 1 raw6, 109 unix = 118 skipped. */
static void test_corpus_sos(void **state)
{
	(void)state;
	char p[512];
	struct analysis *an = read_file_input(
		shared_path(p, sizeof(p), "corpus/netstat/sos-rhcos42-net-tools-2.0-netstat-W-neopa.txt"));
	assert_string_equal(an->inputs.v[0].kind, "netstat");
	assert_int_equal(an->inc.sock_snaps.n, 1);
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(s->rows.n, 28);
	assert_int_equal(an->inputs.v[0].records, 28);
	assert_int_equal(count_state(s, TCP_LISTEN), 15);
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 13);
	assert_true(s->has_owners);
	assert_false(s->listen_send_q_is_limit);
	assert_int_equal(count_diags(an, DIAG_SKIPPED), 1);
	assert_non_null(strstr(an->diags.list.v[0].msg, "118 rows"));
	assert_int_equal(diags_count(&an->diags, -1, DIAG_SEV_WARN), 0);
	/* line 13: the program name cut to 19 bytes, with blanks */
	const struct sock_row *r = row_at_line(s, 13);
	assert_string_equal(r->owners[0].comm, "sshd: core [pr");
	assert_int_equal(r->owners[0].pid, 3002);
	assert_int_equal(r->inode, 150882);
	/* line 6: uid 29 (rpc.statd) */
	assert_int_equal(row_at_line(s, 6)->uid, 29);
	char b[80];
	assert_string_equal(endpoint_format(&row_at_line(s, 16)->local, b, sizeof(b)), "[::]:22");
	analysis_free(an);
}

/* Recorded by tests/data/sockets/record.sh at the same moment as ss-tanpie.txt:
 * awk '$1~/^tcp/{print $6}' -> 3 LISTEN, 10 ESTABLISHED, 2 CLOSE_WAIT,
 * 2 FIN_WAIT2; awk '$1~/^tcp/ && $7!="-"' -> 10 rows with an owner. */
static void test_recorded(void **state)
{
	(void)state;
	struct analysis *an = read_file_input("tests/data/sockets/netstat-antp.txt");
	assert_string_equal(an->inputs.v[0].kind, "netstat");
	const struct sock_snapshot *s = an->inc.sock_snaps.v[0];
	assert_int_equal(s->rows.n, 17);
	assert_int_equal(count_state(s, TCP_LISTEN), 3);
	assert_int_equal(count_state(s, TCP_ESTABLISHED), 10);
	assert_int_equal(count_state(s, TCP_CLOSE_WAIT), 2);
	assert_int_equal(count_state(s, TCP_FIN_WAIT2), 2);
	size_t owned = 0;
	for (size_t i = 0; i < s->rows.n; i++)
		owned += s->rows.v[i].n_owners;
	assert_int_equal(owned, 10);
	/* line 4: the IPv4 listener: accept queue 3; Send-Q 0 (the limit, 4, is not shown) */
	const struct sock_row *r = row_at_line(s, 4);
	assert_int_equal(r->state, TCP_LISTEN);
	assert_int_equal(r->recv_q, 3);
	assert_int_equal(r->send_q, 0);
	assert_int_equal(r->owners[0].pid, 22105);
	assert_string_equal(r->owners[0].comm, "python3");
	/* line 15: tcp6 ::1:18765 */
	char b[80];
	assert_string_equal(endpoint_format(&row_at_line(s, 15)->local, b, sizeof(b)), "[::1]:18765");
	assert_int_equal(an->diags.list.n, 0);
	analysis_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_saved),
		cmocka_unit_test(test_corpus_sos),
		cmocka_unit_test(test_recorded),
	};
	return cmocka_run_group_tests_name("parse_netstat", tests, NULL, NULL);
}
