/* parse_ss.c — iproute2 `ss` socket tables.
 *
 * Accepts what people paste after an incident: `ss -tan` with any of
 * -l -p -i -e -m -o, old and new iproute2, with or without the header line,
 * with or without the Netid column (shown when more than one socket family is
 * listed, e.g. `ss -a`, `ss -tua`) and the State column (hidden when a state
 * filter selects one state, `ss -o state established`), plus what people
 * save with it (noise.h: prompts, fences, stderr such as "Failed to find
 * cgroup2 mount"), several outputs appended to one file (socktable.h: each
 * time line, repeated header or ss command line begins a snapshot), and
 * ports or addresses shown as names or masked (kept, marked unknown).
 * Only TCP rows become sock_rows; other netids (udp, u_str, nl, ...) are
 * counted and skipped, with their continuation lines.
 *
 * Layout of one socket (misc/ss.c, iproute2):
 *
 *   [Netid] [State] Recv-Q Send-Q Local:Port Peer:Port [users:((...))] [timer:(...)]
 *           [uid:N] [ino:N] [sk:X] [cgroup:...] [v6only:N] [<->]
 *   <TAB> skmem:(...) ts sack cubic ... rcv_space:N ... snd_wnd:N     (-i -m)
 *
 * For LISTEN sockets Recv-Q is the accept-queue length and Send-Q the
 * accept-queue limit, sk_max_ack_backlog (tcp_diag_get_info(),
 * net/ipv4/tcp_diag.c): snapshot->listen_send_q_is_limit. */
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"
#include "noise.h"
#include "socktable.h"

struct ss_parser {
	struct analysis *an;
	struct input *in;
	struct textcur c;
	struct socktable tab;
	/* layout, from the header line of the table being read, if any */
	bool header;
	bool any_header;	/* some table of the file had one */
	bool col_netid, col_state;
	size_t indent;		/* leading blanks of the header or first row: deeper = continuation */
	bool indent_set;
	/* from a copied command line: `ss -tanp state established` */
	bool cmd_p;
	int filter_state;	/* the one state selected, when the State column is hidden */
	bool summary;		/* inside `ss -s` output */
	bool warned_no_state;
	/* the record continuation lines belong to */
	size_t row_idx;		/* index + 1 into snap->rows; 0 = none */
	bool skipping;		/* the last record was skipped: drop its continuations */
	uint64_t rows, skipped;
	uint32_t first_skipped_line;
	const char *first_skipped;
};

