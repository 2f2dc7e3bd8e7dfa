/* socktable.c — snapshots, noise and unusual columns shared by the socket
 * table readers (socktable.h). */
#include "socktable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void socktable_init(struct socktable *t, struct analysis *an, struct input *in, const char *what,
		    enum sock_source source)
{
	memset(t, 0, sizeof(*t));
	t->an = an;
	t->in = in;
	t->what = what;
	t->source = source;
	/* the first table: the file's time (its first line, --at, or mtime) */
	t->at = in->at;
	t->at_src = in->at_src;
}

/* Close the table being read. A table with rows none of which could be
 * read (or none TCP) is taken out again: kept, it would read as a table
 * with no sockets, and a rule would call that "nothing wrong". */
static void table_close(struct socktable *t)
{
	struct incident *inc = &t->an->inc;
	if (t->snap && t->table_rows == 0 && t->table_lost > 0) {
		if (inc->sock_snaps.n && inc->sock_snaps.v[inc->sock_snaps.n - 1] == t->snap)
			inc->sock_snaps.n--;
		t->dropped++;
	}
	t->snap = NULL;
	t->header = false;
	t->table_rows = t->table_lost = 0;
	t->own_time = false;
	t->local_clock = false;
}

static bool table_started(const struct socktable *t)
{
	return t->snap || t->header || t->table_rows || t->table_lost;
}

void socktable_time(struct socktable *t, const struct time_mark *m)
{
	double prev = t->at;
	t->foreign = false;
	enum time_source prev_src = t->at_src;
	table_close(t);
	if (!isnan(m->at)) {
		t->at = m->at;
		t->at_src = TIME_CONTENT;
		t->own_time = true;
		return;
	}
	if (!isnan(m->tod) && !isnan(prev) && (prev_src == TIME_CONTENT || prev_src == TIME_LABEL)) {
		/* a time of day after a dated snapshot: the same day, or the
		 * next one when the clock went past midnight */
		double at = floor(prev / 86400) * 86400 + m->tod;
		if (at < prev - 43200)
			at += 86400;
		t->at = at;
		t->at_src = prev_src;
		t->own_time = true;
		return;
	}
	/* a wall clock in a zone we cannot place, or a time of day with no
	 * date before it: the table is after the previous one, no more is
	 * known; it keeps the previous time (a lower bound) and its place */
	t->local_clock = isnan(m->tod);
}

void socktable_boundary(struct socktable *t)
{
	if (table_started(t))
		table_close(t);
}

void socktable_header(struct socktable *t)
{
	t->foreign = false;
	socktable_boundary(t);
	t->header = true;
	socktable_snapshot(t);
}

struct sock_snapshot *socktable_snapshot(struct socktable *t)
{
	if (t->snap)
		return t->snap;
	t->snap = incident_add_sock_snapshot(&t->an->inc, t->in->display, t->in->index, t->source);
	t->snap->at = t->at;
	t->snap->at_src = t->at_src;
	(void)t->made++;	/* incident_add_sock_snapshot() numbered it */
	t->timed += t->own_time;
	if (t->made > 1 && !t->own_time) {
		t->untimed++;
		t->local += t->local_clock;
	}
	return t->snap;
}

struct sock_row *socktable_add_row(struct socktable *t, const struct sock_row *row)
{
	struct sock_snapshot *s = socktable_snapshot(t);
	struct sock_row *r = sock_snapshot_add_row(&t->an->inc, s);
	*r = *row;
	t->table_rows++;
	t->rows++;
	return r;
}

void socktable_reject(struct socktable *t)
{
	t->table_lost++;
	t->rejected++;
}

void socktable_other(struct socktable *t)
{
	t->table_lost++;
}

enum noise_kind socktable_noise(struct socktable *t, struct span line, uint32_t lineno,
				struct span *cmd)
{
	enum noise_kind k = noise_line(line, cmd);
	if (k != NOISE_NONE)
		noise_tally_add(&t->noise, &t->an->arena, k, line, lineno);
	return k;
}

