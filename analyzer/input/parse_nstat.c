/* parse_nstat.c — iproute2 `nstat` output, text and --json.
 *
 * Text (misc/nstat.c dump_kern_db()/dump_incr_db()):
 *	#kernel
 *	TcpExtListenOverflows           12                 0.0
 * printed as "%-32s%-16llu%6.1f", with " (overflow)" appended by
 * dump_incr_db() when a counter went backwards. A name of 32 bytes or more
 * is glued to its value ("MPTcpExtMPCapableFallbackSYNACK" is 31; newer
 * kernels have longer ones), so such tokens are split at the trailing digits.
 * The header is "#" + info_source: "#kernel", or the nstat daemon's
 * "<pid>.<rand> sampling_interval=..." when one runs.
 *
 * JSON (--json): {"kernel":{"IpInReceives":4,...}} on one line; the inner
 * key is info_source as above. Parsed with jansson.
 *
 * Names: nstat prefixes every field with its MIB ("TcpExtListenOverflows",
 * "IpExtInOctets", "Ip6InReceives"). The incident keeps TcpExt fields bare
 * (incident.h), so "TcpExt" is stripped and every other name kept as is.
 *
 * Totals or increments: plain `nstat` prints increments since its previous
 * run (the history file in /tmp/.nstat.u$UID), `nstat -a` (--ignore) prints
 * totals, and so does the very first run of a user, when the history is
 * empty; the output itself looks the same. We take values as totals
 * (increments=false) unless the file carries a reliable marker:
 *   - " (overflow)" after a value: only dump_incr_db() prints it;
 *   - the command line was kept (a shell prompt line such as
 *     "user@host:~$ nstat", as in the kernel's snmp_counter.rst examples)
 *     and has neither -a/--ignore nor -r/--reset: the common case of an
 *     interactive `nstat` after an earlier one. A NOTE diag says so.
 * Values read as increments never feed first/last/delta spans
 * (incident_counter_span() skips them), so a wrong "increments" loses a
 * comparison, while a wrong "totals" would invent one: we only flip on a
 * marker.
 *
 * The same "Name<TAB>value" layout is /proc/net/snmp6 ("%-32s\t%lu",
 * net/ipv6/proc.c snmp6_seq_show_item()), which content sniffing may send
 * here; such lines are read the same way and the snapshot is marked
 * CNTSRC_PROC_SNMP. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"

#define PROV_TEXT_MAX 300
/* A kernel has a few hundred counters (nstat -az: 390 on 6.18); beyond this
 * a file is not what it claims, and each insert scans the snapshot. */
#define MAX_COUNTERS 4096
#define NAME_MAX_LEN 128
#define NSTAT_NAME_WIDTH 32	/* "%-32s" in dump_kern_db() */

struct nst_state {
	struct analysis *an;
	struct input *in;
	struct counter_snapshot *snap;
	bool limit_noted;
	uint64_t n;
	bool increments;
	bool saw_header;
	bool header_after_rows_noted;
	bool snmp6_layout;
	bool cmd_seen;
	bool no_history;	/* nstat said its history was stale or aged out */
};

static bool is_name_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_counter_token(struct span t)
{
	if (t.n < 2 || !(t.p[0] >= 'A' && t.p[0] <= 'Z'))
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!is_name_char(t.p[i]))
			return false;
	return true;
}

/* "0.0", "12.5": the rate column (%6.1f) */
static bool is_rate_token(struct span t)
{
	bool dot = false, digit = false;
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] == '.' && !dot)
			dot = true;
		else if (is_digit(t.p[i]))
			digit = true;
		else
			return false;
	}
	return digit;
}

/* nstat name -> incident name: strip "TcpExt", keep the rest. */
static bool nst_name(struct span raw, char *buf, size_t size)
{
	if (span_starts(raw, "TcpExt")) {
		raw.p += 6;
		raw.n -= 6;
		if (raw.n == 0)
			return false;
	}
	if (raw.n >= size)
		return false;
	memcpy(buf, raw.p, raw.n);
	buf[raw.n] = '\0';
	return true;
}