static bool ss_is_digits(struct span s)
{
	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/* ss netids (misc/ss.c: "tcp", "udp", "u_str", ...): a first token that is one
 * of these is the Netid column even without a header. */
static bool ss_is_netid(struct span s)
{
	static const char *const netids[] = {
		"tcp", "udp", "raw", "u_str", "u_dgr", "u_seq", "nl", "p_raw", "p_dgr",
		"sctp", "dccp", "mptcp", "tipc", "v_str", "v_dgr", "xdp", "icmp6", "???",
	};
	for (size_t i = 0; i < sizeof(netids) / sizeof(netids[0]); i++)
		if (span_eq(s, netids[i]))
			return true;
	return false;
}

static size_t ss_leading_blanks(struct span s)
{
	size_t i = 0;
	while (i < s.n && span_is_space(s.p[i]))
		i++;
	return i;
}

static struct sock_snapshot *ss_snapshot(struct ss_parser *ps)
{
	struct sock_snapshot *s = socktable_snapshot(&ps->tab);
	s->listen_send_q_is_limit = true;
	s->has_owners = s->has_owners || ps->cmd_p;
	return s;
}

/* A new output begins (a time line, an ss command line): its layout comes
 * from its own header. */
static void ss_new_table(struct ss_parser *ps)
{
	ps->header = false;
	ps->indent_set = false;
	ps->row_idx = 0;
	ps->skipping = false;
	ps->summary = false;
}

/* The options of an ss command line people copied with its output
 * ("user@host:~$ ss -tanp", "$ sudo ss -ltn state listening", watch's
 * "Every 1.0s: ss -ltn"): -p says owners are shown (an absent owner means
 * none), a single state filter names the state of a table without a State
 * column. They hold for the output that follows, until the next command. */
static void ss_command(struct ss_parser *ps, struct span args)
{
	struct span rest = args, tok;
	int states = 0, state = TCP_STATE_UNKNOWN;
	ps->cmd_p = false;
	ps->filter_state = TCP_STATE_UNKNOWN;
	while (span_token(&rest, &tok)) {
		if (span_eq(tok, "--processes")) {
			ps->cmd_p = true;
		} else if (tok.n > 1 && tok.p[0] == '-' && tok.p[1] != '-') {
			if (memchr(tok.p, 'p', tok.n))
				ps->cmd_p = true;
		} else if (span_eq(tok, "state")) {
			struct span st;
			if (span_token(&rest, &st)) {
				states++;
				state = tcp_state_from_filter(st.p, st.n);
			}
		}
	}
	if (states == 1)
		ps->filter_state = state;
}

/* A header line: "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
 * new iproute2 glues "Peer Address:PortProcess". */
static bool ss_header(struct ss_parser *ps, struct span line)
{
	struct span rest = span_trim(line), tok;
	if (!span_token(&rest, &tok))
		return false;
	if (!(span_eq(tok, "Netid") || span_eq(tok, "State") || span_eq(tok, "Recv-Q")))
		return false;
	if (!span_contains(line, "Send-Q"))
		return false;
	/* a second header: the next output of a loop or of watch */
	socktable_header(&ps->tab);
	ps->header = true;
	ps->any_header = true;
	ps->summary = false;
	ps->col_netid = span_eq(tok, "Netid");
	ps->col_state = span_eq(tok, "State") || (ps->col_netid && span_contains(line, " State "));
	ps->indent = ss_leading_blanks(line);
	ps->indent_set = true;
	ps->row_idx = 0;
	ps->skipping = false;
	ss_snapshot(ps);
	return true;
}

static bool ss_digits_at(const char **pp, const char *end)
{
	const char *p = *pp;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == *pp)
		return false;
	*pp = p;
	return true;
}

static bool ss_lit_at(const char **pp, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - *pp) < n || memcmp(*pp, lit, n) != 0)
		return false;
	*pp += n;
	return true;
}

/* At q (a '"'): `",pid=N,fd=N)` (iproute2 >= 3.18) or `",N,N)` (older).
 * On success *after points past the ')'. */
static bool ss_owner_tail(const char *q, const char *end, int64_t *pid, int64_t *fd,
			  const char **after)
{
	const char *p = q;
	if (!ss_lit_at(&p, end, "\","))
		return false;
	ss_lit_at(&p, end, "pid=");
	const char *d = p;
	if (!ss_digits_at(&p, end) || p - d > 10)
		return false;
	struct span sp = span_make(d, (size_t)(p - d));
	if (!ss_lit_at(&p, end, ","))
		return false;
	ss_lit_at(&p, end, "fd=");
	const char *f = p;
	if (!ss_digits_at(&p, end) || p - f > 10)
		return false;
	struct span sf = span_make(f, (size_t)(p - f));
	if (!ss_lit_at(&p, end, ")"))
		return false;
	uint64_t v;
	if (!span_u64(sp, &v) || v > INT32_MAX)
		return false;
	*pid = (int64_t)v;
	if (!span_u64(sf, &v) || v > INT32_MAX)
		return false;
	*fd = (int64_t)v;
	*after = p;
	return true;
}

/* users:(("comm",pid=N,fd=N),("comm2",pid=M,fd=K)) — ss prints comm between
 * double quotes without escaping, so a comm may hold spaces, quotes, parens,
 * commas, even `",pid=7,fd=8` (a real one: tests/data/sockets/ss-tanpie.txt).
 * The end of a comm is the first `",pid=N,fd=N)` followed by what may follow
 * an owner (`,("` or the closing `)` at the end of the token); failing that,
 * the first `",pid=N,fd=N)` at all. Linear: a list that does not check out
 * ends the scan. `s` starts at "users:("; *used is set to the bytes consumed.
 * Returns false when not even one owner could be read. */