void socktable_foreign(struct socktable *t, struct span cmd)
{
	t->foreign = span_trim(cmd).n > 0;
}

bool socktable_foreign_line(struct socktable *t, struct span line, uint32_t lineno,
			    bool row_shaped)
{
	if (!t->foreign)
		return false;
	if (row_shaped) {
		t->foreign = false;
		return false;
	}
	noise_tally_add(&t->noise, &t->an->arena, NOISE_OTHER, line, lineno);
	return true;
}

/* ---- addresses and ports that are not numbers */

/* Service names as /etc/services spells them: Debian's netbase (which
 * `netstat -a` and `ss -a` print on Debian and Ubuntu) and the IANA names
 * RHEL's setup package carries (irdmi for 8000, webcache for 8080,
 * pcsync-https for 8443, cslistener for 9000). A name both use maps to the
 * same port in both (http-alt is netbase's 8080 and an alias of RHEL's
 * webcache 8080). Only ports a server under diagnosis plausibly listens
 * on; an unknown name keeps its port unknown, never guessed. */
static const struct {
	const char *name;
	uint16_t port;
} services[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 },
	{ "domain", 53 }, { "gopher", 70 }, { "finger", 79 }, { "http", 80 }, { "www", 80 },
	{ "www-http", 80 }, { "kerberos", 88 }, { "pop3", 110 }, { "sunrpc", 111 },
	{ "nntp", 119 }, { "netbios-ssn", 139 }, { "imap2", 143 }, { "imap", 143 },
	{ "snmp", 161 }, { "bgp", 179 }, { "ldap", 389 }, { "https", 443 },
	{ "microsoft-ds", 445 }, { "submissions", 465 }, { "smtps", 465 }, { "urd", 465 },
	{ "exec", 512 }, { "login", 513 }, { "shell", 514 }, { "printer", 515 },
	{ "submission", 587 }, { "ipp", 631 }, { "ldaps", 636 }, { "rsync", 873 },
	{ "imaps", 993 }, { "pop3s", 995 }, { "socks", 1080 }, { "openvpn", 1194 },
	{ "ms-sql-s", 1433 }, { "nfs", 2049 }, { "etcd-client", 2379 }, { "etcd-server", 2380 },
	{ "cvspserver", 2401 }, { "squid", 3128 }, { "mysql", 3306 }, { "svn", 3690 },
	{ "epmd", 4369 }, { "commplex-main", 5000 }, { "sip", 5060 }, { "xmpp-client", 5222 },
	{ "postgresql", 5432 }, { "postgres", 5432 }, { "amqp", 5672 }, { "x11", 6000 },
	{ "redis", 6379 }, { "ircs-u", 6697 }, { "irdmi", 8000 }, { "http-alt", 8080 },
	{ "webcache", 8080 }, { "tproxy", 8081 }, { "sunproxyadmin", 8081 }, { "us-cli", 8082 },
	{ "omniorb", 8088 }, { "radan-http", 8088 }, { "puppet", 8140 },
	{ "pcsync-https", 8443 }, { "ddi-tcp-1", 8888 }, { "cslistener", 9000 },
	{ "websm", 9090 }, { "jetdirect", 9100 }, { "git", 9418 }, { "webmin", 10000 },
	{ "zabbix-agent", 10050 }, { "zabbix-trapper", 10051 }, { "memcache", 11211 },
	{ "hkp", 11371 }, { "mongodb", 27017 },
};

uint16_t socktable_service_port(struct span name)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (span_eq(name, services[i].name))
			return services[i].port;
	return 0;
}

static bool ch_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ch_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "http-alt", "postgresql", "x11": a service name as getservbyport()
 * returns it (netstat cuts a long one, so it may end early) */
static bool service_shaped(struct span s)
{
	if (s.n == 0 || s.n > 32 || !ch_alpha(s.p[0]))
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!(ch_alpha(s.p[i]) || ch_digit(s.p[i]) || s.p[i] == '-' || s.p[i] == '_' ||
		      s.p[i] == '.' || s.p[i] == '+'))
			return false;
	return true;
}

