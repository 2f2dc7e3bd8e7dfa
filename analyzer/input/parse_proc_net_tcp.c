/* parse_proc_net_tcp.c — /proc/net/tcp and /proc/net/tcp6, one file or both
 * concatenated (`cat /proc/net/tcp /proc/net/tcp6`).
 *
 * The kernel prints one line per socket (net/ipv4/tcp_ipv4.c: get_tcp4_sock(),
 * get_openreq4(), get_timewait4_sock(); net/ipv6/tcp_ipv6.c: get_tcp6_sock(),
 * get_openreq6(), get_timewait6_sock()):
 *
 *   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK ..."
 *     sl  local      remote    st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
 *
 * An address is its __be32 words printed with %08X, i.e. as host-order u32s:
 * on a little-endian kernel 127.0.0.1 reads "0100007F" and ::1 reads
 * "00000000000000000000000001000000" (each 32-bit word byte-swapped). The
 * file does not say the kernel's byte order; we read it as little-endian
 * (x86-64, arm64, riscv64 — every host this tool is likely to meet).
 * Ports are printed after ntohs(), plain hex.
 *
 * tx_queue is write_seq - snd_una; rx_queue is rcv_nxt - copied_seq, except
 * for LISTEN where it is sk_ack_backlog (the accept-queue length) and
 * tx_queue is 0: the accept-queue limit is not in this file
 * (snapshot->listen_send_q_is_limit = false). Request sockets (half-open,
 * TCP_NEW_SYN_RECV) are printed by get_openreq4() with state 03 (SYN_RECV),
 * inode 0; we also accept 0C should a kernel print the state as it is.
 *
 * What is saved around the table (prompts, fences, stderr such as "cat:
 * /proc/net/tcp6: No such file or directory") is skipped and counted
 * (noise.h). A header of a kind the table already had (tcp after tcp: `while
 * sleep 1; do cat /proc/net/tcp; done`), a time line or a new command
 * begins the next snapshot (socktable.h); tcp then tcp6 is one snapshot. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"
#include "noise.h"
#include "socktable.h"

struct proc_parser {
	struct analysis *an;
	struct input *in;
	struct textcur c;
	struct socktable tab;
	bool header;		/* some table of the file had one */
	bool hdr_v4, hdr_v6;	/* the table being read had this header */
	uint64_t rows;
};

static struct sock_snapshot *proc_snapshot(struct proc_parser *ps)
{
	struct sock_snapshot *s = socktable_snapshot(&ps->tab);
	s->listen_send_q_is_limit = false;
	s->has_owners = false;
	return s;
}

static void proc_new_table(struct proc_parser *ps)
{
	ps->hdr_v4 = ps->hdr_v6 = false;
}

static bool proc_hex_digits(struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
			return false;
	}
	return s.n > 0;
}

/* Split "A:B" at its only colon. */
static bool proc_split(struct span s, struct span *a, struct span *b)
{
	const char *colon = memchr(s.p, ':', s.n);
	if (!colon)
		return false;
	*a = span_make(s.p, (size_t)(colon - s.p));
	*b = span_make(colon + 1, s.n - a->n - 1);
	return !memchr(b->p, ':', b->n);
}

/* "0100007F:1F40" (8 hex digits: IPv4) or 32 hex digits (IPv6) + ":" + port */
static bool proc_endpoint(struct span s, struct endpoint *ep)
{
	struct span addr, port;
	uint64_t v;
	if (!proc_split(s, &addr, &port) || port.n == 0 || port.n > 4 || !proc_hex_digits(port) ||
	    !span_hex_u64(port, &v))
		return false;
	memset(ep, 0, sizeof(*ep));
	ep->port = (uint16_t)v;
	if (addr.n != 8 && addr.n != 32)
		return false;
	if (!proc_hex_digits(addr))
		return false;
	ep->family = addr.n == 8 ? AF_INET : AF_INET6;
	for (size_t w = 0; w < addr.n / 8; w++) {
		uint64_t word;
		if (!span_hex_u64(span_make(addr.p + 8 * w, 8), &word))
			return false;
		/* the in-memory bytes of the __be32, as a little-endian kernel saw them */
		for (int b = 0; b < 4; b++)
			ep->addr[4 * w + (size_t)b] = (uint8_t)(word >> (8 * b));
	}
	return true;
}

static bool proc_addr_zero(const struct endpoint *ep)
{
	for (size_t i = 0; i < sizeof(ep->addr); i++)
		if (ep->addr[i])
			return false;
	return true;
}