static bool ss_users(struct ss_parser *ps, struct span s, struct sock_row *row, size_t *used)
{
	struct arena *a = &ps->an->arena;
	const char *p = s.p + 7, *end = s.p + s.n;	/* past "users:(" */
	VEC(struct sock_owner) owners = { NULL, 0, 0 };
	bool ok = true;
	for (;;) {
		if (end - p >= 1 && *p == ')') {	/* end of list */
			p++;
			break;
		}
		if (!ss_lit_at(&p, end, "(\"")) {
			ok = false;
			break;
		}
		const char *comm = p, *first_after = NULL, *good_after = NULL, *q;
		const char *first_q = NULL, *good_q = NULL;
		int64_t pid = -1, fd = -1, fpid = -1, ffd = -1;
		for (q = comm; q < end; q++) {
			const char *after;
			int64_t cpid, cfd;
			if (*q != '"' || !ss_owner_tail(q, end, &cpid, &cfd, &after))
				continue;
			if (!first_q) {
				first_q = q;
				first_after = after;
				fpid = cpid;
				ffd = cfd;
			}
			bool next_owner = end - after >= 3 && !memcmp(after, ",(\"", 3);
			bool list_end = end - after >= 1 && *after == ')' &&
					(end - after == 1 || span_is_space(after[1]));
			if (next_owner || list_end) {
				good_q = q;
				good_after = after;
				pid = cpid;
				fd = cfd;
				break;
			}
		}
		if (!good_q) {
			if (!first_q) {
				ok = false;
				break;
			}
			good_q = first_q;
			good_after = first_after;
			pid = fpid;
			fd = ffd;
			ok = false;	/* take this one, then stop */
		}
		struct sock_owner *o = VEC_PUSH(a, &owners);
		o->pid = (int32_t)pid;
		o->fd = (int32_t)fd;
		o->comm = arena_strndup(a, comm, (size_t)(good_q - comm));
		p = good_after;
		if (!ok)
			break;
		if (end - p >= 1 && *p == ',')
			p++;
	}
	/* the rest of this token, whatever it is */
	while (p < end && !span_is_space(*p))
		p++;
	*used = (size_t)(p - s.p);
	row->owners = owners.v;
	row->n_owners = (uint32_t)owners.n;
	return owners.n > 0 && ok;
}

static bool ss_kv_i64(struct span tok, const char *key, int64_t *out)
{
	size_t k = strlen(key);
	if (tok.n <= k || memcmp(tok.p, key, k) != 0)
		return false;
	struct span v = span_make(tok.p + k, tok.n - k);
	/* "retrans:0/42": tcpi_retrans (unrecovered now) / tcpi_total_retrans */
	for (size_t i = 0; i < v.n; i++)
		if (v.p[i] == '/') {
			v.n = i;
			break;
		}
	int64_t x;
	if (!span_i64(v, &x))
		return false;
	*out = x;
	return true;
}

/* Fields of -e, -i and -m, on the socket line or its continuation lines.
 * Unknown tokens are ignored: ss adds fields with every release. */
static void ss_extra(struct sock_row *row, struct span tok, bool *saw_ino)
{
	int64_t v;
	if (ss_kv_i64(tok, "ino:", &v)) {
		/* 0 = no socket inode yet (not accepted) or none (TIME-WAIT) */
		row->have_inode = v > 0;
		row->inode = (uint64_t)v;
		*saw_ino = true;
	} else if (ss_kv_i64(tok, "uid:", &v)) {
		row->uid = v;
	} else if (ss_kv_i64(tok, "rcv_space:", &v)) {
		row->rcv_space = v;
	} else if (ss_kv_i64(tok, "snd_wnd:", &v)) {
		row->snd_wnd = v;
	} else if (ss_kv_i64(tok, "rcv_wnd:", &v)) {
		row->rcv_wnd = v;
	} else if (ss_kv_i64(tok, "retrans:", &v)) {
		row->retrans = v;
	} else if (ss_kv_i64(tok, "backoff:", &v)) {
		row->backoff = v;
	}
}

