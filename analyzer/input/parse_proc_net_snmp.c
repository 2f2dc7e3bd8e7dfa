/* parse_proc_net_snmp.c — /proc/net/netstat, /proc/net/snmp and
 * /proc/net/snmp6 (also their /proc/<pid>/net/ copies).
 *
 * netstat and snmp print each MIB as two lines (net/ipv4/proc.c
 * netstat_seq_show(), snmp_seq_show_ipstats() ...):
 *	TcpExt: SyncookiesSent SyncookiesRecv ... ListenOverflows ...
 *	TcpExt: 0 0 ... 12 ...
 * The names differ between kernels (node_exporter-proc-net-netstat-old-kernel
 * has TCPPrequeued, newer ones TCPMigrateReqSuccess), so columns are matched
 * by position inside each pair, never against a fixed list. Tcp MaxConn is
 * printed signed and is -1 (tcp_mib "dynamic", RFC 2012). A pair whose counts
 * differ is reported with its line and the columns that match are kept.
 *
 * snmp6 prints one "Name<spaces>\tvalue" per line with the MIB already in
 * the name (net/ipv6/proc.c snmp6_seq_show_item(): "%-32s\t%lu").
 *
 * Names follow incident.h: TcpExt fields bare, the rest "<MIB><field>" as
 * nstat builds them (IpExtInOctets, TcpRetransSegs, IcmpMsgInType3,
 * MPTcpExtMPCapableSYNRX). As evidence text each counter carries
 * "<MIB>: <field> <value>" rather than the values line itself, which is a
 * few hundred numbers with nothing to tell one from the other. */
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"

#define NAME_MAX_LEN 128
/* A kernel has a few hundred counters (nstat -az: 390 on 6.18); beyond this
 * a file is not what it claims, and each insert scans the snapshot. */
#define MAX_COUNTERS 4096
#define MIB_MAX 32

struct pns_state {
	struct analysis *an;
	struct input *in;
	enum counter_source source;
	struct counter_snapshot *snap;
	bool limit_noted;
	uint64_t n;
	/* the pending header line */
	bool have_header;
	char mib[MIB_MAX];
	struct span header;	/* the names, after "MIB:" */
	uint32_t header_line;
	int64_t header_off;
};

static bool is_name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static bool is_name(struct span t)
{
	if (t.n == 0 || t.n >= NAME_MAX_LEN - MIB_MAX)
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!is_name_char(t.p[i]))
			return false;
	return true;
}

static bool looks_numeric(struct span t)
{
	return t.n && ((t.p[0] >= '0' && t.p[0] <= '9') || t.p[0] == '-');
}

static void pns_set(struct pns_state *st, uint32_t line, const char *name, int64_t v,
		    const char *text)
{
	if (!st->snap) {
		st->snap = incident_add_counter_snapshot(&st->an->inc, st->in->display,
							 st->in->index, st->source);
		st->snap->at = st->in->at;
		st->snap->at_src = st->in->at_src;
		st->snap->increments = false;	/* procfs counters are totals */
	}
	if (st->snap->counters.n >= MAX_COUNTERS) {
		if (!st->limit_noted)
			diag_add(&st->an->diags, DIAG_LIMIT, st->in->display, line, -1,
				 "more than %d counters in one snapshot", MAX_COUNTERS);
		st->limit_noted = true;
		return;
	}
	struct provenance p = { 0 };
	p.file = st->in->display;
	p.line = line;
	p.at = st->in->at;
	p.text = arena_strdup(&st->an->arena, text);
	counter_snapshot_set(&st->an->inc, st->snap, name, v, &p);
	st->n++;
}

static void pns_header_unpaired(struct pns_state *st)
{
	if (!st->have_header)
		return;
	diag_add(&st->an->diags, DIAG_TRUNCATED, st->in->display, st->header_line, st->header_off,
		 "'%s:' names line has no values line after it", st->mib);
	st->have_header = false;
}