static void nst_set(struct nst_state *st, uint32_t line, const char *text, size_t text_n,
		    const char *name, int64_t v)
{
	if (!st->snap) {
		st->snap = incident_add_counter_snapshot(&st->an->inc, st->in->display,
							 st->in->index, CNTSRC_NSTAT);
		st->snap->at = st->in->at;
		st->snap->at_src = st->in->at_src;
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
	p.text = arena_strndup(&st->an->arena, text, text_n < PROV_TEXT_MAX ? text_n : PROV_TEXT_MAX);
	counter_snapshot_set(&st->an->inc, st->snap, name, v, &p);
	st->n++;
}

/* A shell prompt line with the nstat command: read its options. */
static bool nst_command(struct nst_state *st, const struct textcur *c, struct span line,
			struct span t)
{
	struct span rest = t, tok;
	bool found = false;
	while (span_token(&rest, &tok)) {
		if (span_eq(tok, "nstat") ||
		    (tok.n > 6 && memcmp(tok.p + tok.n - 6, "/nstat", 6) == 0) ||
		    (tok.n > 6 && memcmp(tok.p + tok.n - 6, "$nstat", 6) == 0)) {
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	bool totals = false;
	while (span_token(&rest, &tok)) {
		if (tok.p[0] == '|' || tok.p[0] == ';' || tok.p[0] == '>' || tok.p[0] == '&')
			break;
		if (span_eq(tok, "--ignore") || span_eq(tok, "--reset")) {
			totals = true;
		} else if (tok.n >= 2 && tok.p[0] == '-' && tok.p[1] != '-') {
			/* combined short options: -az, -asz, -ar */
			for (size_t i = 1; i < tok.n; i++)
				if (tok.p[i] == 'a' || tok.p[i] == 'r')
					totals = true;
		}
	}
	st->cmd_seen = true;
	if (!totals) {
		st->increments = true;
		diag_add(&st->an->diags, DIAG_NOTE, st->in->display, c->line,
			 textcur_offset(c, &line),
			 "nstat ran without -a: values are increments since its previous run");
	}
	return true;
}

static void nst_text_line(struct nst_state *st, const struct textcur *c, struct span line)
{
	struct analysis *an = st->an;
	const char *file = st->in->display;
	int64_t off = textcur_offset(c, &line);
	struct span t = span_trim(line);
	int tn = (int)(t.n < 120 ? t.n : 120);

	if (t.p[0] == '#' && !span_contains(t, "nstat")) {
		/* "#kernel" (or the daemon's info_source) */
		if (st->n && !st->header_after_rows_noted) {
			st->header_after_rows_noted = true;
			diag_add(&an->diags, DIAG_NOTE, file, c->line, off,
				 "a second nstat run in one file: its values replace the first's");
		}
		st->saw_header = true;
		return;
	}

	struct span rest = t, tok[5];
	size_t nt = 0;
	while (nt < 5 && span_token(&rest, &tok[nt]))
		nt++;
	if (!is_counter_token(tok[0])) {
		if (nst_command(st, c, line, t))
			return;
		/* stderr kept with the output (2>&1): nstat dropped its history
		 * (misc/nstat.c main()), so this run printed totals since boot */
		if (span_starts(t, "nstat: history is aged out") ||
		    span_starts(t, "nstat: history is stale")) {
			st->no_history = true;
			diag_add(&an->diags, DIAG_NOTE, file, c->line, off,
				 "nstat had no usable history: values are totals since boot");
			return;
		}
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "expected 'Name value rate': '%.*s'", tn, t.p);
		return;
	}
	if (nt == 5) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off, "too many columns: '%.*s'",
			 tn, t.p);
		return;
	}

	struct span name = tok[0], val;
	size_t next;
	if (nt == 1 || (is_rate_token(tok[1]) && memchr(tok[1].p, '.', tok[1].n))) {
		/* "%-32s%-16llu": a name of 32 bytes or more runs into its
		 * value. Split at the trailing digits, but not before byte 32
		 * (a name may end in digits: Icmp6InType134). */
		size_t k = name.n;
		while (k > 0 && is_digit(name.p[k - 1]))
			k--;
		if (k < NSTAT_NAME_WIDTH)
			k = NSTAT_NAME_WIDTH;
		if (name.n <= NSTAT_NAME_WIDTH || k >= name.n) {
			diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
				 "no value for %.*s", (int)(name.n < 60 ? name.n : 60), name.p);
			return;
		}
		val = span_make(name.p + k, name.n - k);
		name.n = k;
		next = 1;
	} else {
		val = tok[1];
		next = 2;
	}
	/* after the value: the rate, then " (overflow)" from dump_incr_db() */
	for (size_t i = next; i < nt; i++) {
		if (i == next && is_rate_token(tok[i]))
			continue;
		if (span_eq(tok[i], "(overflow)")) {
			st->increments = true;
			continue;
		}
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "unexpected text after the value of %.*s: '%.*s'",
			 (int)(name.n < 60 ? name.n : 60), name.p, (int)(tok[i].n < 60 ? tok[i].n : 60),
			 tok[i].p);
		return;
	}
	if (nt == 2 && next == 2 && memchr(line.p, '\t', line.n))
		st->snmp6_layout = true;	/* "%-32s\t%lu" */

	int64_t v;
	if (!span_i64(val, &v)) {
		diag_add(&an->diags, DIAG_BAD_NUMBER, file, c->line, textcur_offset(c, &val),
			 "value of %.*s '%.*s'", (int)name.n, name.p, (int)(val.n < 40 ? val.n : 40),
			 val.p);
		return;
	}
	char buf[NAME_MAX_LEN];
	if (!nst_name(name, buf, sizeof(buf))) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off, "bad counter name '%.*s'",
			 (int)(name.n < 60 ? name.n : 60), name.p);
		return;
	}
	nst_set(st, c->line, t.p, t.n, buf, v);
}