static void ss_skip_row(struct ss_parser *ps, struct span netid)
{
	ps->skipped++;
	socktable_other(&ps->tab);
	ps->skipping = true;
	ps->row_idx = 0;
	if (!ps->first_skipped) {
		ps->first_skipped = arena_strndup(&ps->an->arena, netid.p, netid.n > 16 ? 16 : netid.n);
		ps->first_skipped_line = ps->c.line;
	}
}

/* A row is dropped (with its continuation lines) after a diagnostic. */
static void ss_drop_row(struct ss_parser *ps)
{
	socktable_reject(&ps->tab);
	ps->skipping = true;
	ps->row_idx = 0;
}

static void ss_row(struct ss_parser *ps, struct span line)
{
	struct analysis *an = ps->an;
	const char *file = ps->in->display;
	uint32_t ln = ps->c.line;
	struct span rest = line, tok, netid = { NULL, 0 };
	struct sock_row row;

	memset(&row, 0, sizeof(row));
	row.uid = -1;
	row.rcv_space = row.snd_wnd = row.rcv_wnd = row.retrans = row.backoff = -1;
	if (!span_token(&rest, &tok))
		return;
	if (ps->header ? ps->col_netid : ss_is_netid(tok)) {
		netid = tok;
		if (!span_eq(netid, "tcp")) {
			ss_skip_row(ps, netid);
			return;
		}
		if (!span_token(&rest, &tok)) {
			diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &netid),
				 "row ends after Netid '%.*s'", (int)netid.n, netid.p);
			ss_drop_row(ps);
			return;
		}
	}
	/* State: from the header, else any first column that is not a number */
	struct span state = { NULL, 0 };
	if (ps->header ? ps->col_state : !ss_is_digits(tok)) {
		state = tok;
		if (!span_token(&rest, &tok))
			tok = span_make(rest.p, 0);
	}

	static const char *const cols[] = { "Recv-Q", "Send-Q", "Local Address:Port",
					    "Peer Address:Port" };
	struct span f[4];
	f[0] = tok;
	for (int i = 1; i < 4; i++)
		if (!span_token(&rest, &f[i]))
			f[i] = span_make(rest.p, 0);
	for (int i = 0; i < 4; i++) {
		if (f[i].n == 0) {
			diag_add(&an->diags, DIAG_BAD_LINE, file, ln, textcur_offset(&ps->c, &f[i]),
				 "row ends before '%s'", cols[i]);
			ss_drop_row(ps);
			return;
		}
	}
	if (!span_u32(f[0], &row.recv_q) || !span_u32(f[1], &row.send_q)) {
		int i = span_u32(f[0], &row.recv_q) ? 1 : 0;
		diag_add(&an->diags, DIAG_BAD_NUMBER, file, ln, textcur_offset(&ps->c, &f[i]),
			 "%s '%.*s'", cols[i], (int)(f[i].n > 40 ? 40 : f[i].n), f[i].p);
		ss_drop_row(ps);
		return;
	}
	row.have_queues = true;
	for (int i = 2; i < 4; i++) {
		struct endpoint *ep = i == 2 ? &row.local : &row.peer;
		if (!socktable_endpoint(&ps->tab, f[i], ln, ep)) {
			diag_add(&an->diags, DIAG_BAD_ADDRESS, file, ln, textcur_offset(&ps->c, &f[i]),
				 "%s '%.*s'", cols[i], (int)(f[i].n > 80 ? 80 : f[i].n), f[i].p);
			ss_drop_row(ps);
			return;
		}
	}

	if (state.n) {
		int st = tcp_state_from_name(state.p, state.n);
		if (st <= TCP_STATE_UNKNOWN || st >= TCP_STATE_MAX) {
			/* kept raw (STYLE.md §4): a newer kernel's state is still a socket */
			row.state = TCP_STATE_UNKNOWN;
			row.state_raw = arena_strndup(&an->arena, state.p, state.n);
			diag_add(&an->diags, DIAG_UNKNOWN_STATE, file, ln,
				 textcur_offset(&ps->c, &state), "State '%.*s'",
				 (int)(state.n > 40 ? 40 : state.n), state.p);
		} else {
			row.state = st;
		}
	} else if (ps->filter_state != TCP_STATE_UNKNOWN) {
		row.state = ps->filter_state;	/* `ss state X` hides the column */
	} else {
		row.state = TCP_STATE_UNKNOWN;
		row.state_raw = "-";
		if (!ps->warned_no_state) {
			ps->warned_no_state = true;
			diag_add(&an->diags, DIAG_UNKNOWN_STATE, file, ln, textcur_offset(&ps->c, &f[0]),
				 "no State column (ss with a state filter), states unknown");
		}
	}

	/* the rest: users:(...) (may hold blanks), then key:value tokens */
	bool saw_ino = false;
	for (;;) {
		size_t i = 0;
		while (i < rest.n && span_is_space(rest.p[i]))
			i++;
		rest.p += i;
		rest.n -= i;
		if (rest.n == 0)
			break;
		if (span_starts(rest, "users:(")) {
			size_t used = 0;
			if (!ss_users(ps, rest, &row, &used))
				diag_add(&an->diags, DIAG_BAD_LINE, file, ln,
					 textcur_offset(&ps->c, &rest), "owners 'users:(%.*s'",
					 (int)(rest.n - 7 > 60 ? 60 : rest.n - 7), rest.p + 7);
			if (row.n_owners)
				ps->cmd_p = true;
			rest.p += used;
			rest.n -= used;
			continue;
		}
		span_token(&rest, &tok);
		ss_extra(&row, tok, &saw_ino);
	}
	/* -e prints uid only when non-zero (misc/ss.c, inet_stats_print) */
	if (saw_ino && row.uid < 0)
		row.uid = 0;

	struct sock_snapshot *snap = ss_snapshot(ps);
	row.src.file = file;
	row.src.line = ln;
	row.src.at = snap->at;
	row.src.text = evidence_text(&an->arena, line);
	socktable_add_row(&ps->tab, &row);
	ps->rows++;
	ps->row_idx = snap->rows.n;	/* index + 1: rows may move when the vector grows */
	ps->skipping = false;
}

