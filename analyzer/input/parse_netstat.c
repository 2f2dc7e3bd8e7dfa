/* parse_netstat.c — net-tools `netstat -ant[p]` socket tables, with any of
 * -W (wide addresses), -e (User, Inode), -o (Timer), -p (PID/Program name).
 *
 *   Active Internet connections (servers and established)
 *   Proto Recv-Q Send-Q Local Address  Foreign Address  State  User Inode  PID/Program name  Timer
 *   tcp        0      0 0.0.0.0:22     0.0.0.0:*        LISTEN 0    22405  1026/sshd         off (0.00/0/0)
 *   tcp6       0      0 :::22          :::*             LISTEN 0    22414  1026/sshd         off (0.00/0/0)
 *   Active UNIX domain sockets (servers and established)
 *   Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path
 *
 * Without -n, addresses and ports are names ("localhost:http-alt",
 * "*:https", "[::]:http"; INET_rresolve() in lib/inet.c prints "*" for
 * 0.0.0.0): ports are read from a built-in service table, host names kept
 * as shown (socktable.h). What is saved around the table (prompts, fences,
 * stderr) is skipped and counted (noise.h); outputs appended to one file
 * are read as one snapshot each.
 *
 * Only tcp and tcp6 rows become sock_rows; udp, raw and the UNIX-domain
 * section are counted and skipped. The program field is "pid/" + argv[0]
 * cut to 19 bytes (PROGNAME_WIDTH in net-tools netstat.c), so it may hold
 * blanks and colons ("3002/sshd: core [pr").
 *
 * netstat reads /proc/net/tcp: for LISTEN, Recv-Q is the accept-queue length
 * (sk_ack_backlog) and Send-Q is 0, not the limit (get_tcp4_sock(),
 * net/ipv4/tcp_ipv4.c): snapshot->listen_send_q_is_limit = false. */
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"
#include "noise.h"
#include "socktable.h"

struct netstat_parser {
	struct analysis *an;
	struct input *in;
	struct textcur c;
	struct socktable tab;
	bool header;		/* an Internet-section header was seen */
	bool col_user, col_inode, col_prog, col_timer;
	bool cmd_p;		/* -p seen: header, command line or an owner */
	bool other_section;	/* inside "Active UNIX domain sockets" and the like */
	uint64_t rows, skipped;
	uint32_t first_skipped_line;
	const char *first_skipped;
};