/* The values line of a pair: match it column by column with the header. */
static void pns_values(struct pns_state *st, const struct textcur *c, struct span line,
		       struct span vals)
{
	struct analysis *an = st->an;
	const char *file = st->in->display;
	struct span names = st->header, nt, vt;
	size_t col = 0, n_names = 0, n_vals = 0;
	for (;;) {
		bool hn = span_token(&names, &nt);
		bool hv = span_token(&vals, &vt);
		n_names += hn;
		n_vals += hv;
		if (!hn || !hv) {
			/* count what is left on the longer side */
			while (hn && span_token(&names, &nt))
				n_names++;
			while (hv && span_token(&vals, &vt))
				n_vals++;
			break;
		}
		col++;
		char name[NAME_MAX_LEN];
		if (!is_name(nt)) {
			diag_add(&an->diags, DIAG_BAD_LINE, file, st->header_line, st->header_off,
				 "'%s:' column %zu: bad counter name '%.*s'", st->mib, col,
				 (int)(nt.n < 60 ? nt.n : 60), nt.p);
			continue;
		}
		if (strcmp(st->mib, "TcpExt") == 0)
			snprintf(name, sizeof(name), "%.*s", (int)nt.n, nt.p);
		else
			snprintf(name, sizeof(name), "%s%.*s", st->mib, (int)nt.n, nt.p);
		int64_t v;
		if (!span_i64(vt, &v)) {
			diag_add(&an->diags, DIAG_BAD_NUMBER, file, c->line, textcur_offset(c, &vt),
				 "'%s:' %.*s '%.*s'", st->mib, (int)nt.n, nt.p,
				 (int)(vt.n < 40 ? vt.n : 40), vt.p);
			continue;
		}
		char text[NAME_MAX_LEN + 48];
		snprintf(text, sizeof(text), "%s: %.*s %lld", st->mib, (int)nt.n, nt.p, (long long)v);
		pns_set(st, c->line, name, v, text);
	}
	if (n_names != n_vals)
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, textcur_offset(c, &line),
			 "'%s:' has %zu names (line %u) but %zu values: kept the first %zu",
			 st->mib, n_names, st->header_line, n_vals, col);
	st->have_header = false;
}

/* snmp6: "Ip6InReceives                   \t92166" */
static bool pns_snmp6_line(struct pns_state *st, const struct textcur *c, struct span t)
{
	struct span rest = t, name, val, more;
	if (!span_token(&rest, &name) || !span_token(&rest, &val) || span_token(&rest, &more))
		return false;
	if (!is_name(name) || !(name.p[0] >= 'A' && name.p[0] <= 'Z') || !looks_numeric(val))
		return false;
	int64_t v;
	if (!span_i64(val, &v)) {
		diag_add(&st->an->diags, DIAG_BAD_NUMBER, st->in->display, c->line,
			 textcur_offset(c, &val), "%.*s '%.*s'", (int)name.n, name.p,
			 (int)(val.n < 40 ? val.n : 40), val.p);
		return true;
	}
	char nm[NAME_MAX_LEN], text[NAME_MAX_LEN + 32];
	snprintf(nm, sizeof(nm), "%.*s", (int)name.n, name.p);
	snprintf(text, sizeof(text), "%.*s %lld", (int)name.n, name.p, (long long)v);
	pns_set(st, c->line, nm, v, text);
	return true;
}

static void pns_line(struct pns_state *st, const struct textcur *c, struct span line)
{
	struct analysis *an = st->an;
	const char *file = st->in->display;
	struct span t = span_trim(line);
	int64_t off = textcur_offset(c, &line);

	/* "MIB: ..." */
	size_t k = 0;
	while (k < t.n && k < MIB_MAX && is_name_char(t.p[k]))
		k++;
	bool mib_line = k > 0 && k < MIB_MAX && k < t.n && t.p[k] == ':' &&
			t.p[0] >= 'A' && t.p[0] <= 'Z';
	if (!mib_line) {
		pns_header_unpaired(st);
		if (pns_snmp6_line(st, c, t))
			return;
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "expected 'MIB: names' / 'MIB: values' or 'Name value': '%.*s'",
			 (int)(t.n < 120 ? t.n : 120), t.p);
		return;
	}
	struct span mib = span_make(t.p, k);
	struct span body = span_make(t.p + k + 1, t.n - k - 1);
	struct span probe = body, first;
	bool has_first = span_token(&probe, &first);

	if (st->have_header && span_eq(mib, st->mib) && has_first && looks_numeric(first)) {
		pns_values(st, c, line, body);
		return;
	}
	pns_header_unpaired(st);
	if (!has_first) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off, "'%.*s:' line is empty",
			 (int)mib.n, mib.p);
		return;
	}
	if (looks_numeric(first)) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "'%.*s:' values line without a names line before it", (int)mib.n, mib.p);
		return;
	}
	st->have_header = true;
	memcpy(st->mib, mib.p, mib.n);
	st->mib[mib.n] = '\0';
	st->header = body;
	st->header_line = c->line;
	st->header_off = off;
}