/* --json: {"kernel": {"Name": value, ...}} */
static void nst_json(struct nst_state *st, const struct textcur *c, struct span first)
{
	struct analysis *an = st->an;
	const char *file = st->in->display;
	const char *start = first.p;
	size_t len = (size_t)(st->in->buf + st->in->len - start);
	uint32_t line0 = c->line;
	json_error_t err;
	json_t *root = json_loadb(start, len, JSON_DISABLE_EOF_CHECK, &err);
	if (!root) {
		/* err.line is 1-based from `start`, which begins line0 */
		diag_add(&an->diags, DIAG_BAD_LINE, file, line0 + (uint32_t)(err.line > 0 ? err.line - 1 : 0),
			 (int64_t)(start - st->in->buf) + (err.position >= 0 ? err.position : 0),
			 "nstat --json not valid JSON at column %d: %s", err.column, err.text);
		return;
	}
	/* trailing text after the object */
	size_t used = err.position > 0 ? (size_t)err.position : len;
	if (used < len) {
		struct span tail = span_trim(span_make(start + used, len - used));
		size_t k = 0;
		while (k < tail.n && (tail.p[k] == '\n' || span_is_space(tail.p[k])))
			k++;
		if (k < tail.n)
			diag_add(&an->diags, DIAG_BAD_LINE, file, 0, (int64_t)(tail.p + k - st->in->buf),
				 "text after the nstat JSON object ignored");
	}
	if (!json_is_object(root)) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, line0, (int64_t)(start - st->in->buf),
			 "nstat --json: expected an object");
		json_decref(root);
		return;
	}
	const char *src_key;
	json_t *obj;
	json_object_foreach(root, src_key, obj) {
		json_t *counters = obj;
		if (!json_is_object(obj)) {
			/* tolerate a flat {"Name": value} object */
			counters = root;
		}
		const char *key;
		json_t *jv;
		json_object_foreach(counters, key, jv) {
			char text[200];
			if (!json_is_integer(jv)) {
				diag_add(&an->diags, DIAG_BAD_NUMBER, file, line0, -1,
					 "nstat --json: value of '%.60s' is not an integer", key);
				continue;
			}
			int64_t v = (int64_t)json_integer_value(jv);
			char buf[NAME_MAX_LEN];
			struct span raw = span_cstr(key);
			if (!is_counter_token(raw) || !nst_name(raw, buf, sizeof(buf))) {
				diag_add(&an->diags, DIAG_BAD_LINE, file, line0, -1,
					 "nstat --json: bad counter name '%.60s'", key);
				continue;
			}
			int tl = snprintf(text, sizeof(text), "\"%.120s\": %lld", key, (long long)v);
			nst_set(st, line0, text, tl > 0 ? (size_t)tl : 0, buf, v);
		}
		if (counters == root)
			break;
	}
	json_decref(root);
}

