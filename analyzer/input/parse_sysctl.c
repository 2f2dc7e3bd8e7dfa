/* parse_sysctl.c — kernel settings as people save them:
 *
 *	net.core.somaxconn = 4096		sysctl -a, sysctl NAME (procps-ng)
 *	net.core.somaxconn=4096			sysctl.conf style, busybox sysctl
 *	/proc/sys/net/core/somaxconn:4096	grep -r . /proc/sys/net
 *	sysctl: permission denied on key 'net.core.bpf_jit_harden'
 *	sysctl: unable to open directory "/proc/sys/fs/binfmt_misc/"
 *
 * Values are kept as text, inner tabs included ("net.ipv4.tcp_rmem = 4096
 * \t131072\t6291456"); rules read numbers with incident_sysctl_i64().
 * Multi-line values print the key once per line (dev.cdrom.info in
 * sos-rhcos42-kernel-4.18-sysctl-a.txt): each line is kept, the last wins.
 *
 * /proc/sys paths become dotted names the way procps-ng sysctl does it
 * (sysctl.c, slashdot()): a '.' inside a path component (a VLAN interface
 * "eth0.100") becomes '/', then '/' becomes '.':
 * /proc/sys/net/ipv4/conf/eth0.100/rp_filter -> net.ipv4.conf.eth0/100.rp_filter.
 *
 * `sysctl -n` prints bare values, which cannot be named: such lines get a
 * diagnostic. kernel.hostname and kernel.osrelease also name the host and
 * kernel of the incident. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"

#define PROV_TEXT_MAX 300
#define SYSCTL_NAME_MAX 256

struct sys_state {
	struct analysis *an;
	struct input *in;
	uint64_t n;
};

/* Keys: lowercase-led, no spaces; interface names bring '-', '@', ':'... */
static bool is_key_char(char ch)
{
	return ch > ' ' && ch < 0x7f && ch != '=';
}

static bool valid_key(struct span k)
{
	if (k.n == 0 || k.n >= SYSCTL_NAME_MAX)
		return false;
	if (!((k.p[0] >= 'a' && k.p[0] <= 'z') || (k.p[0] >= 'A' && k.p[0] <= 'Z')))
		return false;
	bool dot = false;
	for (size_t i = 0; i < k.n; i++) {
		if (!is_key_char(k.p[i]))
			return false;
		if (k.p[i] == '.')
			dot = true;
	}
	return dot;
}

static void sys_add(struct sys_state *st, const struct textcur *c, struct span t, const char *name,
		    struct span value)
{
	struct analysis *an = st->an;
	struct provenance p = { 0 };
	p.file = st->in->display;
	p.line = c->line;
	p.at = st->in->at;
	p.text = arena_strndup(&an->arena, t.p, t.n < PROV_TEXT_MAX ? t.n : PROV_TEXT_MAX);
	char *v = arena_strndup(&an->arena, value.p, value.n);
	incident_add_sysctl(&an->inc, name, v, &p);
	st->n++;
	if (value.n == 0)
		return;
	if (strcmp(name, "kernel.hostname") == 0 && !an->inc.hostname)
		an->inc.hostname = v;
	else if (strcmp(name, "kernel.osrelease") == 0 && !an->inc.kernel)
		an->inc.kernel = v;
}