/* False when the row could not be read (after its diagnostic). */
static bool proc_row_read(struct proc_parser *ps, struct span line)
{
	struct analysis *an = ps->an;
	const char *file = ps->in->display;
	uint32_t ln = ps->c.line;
	struct span rest = line, f[10];
	size_t n = 0;
	struct sock_row row;

	static const char *const cols[] = { "sl", "local_address", "rem_address", "st",
					    "tx_queue:rx_queue", "tr:tm->when", "retrnsmt", "uid",
					    "timeout", "inode" };
	while (n < 10 && span_token(&rest, &f[n]))
		n++;
	if (n == 0)
		return true;
	/* "   0:" */
	if (f[0].n < 2 || f[0].p[f[0].n - 1] != ':' ||
	    !proc_hex_digits(span_make(f[0].p, f[0].n - 1))) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &f[0]),
			 "sl '%.*s'", (int)(f[0].n > 40 ? 40 : f[0].n), f[0].p);
		return false;
	}
	if (n < 5) {
		/* without tx_queue:rx_queue it is not even sure to be TCP (the
		 * udp_broken fixture of prometheus/procfs is cut after "st") */
		struct span at = span_make(rest.p, 0);
		diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &at),
			 "row ends before '%s'", cols[n]);
		return false;
	}

	memset(&row, 0, sizeof(row));
	row.uid = -1;
	row.rcv_space = row.snd_wnd = row.rcv_wnd = row.retrans = row.backoff = -1;
	for (int i = 1; i < 3; i++) {
		struct endpoint *ep = i == 1 ? &row.local : &row.peer;
		if (!proc_endpoint(f[i], ep)) {
			diag_add(&an->diags, DIAG_BAD_ADDRESS, file, ln, textcur_offset(&ps->c, &f[i]),
				 "%s '%.*s'", cols[i], (int)(f[i].n > 80 ? 80 : f[i].n), f[i].p);
			return false;
		}
	}
	if (row.local.family != row.peer.family) {
		diag_add(&an->diags, DIAG_BAD_ADDRESS, file, ln, textcur_offset(&ps->c, &f[2]),
			 "rem_address '%.*s' is not of the family of local_address",
			 (int)(f[2].n > 80 ? 80 : f[2].n), f[2].p);
		return false;
	}
	/* an unconnected socket's peer: 0.0.0.0:0, shown by ss as "*" port */
	if (row.peer.port == 0 && proc_addr_zero(&row.peer))
		row.peer.any_port = true;

	uint64_t st;
	if (f[3].n > 2 || !proc_hex_digits(f[3]) || !span_hex_u64(f[3], &st)) {
		diag_add(&an->diags, DIAG_BAD_NUMBER, file, ln, textcur_offset(&ps->c, &f[3]),
			 "st '%.*s'", (int)(f[3].n > 40 ? 40 : f[3].n), f[3].p);
		return false;
	}
	/* include/net/tcp_states.h: 01 ESTABLISHED .. 0B CLOSING, 0C NEW_SYN_RECV */
	if (st >= TCP_ESTABLISHED && st <= TCP_NEW_SYN_RECV && st < TCP_STATE_MAX) {
		row.state = (int)st;
	} else {
		row.state = TCP_STATE_UNKNOWN;
		row.state_raw = arena_strndup(&an->arena, f[3].p, f[3].n);
		diag_add(&an->diags, DIAG_UNKNOWN_STATE, file, ln, textcur_offset(&ps->c, &f[3]),
			 "st '%.*s'", (int)f[3].n, f[3].p);
	}

	{
		struct span tx, rx;
		uint64_t t, r;
		if (!proc_split(f[4], &tx, &rx) || tx.n > 8 || rx.n > 8 || !proc_hex_digits(tx) ||
		    !proc_hex_digits(rx) || !span_hex_u64(tx, &t) || !span_hex_u64(rx, &r)) {
			diag_add(&an->diags, DIAG_BAD_NUMBER, file, ln, textcur_offset(&ps->c, &f[4]),
				 "tx_queue:rx_queue '%.*s'", (int)(f[4].n > 40 ? 40 : f[4].n),
				 f[4].p);
			return false;
		}
		row.have_queues = true;
		row.send_q = (uint32_t)t;
		row.recv_q = (uint32_t)r;
	}
	if (n > 7) {
		int64_t uid;
		if (!span_i64(f[7], &uid) || uid < 0 || uid > UINT32_MAX) {
			diag_add(&an->diags, DIAG_BAD_NUMBER, file, ln, textcur_offset(&ps->c, &f[7]),
				 "uid '%.*s'", (int)(f[7].n > 40 ? 40 : f[7].n), f[7].p);
			return false;
		}
		row.uid = uid;
	}
	if (n > 9) {
		uint64_t ino;
		if (!span_u64(f[9], &ino)) {
			diag_add(&an->diags, DIAG_BAD_NUMBER, file, ln, textcur_offset(&ps->c, &f[9]),
				 "inode '%.*s'", (int)(f[9].n > 40 ? 40 : f[9].n), f[9].p);
			return false;
		}
		/* 0: a request, TIME_WAIT, or a connection not yet accept()ed */
		row.have_inode = ino > 0;
		row.inode = ino;
	} else {
		/* a cut line: keep state and queues, say what is missing */
		struct span at = span_make(rest.p, 0);
		diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &at),
			 "row ends before '%s', kept the columns before it", cols[n]);
	}

	struct sock_snapshot *snap = proc_snapshot(ps);
	row.src.file = file;
	row.src.line = ln;
	row.src.at = snap->at;
	row.src.text = evidence_text(&an->arena, line);
	socktable_add_row(&ps->tab, &row);
	ps->rows++;
	return true;
}