static bool word_is(struct span s, const char *w)
{
	size_t n = strlen(w);
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return false;
	}
	return true;
}

/* One part of a dotted quad a reporter masked: "x", "xx", "xxx", "X", "a". */
static bool mask_part(struct span p)
{
	if (p.n == 0 || p.n > 3)
		return false;
	if (p.n == 1)
		return ch_alpha(p.p[0]) || p.p[0] == '*' || p.p[0] == '?' || p.p[0] == '#';
	for (size_t i = 1; i < p.n; i++)
		if (p.p[i] != p.p[0])
			return false;
	return p.p[0] == 'x' || p.p[0] == 'X' || p.p[0] == '*' || p.p[0] == '#' || p.p[0] == '?';
}

static bool word_chars(struct span s)
{
	if (s.n == 0 || s.n > 40)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!(ch_alpha(s.p[i]) || ch_digit(s.p[i]) || s.p[i] == '_' || s.p[i] == '-' ||
		      s.p[i] == '.' || s.p[i] == ' '))
			return false;
	return true;
}

/* An address someone replaced before pasting, in the shapes reporters use:
 * "********", "x.x.x.x", "10.0.x.x", "211.*.*.*", "a.b.c.d", "<redacted>",
 * "[REDACTED]", "{{ip}}", "IP", "SERVER_IP", "2001:db8:xxxx::1". Anything
 * else is not taken for a mask (a name, or not an address). */
static bool masked_shaped(struct span s)
{
	static const char *const words[] = {
		"redacted", "masked", "hidden", "removed", "censored", "anonymized", "anonymised",
		"ip", "ipaddr", "ip_address", "ip-address", "addr", "address", "host", "hostname",
		"server", "server_ip", "myip", "my_ip", "your_ip", "public_ip", "private_ip",
		"local_ip", "remote_ip", "client", "client_ip",
	};
	if (s.n == 0 || s.n > 64)
		return false;
	/* <redacted>, [REDACTED], {ip}, {{ip}} */
	if (s.n >= 3 && ((s.p[0] == '<' && s.p[s.n - 1] == '>') ||
			 (s.p[0] == '[' && s.p[s.n - 1] == ']') ||
			 (s.p[0] == '{' && s.p[s.n - 1] == '}'))) {
		struct span in = span_make(s.p + 1, s.n - 2);
		if (in.n >= 2 && in.p[0] == '{' && in.p[in.n - 1] == '}')
			in = span_make(in.p + 1, in.n - 2);
		bool letter = false;
		for (size_t i = 0; i < in.n; i++)
			letter = letter || ch_alpha(in.p[i]);
		if (letter && word_chars(in))
			return true;
		s = in;		/* [x.x.x.x], [xxxx::1] */
		if (s.n == 0)
			return false;
	}
	/* "********", "***.***.*.*", "###", "xxxx" */
	bool stars = false, only = true;
	for (size_t i = 0; i < s.n && only; i++) {
		stars = stars || s.p[i] == '*' || s.p[i] == '#' || s.p[i] == '?';
		only = strchr("*#?xX.", s.p[i]) != NULL;
	}
	if (only && stars)
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_is(s, words[i]))
			return true;
	/* all capitals: IP, SERVER_IP, NODE1_ADDR (a host name is lowercase) */
	bool caps = s.n >= 2, letter = false;
	for (size_t i = 0; i < s.n && caps; i++) {
		caps = (s.p[i] >= 'A' && s.p[i] <= 'Z') || ch_digit(s.p[i]) || s.p[i] == '_' ||
		       s.p[i] == '-';
		letter = letter || ch_alpha(s.p[i]);
	}
	if (caps && letter)
		return true;
	/* a dotted quad with placeholder parts */
	size_t parts = 0, placeholders = 0, start = 0;
	bool quad = true;
	for (size_t i = 0; i <= s.n && quad; i++) {
		if (i < s.n && s.p[i] != '.')
			continue;
		struct span p = span_make(s.p + start, i - start);
		bool num = p.n >= 1 && p.n <= 3;
		for (size_t k = 0; k < p.n && num; k++)
			num = ch_digit(p.p[k]);
		if (mask_part(p))
			placeholders++;
		else if (!num)
			quad = false;
		parts++;
		start = i + 1;
	}
	if (quad && parts == 4 && placeholders > 0)
		return true;
	/* IPv6 with x'd groups */
	bool v6 = memchr(s.p, ':', s.n) != NULL, xs = false;
	for (size_t i = 0; i < s.n && v6; i++) {
		char c = s.p[i];
		if (c == 'x' || c == 'X')
			xs = true;
		else if (!(ch_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
			   c == ':' || c == '.' || c == '*'))
			v6 = false;
	}
	return v6 && xs;
}