static void ss_continuation(struct ss_parser *ps, struct span line)
{
	if (ps->skipping || ps->row_idx == 0 || !ps->tab.snap)
		return;	/* belongs to a skipped (non-tcp or bad) record */
	struct sock_row *row = &ps->tab.snap->rows.v[ps->row_idx - 1];
	struct span rest = line, tok;
	bool saw_ino = false;
	while (span_token(&rest, &tok))
		ss_extra(row, tok, &saw_ino);
	if (saw_ino && row->uid < 0)
		row->uid = 0;
}

/* Could this line be a row of an ss table (after another command's
 * output began)? A state, a netid, or Recv-Q first (a state filter). */
static bool ss_row_shaped(struct span t)
{
	struct span rest = t, tok;
	if (!span_token(&rest, &tok))
		return false;
	return tcp_state_parse(tok.p, tok.n, TCPSTATE_SS) != TCP_STATE_UNKNOWN || ss_is_netid(tok) || ss_is_digits(tok);
}

int ss_parse(struct analysis *an, struct input *in)
{
	struct ss_parser ps;
	struct span line, cmd, args;
	struct time_mark tm;

	memset(&ps, 0, sizeof(ps));
	ps.an = an;
	ps.in = in;
	ps.filter_state = TCP_STATE_UNKNOWN;
	socktable_init(&ps.tab, an, in, "ss", SOCKSRC_SS);
	input_textcur(in, &ps.c);
	while (textcur_next(&ps.c, &line)) {
		if (input_records_full(an, in, &ps.c, line, ps.rows, "sockets"))
			break;
		if (!input_line_ok(an, in, &ps.c, line)) {
			ss_drop_row(&ps);
			continue;
		}
		line = noise_strip_escapes(line);
		struct span t = span_trim(line);
		if (t.n == 0) {
			socktable_noise(&ps.tab, t, ps.c.line, &cmd);
			continue;
		}
		if (ss_header(&ps, line))
			continue;
		if (ps.indent_set && ss_leading_blanks(line) > ps.indent &&
		    (ps.row_idx || ps.skipping)) {
			ss_continuation(&ps, line);
			continue;
		}
		if (noise_time_line(t, &tm)) {
			socktable_time(&ps.tab, &tm);
			ss_new_table(&ps);
			if (noise_command_args(tm.cmd, "ss", &args))
				ss_command(&ps, args);
			continue;
		}
		enum noise_kind k = socktable_noise(&ps.tab, line, ps.c.line, &cmd);
		if (k != NOISE_NONE) {
			if (k == NOISE_PROMPT && noise_command_args(cmd, "ss", &args)) {
				socktable_boundary(&ps.tab);
				ss_new_table(&ps);
				ss_command(&ps, args);
				ps.tab.foreign = false;
			} else if (k == NOISE_PROMPT) {
				socktable_foreign(&ps.tab, cmd);
			}
			if (k != NOISE_MESSAGE) {
				/* what follows is not the last row's continuation */
				ps.row_idx = 0;
				ps.skipping = false;
			}
			continue;
		}
		if (socktable_foreign_line(&ps.tab, line, ps.c.line, ss_row_shaped(t)))
			continue;
		if (span_starts(t, "Total:") && (!ps.tab.table_rows || span_contains(t, "(kernel"))) {
			/* `ss -s`: counts per protocol, no sockets (alone, or
			 * appended after tables: "Total: 131 (kernel 0)") */
			if (!ps.summary)
				diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, ps.c.line,
					 textcur_offset(&ps.c, &t),
					 "'ss -s' summary, not a socket table");
			ps.summary = true;
			ps.header = false;
			continue;
		}
		if (ps.summary)
			continue;
		if (!ps.indent_set) {
			ps.indent = ss_leading_blanks(line);
			ps.indent_set = true;
		}
		ss_row(&ps, t);
	}
	if (ps.skipped)
		diag_add(&an->diags, DIAG_SKIPPED, in->display, ps.first_skipped_line, -1,
			 "%llu rows that are not tcp (first '%s')", (unsigned long long)ps.skipped,
			 ps.first_skipped);
	int rc = socktable_finish(&ps.tab);
	if (ps.rows == 0 && !ps.any_header) {
		if (!ps.summary)
			diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				 "no ss socket table found");
		return -1;
	}
	return rc;
}