static bool netstat_is_digits(struct span s)
{
	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

static struct sock_snapshot *netstat_snapshot(struct netstat_parser *ps)
{
	struct sock_snapshot *s = socktable_snapshot(&ps->tab);
	s->listen_send_q_is_limit = false;
	s->has_owners = s->has_owners || ps->cmd_p;
	return s;
}

/* "user@host:~$ netstat -antp", "# netstat -W -neopa": -p shows owners */
static void netstat_command(struct netstat_parser *ps, struct span args)
{
	struct span rest = args, tok;
	ps->cmd_p = false;
	while (span_token(&rest, &tok))
		if (span_eq(tok, "--program") ||
		    (tok.n > 1 && tok.p[0] == '-' && tok.p[1] != '-' && memchr(tok.p, 'p', tok.n)))
			ps->cmd_p = true;
}

/* A new output: "Active Internet connections" after rows, a command line
 * or a time line. */
static void netstat_new_table(struct netstat_parser *ps)
{
	ps->header = false;
	ps->other_section = false;
}

/* The column header of the Internet section. */
static bool netstat_header(struct netstat_parser *ps, struct span t)
{
	if (!span_starts(t, "Proto ") || !span_contains(t, "Recv-Q"))
		return false;
	/* after rows, the header again: the next output */
	socktable_header(&ps->tab);
	ps->header = true;
	ps->other_section = false;
	ps->col_user = span_contains(t, " User ");
	ps->col_inode = span_contains(t, " Inode ") || span_contains(t, " Inode");
	ps->col_prog = span_contains(t, "PID/Program");
	ps->col_timer = span_contains(t, "Timer");
	if (ps->col_prog)
		ps->cmd_p = true;
	netstat_snapshot(ps);
	return true;
}

/* "off (0.00/0/0)", "keepalive (6.63/0/0)", "on (0.20/1/0)", "timewait (...)" */
static bool netstat_is_timer(struct span name, struct span val)
{
	return name.n && val.n >= 2 && val.p[0] == '(' && val.p[val.n - 1] == ')' &&
	       memchr(val.p, '/', val.n);
}

static void netstat_skip_row(struct netstat_parser *ps, struct span proto)
{
	ps->skipped++;
	socktable_other(&ps->tab);
	if (!ps->first_skipped) {
		ps->first_skipped = arena_strndup(&ps->an->arena, proto.p, proto.n > 16 ? 16 : proto.n);
		ps->first_skipped_line = ps->c.line;
	}
}

/* "1764/python", "1790/sshd: root@not", "-" */
static bool netstat_owner(struct netstat_parser *ps, struct span prog, struct sock_row *row)
{
	struct arena *a = &ps->an->arena;
	if (span_eq(prog, "-"))
		return true;
	size_t i = 0;
	while (i < prog.n && prog.p[i] >= '0' && prog.p[i] <= '9')
		i++;
	uint64_t pid;
	if (i == 0 || i == prog.n || prog.p[i] != '/' || !span_u64(span_make(prog.p, i), &pid) ||
	    pid > INT32_MAX)
		return false;
	struct sock_owner *o = arena_alloc(a, sizeof(*o));
	o->pid = (int32_t)pid;
	o->fd = -1;
	o->comm = arena_strndup(a, prog.p + i + 1, prog.n - i - 1);
	row->owners = o;
	row->n_owners = 1;
	ps->cmd_p = true;
	return true;
}

static bool netstat_prog_shape(struct span t)
{
	if (span_eq(t, "-"))
		return true;
	size_t i = 0;
	while (i < t.n && t.p[i] >= '0' && t.p[i] <= '9')
		i++;
	return i > 0 && i < t.n && t.p[i] == '/';
}

/* After State: [User Inode] [PID/Program name] [Timer]. */
static void netstat_tail(struct netstat_parser *ps, struct span rest, struct sock_row *row)
{
	struct analysis *an = ps->an;
	struct span tok[64];
	size_t n = 0;
	struct span r = rest;
	while (n < 64 && span_token(&r, &tok[n]))
		n++;
	if (n >= 2 && netstat_is_timer(tok[n - 2], tok[n - 1]))
		n -= 2;
	if (n == 0)
		return;
	size_t i = 0;
	bool user_inode = ps->header ? ps->col_user || ps->col_inode
				     : n >= 2 && !netstat_prog_shape(tok[0]) &&
					       netstat_is_digits(tok[1]);
	if (user_inode) {
		size_t want = ps->header ? (size_t)ps->col_user + (size_t)ps->col_inode : 2;
		if (want == 2 || ps->col_user) {
			int64_t uid;
			if (span_i64(tok[0], &uid))	/* -n: numeric; names stay unknown */
				row->uid = uid;
		}
		if (want == 2 || ps->col_inode) {
			struct span ino = tok[want == 2 ? 1 : 0];
			uint64_t v;
			if (n > want - 1 && span_u64(ino, &v)) {
				row->have_inode = v > 0;
				row->inode = v;
			}
		}
		i = want < n ? want : n;
	}
	if (i >= n)
		return;
	if (ps->header && !ps->col_prog)
		return;	/* nothing else is documented there */
	struct span prog = span_make(tok[i].p, (size_t)(tok[n - 1].p + tok[n - 1].n - tok[i].p));
	if (!netstat_owner(ps, prog, row))
		diag_add(&an->diags, DIAG_BAD_LINE, ps->in->display, ps->c.line,
			 textcur_offset(&ps->c, &prog), "PID/Program name '%.*s'",
			 (int)(prog.n > 40 ? 40 : prog.n), prog.p);
}

/* False when the row could not be read (after its diagnostic). */
static bool netstat_row_read(struct netstat_parser *ps, struct span line)
{
	struct analysis *an = ps->an;
	const char *file = ps->in->display;
	uint32_t ln = ps->c.line;
	struct span rest = line, proto;
	struct sock_row row;

	memset(&row, 0, sizeof(row));
	row.uid = -1;
	row.rcv_space = row.snd_wnd = row.rcv_wnd = row.retrans = row.backoff = -1;
	if (!span_token(&rest, &proto))
		return true;
	if (!span_eq(proto, "tcp") && !span_eq(proto, "tcp6")) {
		static const char *const others[] = { "udp", "udp6", "udpl", "udpl6", "raw", "raw6",
						      "unix", "sctp", "sctp6", "ipx", "ax25", "netrom",
						      "x25", "ddp", "bt", "l2cap", "rfcomm" };
		bool known = ps->other_section;
		for (size_t i = 0; !known && i < sizeof(others) / sizeof(others[0]); i++)
			known = span_eq(proto, others[i]);
		if (known) {
			netstat_skip_row(ps, proto);
			return true;
		}
		diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &proto),
			 "Proto '%.*s'", (int)(proto.n > 40 ? 40 : proto.n), proto.p);
		return false;
	}

	static const char *const cols[] = { "Recv-Q", "Send-Q", "Local Address", "Foreign Address",
					    "State" };
	struct span f[5];
	for (int i = 0; i < 5; i++) {
		if (!span_token(&rest, &f[i])) {
			f[i] = span_make(rest.p, 0);
			diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &f[i]),
				 "row ends before '%s'", cols[i]);
			return false;
		}
	}
	if (!span_u32(f[0], &row.recv_q) || !span_u32(f[1], &row.send_q)) {
		int i = span_u32(f[0], &row.recv_q) ? 1 : 0;
		diag_add(&an->diags, DIAG_BAD_NUMBER, file, ln, textcur_offset(&ps->c, &f[i]),
			 "%s '%.*s'", cols[i], (int)(f[i].n > 40 ? 40 : f[i].n), f[i].p);
		return false;
	}
	row.have_queues = true;
	for (int i = 2; i < 4; i++) {
		struct endpoint *ep = i == 2 ? &row.local : &row.peer;
		if (!socktable_endpoint(&ps->tab, f[i], ln, ep)) {
			diag_add(&an->diags, DIAG_BAD_ADDRESS, file, ln, textcur_offset(&ps->c, &f[i]),
				 "%s '%.*s'", cols[i], (int)(f[i].n > 80 ? 80 : f[i].n), f[i].p);
			return false;
		}
	}
	int st = tcp_state_from_name(f[4].p, f[4].n);
	if (st <= TCP_STATE_UNKNOWN || st >= TCP_STATE_MAX) {
		row.state = TCP_STATE_UNKNOWN;
		row.state_raw = arena_strndup(&an->arena, f[4].p, f[4].n);
		diag_add(&an->diags, DIAG_UNKNOWN_STATE, file, ln, textcur_offset(&ps->c, &f[4]),
			 "State '%.*s'", (int)(f[4].n > 40 ? 40 : f[4].n), f[4].p);
	} else {
		row.state = st;
	}
	netstat_tail(ps, rest, &row);

	struct sock_snapshot *snap = netstat_snapshot(ps);
	row.src.file = file;
	row.src.line = ln;
	row.src.at = snap->at;
	row.src.text = evidence_text(&an->arena, line);
	socktable_add_row(&ps->tab, &row);
	ps->rows++;
	return true;
}