/* A host name as the resolver returns it ("localhost", "web1.example.com",
 * "ip-10-0-0-5.ec2.internal"); netstat cuts a long one to fit its column. */
static bool host_shaped(struct span s)
{
	bool letter = false;
	if (s.n == 0 || s.n > 253)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (!(ch_alpha(c) || ch_digit(c) || c == '-' || c == '.' || c == '_'))
			return false;
		letter = letter || ch_alpha(c);
	}
	return letter;
}

/* "xxxx": a port someone masked */
static bool all_x(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] != 'x' && s.p[i] != 'X')
			return false;
	return s.n > 0;
}

static void tally(struct socktable *t, struct field_tally *f, struct span shown, uint32_t line)
{
	if (!f->n++) {
		f->first = arena_strndup(&t->an->arena, shown.p, shown.n > 80 ? 80 : shown.n);
		f->first_line = line;
	}
}

bool socktable_endpoint(struct socktable *t, struct span f, uint32_t lineno, struct endpoint *ep)
{
	struct arena *a = &t->an->arena;
	if (endpoint_parse(a, f.p, f.n, ep))
		return true;
	memset(ep, 0, sizeof(*ep));
	if (f.n == 0 || f.n > 200)
		return false;
	/* the port follows the last ':' ("[::]:http", ":::http", "a.b:svc") */
	size_t colon = f.n;
	while (colon > 0 && f.p[colon - 1] != ':')
		colon--;
	if (colon <= 1)
		return false;
	struct span host = span_make(f.p, colon - 1);
	struct span port = span_make(f.p + colon, f.n - colon);
	uint64_t v;
	bool port_masked = false;
	if (port.n == 0)
		return false;
	if (span_eq(port, "*")) {
		ep->any_port = true;
	} else if (span_u64(port, &v)) {
		if (v > 65535)
			return false;
		ep->port = (uint16_t)v;
	} else if (masked_shaped(port) || word_is(port, "port") || all_x(port)) {
		ep->service = arena_strndup(a, port.p, port.n);
		tally(t, &t->masked, f, lineno);
		port_masked = true;
	} else if (service_shaped(port)) {
		ep->port = socktable_service_port(port);
		ep->service = arena_strndup(a, port.p, port.n);
		tally(t, ep->port ? &t->services : &t->unknown_services, port, lineno);
	} else {
		return false;
	}
	/* the address: numbers (the port was a name), "*", a mask, a name */
	char buf[220];
	if (span_eq(host, "*"))
		return true;
	if (host.n + 3 < sizeof(buf)) {
		struct endpoint num;
		memcpy(buf, host.p, host.n);
		memcpy(buf + host.n, ":0", 3);
		if (endpoint_parse(a, buf, host.n + 2, &num)) {
			ep->family = num.family;
			memcpy(ep->addr, num.addr, sizeof(ep->addr));
			ep->scope = num.scope;
			return true;
		}
	}
	if (masked_shaped(host)) {
		/* "[2001:db8:xxxx::1]": kept without the brackets, which
		 * endpoint_format() puts back around anything with a colon */
		struct span shown = host;
		if (shown.n >= 2 && shown.p[0] == '[' && shown.p[shown.n - 1] == ']' &&
		    memchr(shown.p, ':', shown.n))
			shown = span_make(shown.p + 1, shown.n - 2);
		ep->host = arena_strndup(a, shown.p, shown.n);
		ep->masked = true;
		if (!port_masked)
			tally(t, &t->masked, f, lineno);
		return true;
	}
	struct span name = host;
	if (name.n >= 2 && name.p[0] == '[' && name.p[name.n - 1] == ']')
		name = span_make(name.p + 1, name.n - 2);
	if (host_shaped(name)) {
		ep->host = arena_strndup(a, name.p, name.n);
		tally(t, &t->names, name, lineno);
		return true;
	}
	return false;
}