/* a state word as this tool spells it (base/tcpstate.h) */
static bool is_state_word(struct span t)
{
	return tcp_state_parse(t.p, t.n, TCPSTATE_SS) != TCP_STATE_UNKNOWN;
}

static bool is_ss_netid(struct span t)
{
	return span_eq(t, "tcp") || span_eq(t, "udp") || span_eq(t, "u_str") || span_eq(t, "u_dgr");
}

/* ss: its header ("State Recv-Q Send-Q ...", "Netid State ...", "Recv-Q
 * Send-Q Local Address:Port ..." under a state filter), `ss -s`
 * ("Total: N (kernel M)": the parser says it is a summary), or rows that
 * start with an ss state word, or a netid then one. */
static int ss_sniff(const struct sniff_view *v)
{
	int rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if ((span_starts(l->t, "State") || span_starts(l->t, "Netid")) &&
		    span_contains(l->t, "Recv-Q") && span_contains(l->t, "Send-Q"))
			return sniff_strong(l);
		/* a state filter hides the State column: "Recv-Q Send-Q Local Address:Port" */
		if (span_starts(l->t, "Recv-Q") && span_contains(l->t, "Send-Q") &&
		    span_contains(l->t, "Address:Port"))
			return sniff_strong(l);
		if (span_starts(l->t, "Total:") && span_contains(l->t, "(kernel"))
			return sniff_strong(l);
		if (l->ntok >= 1 && (is_state_word(l->tok[0]) ||
				     (l->ntok >= 2 && is_ss_netid(l->tok[0]) &&
				      is_state_word(l->tok[1]))))
			rows++;
	}
	return rows ? SNIFF_ROWS_SS : 0;
}

const struct format format_ss = {
	.name = "ss", .cls = EV_SOCKETS, .sniff = ss_sniff, .parse = ss_parse,
};