static void netstat_row(struct netstat_parser *ps, struct span line)
{
	if (!netstat_row_read(ps, line))
		socktable_reject(&ps->tab);
}

/* Could this line be a row of a netstat table (after another command's
 * output began)? A protocol first. */
static bool netstat_row_shaped(struct span t)
{
	struct span rest = t, tok;
	if (!span_token(&rest, &tok))
		return false;
	return span_eq(tok, "tcp") || span_eq(tok, "tcp6") || span_eq(tok, "udp") ||
	       span_eq(tok, "udp6") || span_eq(tok, "raw") || span_eq(tok, "raw6") ||
	       span_eq(tok, "unix");
}

int netstat_parse(struct analysis *an, struct input *in)
{
	struct netstat_parser ps;
	struct span line, cmd, args;
	struct time_mark tm;

	memset(&ps, 0, sizeof(ps));
	ps.an = an;
	ps.in = in;
	socktable_init(&ps.tab, an, in, "netstat", SOCKSRC_NETSTAT);
	input_textcur(in, &ps.c);
	bool any_header = false;
	while (textcur_next(&ps.c, &line)) {
		if (input_records_full(an, in, &ps.c, line, ps.rows, "sockets"))
			break;
		if (!input_line_ok(an, in, &ps.c, line)) {
			socktable_reject(&ps.tab);
			continue;
		}
		line = noise_strip_escapes(line);
		struct span t = span_trim(line);
		if (span_starts(t, "Active ")) {
			/* "Active Internet connections (servers and established)",
			 * "Active UNIX domain sockets (...)", "Active Bluetooth connections";
			 * the Internet section again after rows: the next output */
			bool inet = span_starts(t, "Active Internet");
			if (inet) {
				socktable_boundary(&ps.tab);
				netstat_new_table(&ps);
			}
			ps.other_section = !inet;
			continue;
		}
		if (span_starts(t, "Proto ")) {
			if (!ps.other_section) {
				netstat_header(&ps, t);
				any_header = true;
			}
			continue;
		}
		/* not root: "(Not all processes could be identified, non-owned process info
		 *  will not be shown, you would have to be root to see it all.)"
		 * (netstat.c, prg_cache_load): -p was given, some owners are not shown */
		if (span_starts(t, "(Not all processes") || span_starts(t, "will not be shown")) {
			ps.cmd_p = true;
			if (ps.tab.snap)
				ps.tab.snap->has_owners = true;
		}
		if (t.n && noise_time_line(t, &tm)) {
			socktable_time(&ps.tab, &tm);
			netstat_new_table(&ps);
			if (noise_command_args(tm.cmd, "netstat", &args))
				netstat_command(&ps, args);
			continue;
		}
		enum noise_kind k = socktable_noise(&ps.tab, line, ps.c.line, &cmd);
		if (k == NOISE_PROMPT && noise_command_args(cmd, "netstat", &args)) {
			socktable_boundary(&ps.tab);
			netstat_new_table(&ps);
			netstat_command(&ps, args);
			ps.tab.foreign = false;
		} else if (k == NOISE_PROMPT) {
			socktable_foreign(&ps.tab, cmd);
		}
		if (k != NOISE_NONE)
			continue;
		if (socktable_foreign_line(&ps.tab, line, ps.c.line, netstat_row_shaped(t)))
			continue;
		netstat_row(&ps, t);
	}
	if (ps.skipped)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, ps.first_skipped_line, -1,
			 "%llu rows that are not tcp (first '%s')", (unsigned long long)ps.skipped,
			 ps.first_skipped);
	int rc = socktable_finish(&ps.tab);
	if (ps.rows == 0 && !any_header) {
		diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
			 "no netstat socket table found");
		return -1;
	}
	return rc;
}