/* ---- end of file */

static void fields_report(struct socktable *t)
{
	char buf[900];
	size_t off = 0;
#define ADD(...)                                                                               \
	do {                                                                                   \
		int w_ = snprintf(buf + off, sizeof(buf) - off, __VA_ARGS__);                  \
		if (w_ > 0 && (size_t)w_ < sizeof(buf) - off)                                  \
			off += (size_t)w_;                                                     \
	} while (0)
	if (t->masked.n)
		ADD("%s%llu masked address%s or port%s (first '%s', line %u): unknown, while "
		    "states, queues and owners are read", off ? "; " : "",
		    (unsigned long long)t->masked.n, t->masked.n == 1 ? "" : "es",
		    t->masked.n == 1 ? "" : "s", t->masked.first, t->masked.first_line);
	if (t->names.n)
		ADD("%s%llu host name%s instead of addresses (first '%s', line %u), kept as names",
		    off ? "; " : "", (unsigned long long)t->names.n, t->names.n == 1 ? "" : "s",
		    t->names.first, t->names.first_line);
	if (t->services.n)
		ADD("%s%llu service name%s read as ports from the built-in table (first '%s' = %u)",
		    off ? "; " : "", (unsigned long long)t->services.n,
		    t->services.n == 1 ? "" : "s", t->services.first,
		    socktable_service_port(span_cstr(t->services.first)));
	if (t->unknown_services.n)
		ADD("%s%llu service name%s not in the built-in table (first '%s', line %u): "
		    "port unknown", off ? "; " : "", (unsigned long long)t->unknown_services.n,
		    t->unknown_services.n == 1 ? "" : "s", t->unknown_services.first,
		    t->unknown_services.first_line);
#undef ADD
	if (!off)
		return;
	uint32_t line = t->masked.n ? t->masked.first_line : t->names.n ? t->names.first_line
		      : t->services.n ? t->services.first_line : t->unknown_services.first_line;
	diag_add(&t->an->diags, DIAG_UNKNOWN_FIELD, t->in->display, line, -1,
		 "%s", buf);
}

int socktable_finish(struct socktable *t)
{
	table_close(t);
	char what[64];
	snprintf(what, sizeof(what), "%s", t->what);
	noise_tally_report(&t->noise, t->an, t->in, what);
	fields_report(t);
	if (t->made > 1) {
		char extra[256] = "";
		size_t off = 0;
		/* only worth saying when other snapshots of the file had times */
		if (t->untimed && (t->timed || t->local)) {
			int w = snprintf(extra, sizeof(extra),
					 "; %u without a time of its own (%s), ordered as in the file",
					 t->untimed, t->local ? "a clock in a local time zone"
							      : "no time line before it");
			off = w > 0 ? (size_t)w : 0;
		}
		if (t->dropped && off < sizeof(extra))
			snprintf(extra + off, sizeof(extra) - off,
				 "; %u table%s with no readable tcp row left out", t->dropped,
				 t->dropped == 1 ? "" : "s");
		uint32_t kept = t->made - t->dropped;
		diag_add(&t->an->diags, DIAG_NOTE, t->in->display, 0, -1,
			 "%u outputs in one file, read as %u snapshot%s (a time line, a repeated "
			 "header or a command line begins each)%s", t->made, kept,
			 kept == 1 ? "" : "s", extra);
	}
	t->in->records = t->rows;
	return t->rows == 0 && t->rejected > 0 ? -1 : 0;
}