/* "/proc/sys/net/core/somaxconn:4096" (also "/host/proc/sys/..."). */
static bool sys_proc_path(struct sys_state *st, const struct textcur *c, struct span line,
			  struct span t)
{
	const char *colon = memchr(t.p, ':', t.n);
	if (!colon)
		return false;
	struct span path = span_make(t.p, (size_t)(colon - t.p));
	for (size_t i = 0; i < path.n; i++)
		if (path.p[i] <= ' ' || path.p[i] == '=')
			return false;	/* "name = value" whose value holds a path */
	size_t at = 0;
	bool found = false;
	for (size_t i = 0; i + 9 <= path.n; i++) {
		if (memcmp(path.p + i, "proc/sys/", 9) == 0 && (i == 0 || path.p[i - 1] == '/')) {
			at = i + 9;
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	struct span rel = span_make(path.p + at, path.n - at);
	if (rel.n == 0 || rel.n >= SYSCTL_NAME_MAX) {
		diag_add(&st->an->diags, DIAG_BAD_LINE, st->in->display, c->line,
			 textcur_offset(c, &line), "bad /proc/sys path '%.*s'",
			 (int)(path.n < 120 ? path.n : 120), path.p);
		return true;
	}
	char name[SYSCTL_NAME_MAX];
	for (size_t i = 0; i < rel.n; i++) {
		char ch = rel.p[i];
		if (ch == '.')
			ch = '/';
		else if (ch == '/')
			ch = '.';
		else if (ch <= ' ' || ch >= 0x7f) {
			diag_add(&st->an->diags, DIAG_BAD_LINE, st->in->display, c->line,
				 textcur_offset(c, &line), "bad /proc/sys path '%.*s'",
				 (int)(path.n < 120 ? path.n : 120), path.p);
			return true;
		}
		name[i] = ch;
	}
	name[rel.n] = '\0';
	/* grep output keeps the value as is: do not trim inner tabs */
	struct span value = span_trim(span_make(colon + 1, (size_t)(t.p + t.n - colon - 1)));
	sys_add(st, c, t, name, value);
	return true;
}

static void sys_line(struct sys_state *st, const struct textcur *c, struct span line)
{
	struct analysis *an = st->an;
	const char *file = st->in->display;
	int64_t off = textcur_offset(c, &line);
	struct span t = span_trim(line);
	int tn = (int)(t.n < 120 ? t.n : 120);

	if (t.p[0] == '#' || t.p[0] == ';')
		return;		/* sysctl.conf comments */
	if (span_starts(t, "sysctl: ") || span_starts(t, "grep: ") || span_starts(t, "cat: ") ||
	    span_starts(t, "error: ")) {
		/* "sysctl: permission denied on key ...", "sysctl: reading key
		 * ...", "grep: /proc/sys/...: Permission denied": the tool
		 * could not read one key; no value to keep */
		diag_add(&an->diags, DIAG_SKIPPED, file, c->line, off, "error line of the tool: '%.*s'",
			 tn, t.p);
		return;
	}
	if (sys_proc_path(st, c, line, t))
		return;
	/* name = value (the first '='; values may hold '=' themselves) */
	const char *eq = memchr(t.p, '=', t.n);
	if (eq) {
		struct span key = span_trim(span_make(t.p, (size_t)(eq - t.p)));
		if (valid_key(key)) {
			struct span value = span_trim(span_make(eq + 1, (size_t)(t.p + t.n - eq - 1)));
			char name[SYSCTL_NAME_MAX];
			memcpy(name, key.p, key.n);
			name[key.n] = '\0';
			sys_add(st, c, t, name, value);
			return;
		}
	}
	if (eq)
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off, "bad sysctl name: '%.*s'", tn,
			 t.p);
	else
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "expected 'name = value' (sysctl -n output cannot be named): '%.*s'", tn,
			 t.p);
}

int sysctl_parse(struct analysis *an, struct input *in)
{
	struct sys_state st = { .an = an, .in = in };
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (input_records_full(an, in, &c, line, st.n, "settings"))
			break;
		if (c.has_nul) {
			diag_add(&an->diags, DIAG_BINARY, in->display, c.line,
				 textcur_offset(&c, &line), "NUL byte in a text line, line skipped");
			continue;
		}
		if (c.cut) {
			diag_add(&an->diags, DIAG_LONG_LINE, in->display, c.line,
				 textcur_offset(&c, &line), "line longer than %zu bytes skipped",
				 c.max_line);
			continue;
		}
		if (span_trim(line).n == 0)
			continue;
		sys_line(&st, &c, line);
	}
	in->records = st.n;
	return st.n ? 0 : -1;
}

static bool is_sysctl_name(struct span t)
{
	/* the roots of /proc/sys: "self.x = 1" in a Python file is no sysctl */
	static const char *const roots[] = { "net.", "kernel.", "vm.", "fs.", "dev.", "user.",
					     "abi.", "debug.", "sunrpc.", "crypto." };
	bool rooted = false;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (span_starts(t, roots[i]))
			rooted = true;
	if (!rooted)
		return false;
	size_t dots = 0;
	for (size_t i = 0; i < t.n; i++) {
		char ch = t.p[i];
		if (ch == '.' || ch == '/')
			dots++;
		else if (!isalnum((unsigned char)ch) && ch != '_' && ch != '-')
			return false;
	}
	return dots >= 1;
}

/* sysctl -a: "net.core.somaxconn = 4096"; copies of /proc/sys as
 * "/proc/sys/net/core/somaxconn:4096" (grep -r . /proc/sys/net) */
static int sysctl_sniff(const struct sniff_view *v)
{
	int rows = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (l->ntok >= 2 && is_sysctl_name(l->tok[0]) && span_eq(l->tok[1], "="))
			rows++;
		if (span_starts(l->t, "/proc/sys/") && memchr(l->t.p, ':', l->t.n))
			rows++;
	}
	return rows ? SNIFF_ROWS_SYSCTL : 0;
}

const struct format format_sysctl = {
	.name = "sysctl", .cls = EV_SETTINGS, .sniff = sysctl_sniff, .parse = sysctl_parse,
};