/* a state word as this tool spells it (base/tcpstate.h) */
static bool is_state_word(struct span t)
{
	return tcp_state_parse(t.p, t.n, TCPSTATE_NETSTAT) != TCP_STATE_UNKNOWN;
}

/* netstat -ant[p]: its header ("Active Internet connections", "Proto
 * Recv-Q Send-Q Local Address Foreign Address"), or rows "tcp RECVQ SENDQ
 * LOCAL FOREIGN STATE" with a net-tools state word. */
static int netstat_sniff(const struct sniff_view *v)
{
	int rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "Active Internet connections") ||
		    (span_starts(l->t, "Proto") && span_contains(l->t, "Recv-Q") &&
		     span_contains(l->t, "Foreign Address")))
			return sniff_strong(l);
		if (l->ntok == 3 && (span_eq(l->tok[0], "tcp") || span_eq(l->tok[0], "tcp6"))) {
			struct span rest = span_make(l->tok[2].p + l->tok[2].n,
						     (size_t)(l->t.p + l->t.n - (l->tok[2].p + l->tok[2].n)));
			struct span a, b, st;
			if (span_token(&rest, &a) && span_token(&rest, &b) && span_token(&rest, &st) &&
			    is_state_word(st))
				rows++;
		}
	}
	return rows ? SNIFF_ROWS_NETSTAT : 0;
}

const struct format format_netstat = {
	.name = "netstat", .cls = EV_SOCKETS, .sniff = netstat_sniff, .parse = netstat_parse,
};