static int pns_parse(struct analysis *an, struct input *in, enum counter_source source)
{
	struct pns_state st = { .an = an, .in = in, .source = source };
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (c.has_nul) {
			pns_header_unpaired(&st);
			diag_add(&an->diags, DIAG_BINARY, in->display, c.line,
				 textcur_offset(&c, &line), "NUL byte in a text line, line skipped");
			continue;
		}
		if (c.cut) {
			/* a real values line is a few kB; keep nothing half-read */
			pns_header_unpaired(&st);
			diag_add(&an->diags, DIAG_LONG_LINE, in->display, c.line,
				 textcur_offset(&c, &line), "line longer than %zu bytes skipped",
				 c.max_line);
			continue;
		}
		if (span_trim(line).n == 0)
			continue;
		pns_line(&st, &c, line);
	}
	pns_header_unpaired(&st);
	in->records = st.n;
	return st.n ? 0 : -1;
}

int proc_net_netstat_parse(struct analysis *an, struct input *in)
{
	return pns_parse(an, in, CNTSRC_PROC_NETSTAT);
}

int proc_net_snmp_parse(struct analysis *an, struct input *in)
{
	return pns_parse(an, in, CNTSRC_PROC_SNMP);
}

/* /proc/net/netstat: "TcpExt: ..." header/value line pairs */
static int proc_net_netstat_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "TcpExt: ") || span_starts(l->t, "IpExt: ") ||
		    span_starts(l->t, "MPTcpExt: "))
			return sniff_strong(l);
	}
	return 0;
}

/* /proc/net/snmp: "Ip: Forwarding ...", "Tcp: RtoAlgorithm ..."; snmp6:
 * two columns "Ip6InReceives  1234", every row a counter of the v6 MIBs */
static int proc_net_snmp_sniff(const struct sniff_view *v)
{
	int snmp6 = 0, counters = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "Ip: Forwarding") || span_starts(l->t, "Tcp: RtoAlgorithm") ||
		    span_starts(l->t, "Icmp: InMsgs") || span_starts(l->t, "Udp: InDatagrams"))
			return sniff_strong(l);
		if (l->ntok == 2 && (span_starts(l->tok[0], "Ip6") || span_starts(l->tok[0], "Icmp6") ||
				     span_starts(l->tok[0], "Udp6") || span_starts(l->tok[0], "UdpLite6")))
			snmp6++;
		int64_t n;
		if (l->ntok >= 2 && sniff_is_counter_name(l->tok[0]) && span_i64(l->tok[1], &n) &&
		    (l->ntok < 3 || (l->tok[2].p[0] >= '0' && l->tok[2].p[0] <= '9')))
			counters++;
	}
	return snmp6 >= 2 && snmp6 == counters ? SNIFF_ROWS_SNMP6 : 0;
}

const struct format format_proc_net_netstat = {
	.name = "proc-net-netstat", .cls = EV_COUNTERS, .sniff = proc_net_netstat_sniff,
	.parse = proc_net_netstat_parse,
};

const struct format format_proc_net_snmp = {
	.name = "proc-net-snmp", .cls = EV_COUNTERS, .sniff = proc_net_snmp_sniff,
	.parse = proc_net_snmp_parse,
};