static void proc_row(struct proc_parser *ps, struct span line)
{
	if (!proc_row_read(ps, line))
		socktable_reject(&ps->tab);
}

/* Could this line be a row (after another command's output began)?
 * "   0: 0100007F:1F40 ...": a slot number and a colon first. */
static bool proc_row_shaped(struct span t)
{
	struct span rest = t, tok;
	return span_token(&rest, &tok) && tok.n >= 2 && tok.p[tok.n - 1] == ':' &&
	       proc_hex_digits(span_make(tok.p, tok.n - 1));
}

int proc_net_tcp_parse(struct analysis *an, struct input *in)
{
	struct proc_parser ps;
	struct span line, cmd, args;
	struct time_mark tm;

	memset(&ps, 0, sizeof(ps));
	ps.an = an;
	ps.in = in;
	socktable_init(&ps.tab, an, in, "/proc/net/tcp", SOCKSRC_PROC_NET_TCP);
	input_textcur(in, &ps.c);
	while (textcur_next(&ps.c, &line)) {
		if (input_records_full(an, in, &ps.c, line, ps.rows, "sockets"))
			break;
		if (!input_line_ok(an, in, &ps.c, line)) {
			socktable_reject(&ps.tab);
			continue;
		}
		line = noise_strip_escapes(line);
		struct span t = span_trim(line);
		/* "  sl  local_address rem_address   st tx_queue rx_queue ..." (tcp),
		 * "... remote_address ..." (tcp6) */
		if (span_starts(t, "sl ") && span_contains(t, "local_address")) {
			bool v6 = span_contains(t, "remote_address");
			if (v6 ? ps.hdr_v6 : ps.hdr_v4) {
				/* this kind of table again: the next snapshot */
				socktable_boundary(&ps.tab);
				proc_new_table(&ps);
			}
			if (v6)
				ps.hdr_v6 = true;
			else
				ps.hdr_v4 = true;
			ps.header = true;
			proc_snapshot(&ps);
			continue;
		}
		if (t.n && noise_time_line(t, &tm)) {
			socktable_time(&ps.tab, &tm);
			proc_new_table(&ps);
			continue;
		}
		enum noise_kind k = socktable_noise(&ps.tab, line, ps.c.line, &cmd);
		if (k == NOISE_PROMPT && (noise_command_args(cmd, "cat", &args) ||
					  span_contains(cmd, "/proc/"))) {
			socktable_boundary(&ps.tab);
			proc_new_table(&ps);
			ps.tab.foreign = false;
		} else if (k == NOISE_PROMPT) {
			socktable_foreign(&ps.tab, cmd);
		}
		if (k != NOISE_NONE)
			continue;
		if (socktable_foreign_line(&ps.tab, line, ps.c.line, proc_row_shaped(t)))
			continue;
		/* a file name between outputs: "==> /proc/net/tcp6 <==" (head, tail) */
		if (span_contains(t, "/proc/") && span_contains(t, "/tcp") && t.p[0] != '0' &&
		    !(t.p[0] >= '1' && t.p[0] <= '9')) {
			noise_tally_add(&ps.tab.noise, &an->arena, NOISE_FENCE, line, ps.c.line);
			continue;
		}
		proc_row(&ps, t);
	}
	int rc = socktable_finish(&ps.tab);
	if (ps.rows == 0 && !ps.header) {
		diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
			 "no /proc/net/tcp table found");
		return -1;
	}
	return rc;
}

static bool all_hex(struct span t)
{
	if (!t.n)
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!isxdigit((unsigned char)t.p[i]))
			return false;
	return true;
}

/* "0100007F:1F40" (IPv4) or 32 hex digits then ":1F40" (IPv6) */
static bool is_proc_addr(struct span t)
{
	const char *colon = memchr(t.p, ':', t.n);
	if (!colon)
		return false;
	struct span a = span_make(t.p, (size_t)(colon - t.p));
	struct span b = span_make(colon + 1, t.n - a.n - 1);
	return (a.n == 8 || a.n == 32) && b.n == 4 && all_hex(a) && all_hex(b);
}

/* /proc/net/tcp says "rem_address", /proc/net/tcp6 "remote_address" in the
 * header; rows are "N: LOCAL REMOTE ..." in hex. */
static int proc_net_tcp_sniff(const struct sniff_view *v)
{
	int rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "sl") && span_contains(l->t, "local_address") &&
		    (span_contains(l->t, "rem_address") || span_contains(l->t, "remote_address")))
			return sniff_strong(l);
		if (l->ntok >= 2 && l->tok[0].n >= 2 && l->tok[0].p[l->tok[0].n - 1] == ':' &&
		    is_proc_addr(l->tok[1]))
			rows++;
	}
	return rows ? SNIFF_ROWS_PROC_NET_TCP : 0;
}

const struct format format_proc_net_tcp = {
	.name = "proc-net-tcp", .cls = EV_SOCKETS, .sniff = proc_net_tcp_sniff,
	.parse = proc_net_tcp_parse,
};