int nstat_parse(struct analysis *an, struct input *in)
{
	struct nst_state st = { .an = an, .in = in };
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (c.has_nul) {
			diag_add(&an->diags, DIAG_BINARY, in->display, c.line,
				 textcur_offset(&c, &line), "NUL byte in a text line, line skipped");
			continue;
		}
		struct span t = span_trim(line);
		if (t.n == 0)
			continue;
		if (t.p[0] == '{' && st.n == 0) {
			nst_json(&st, &c, t);
			break;
		}
		if (c.cut) {
			diag_add(&an->diags, DIAG_LONG_LINE, in->display, c.line,
				 textcur_offset(&c, &line), "line longer than %zu bytes skipped",
				 c.max_line);
			continue;
		}
		nst_text_line(&st, &c, line);
	}
	if (st.snap) {
		if (st.no_history)
			st.increments = false;
		st.snap->increments = st.increments;
		if (st.snmp6_layout && !st.saw_header && !st.cmd_seen)
			st.snap->source = CNTSRC_PROC_SNMP;
		/* nothing in the file says which mode nstat ran in: derive.c
		 * compares it with the run before (nstat_modes()) */
		st.snap->mode_guessed = st.snap->source == CNTSRC_NSTAT && !st.cmd_seen &&
					!st.increments && !st.no_history;
	}
	in->records = st.n;
	return st.n ? 0 : -1;
}

/* nstat: "#kernel" on its first line; `nstat --json` is {"kernel": {...}};
 * headerless, rows "CounterName  VALUE  [RATE]". */
static int nstat_sniff(const struct sniff_view *v)
{
	if (v->json) {
		/* a bundle manifest and our own reports are JSON too */
		if (span_contains(v->head, "\"stuckscope_bundle\"") ||
		    span_contains(v->head, "\"schema_version\""))
			return 0;
		return span_contains(v->head, "\"kernel\"") ? SNIFF_STRONG : 0;
	}
	int rows = 0, full_rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "#kernel"))
			return sniff_strong(l);
		int64_t n;
		/* the third column is the rate ("%6.1f"): a syslog line "Nov 25
		 * 09:14:02 host ..." has a name and a number too */
		if (l->ntok >= 2 && sniff_is_counter_name(l->tok[0]) && span_i64(l->tok[1], &n) &&
		    (l->ntok < 3 || is_rate_token(l->tok[2]))) {
			rows++;
			/* "TcpExtListenOverflows  1234  0.0": MIB prefix and the rate
			 * column, the whole "%-32s%-16llu%6.1f" row */
			struct span t0 = l->tok[0];
			if (l->ntok == 3 && is_rate_token(l->tok[2]) &&
			    memchr(l->tok[2].p, '.', l->tok[2].n) &&
			    (span_starts(t0, "Tcp") || span_starts(t0, "Ip") ||
			     span_starts(t0, "Udp") || span_starts(t0, "Icmp") ||
			     span_starts(t0, "Sctp") || span_starts(t0, "MPTcp")))
				full_rows++;
		}
	}
	/* one row kept by `nstat -az | grep ListenOverflows`, maybe under the
	 * command line */
	if (rows == 1 && full_rows == 1 && v->n <= 3)
		return SNIFF_ROWS_NSTAT;
	return rows >= 2 ? SNIFF_ROWS_NSTAT : 0;
}

const struct format format_nstat = {
	.name = "nstat", .cls = EV_COUNTERS, .sniff = nstat_sniff, .parse = nstat_parse,
};
