/* noise.c — the lines around a tool's output that are not its output
 * (noise.h). What is recognised, and where each shape comes from:
 *
 *   prompts      bash's default PS1 "\u@\h:\w\$ " (Debian, Ubuntu),
 *                "[\u@\h \W]\$ " (RHEL, CentOS), "\h:\w # " (SUSE),
 *                "sh-5.1# " / "bash-5.1$ " (no PS1), a bare "$ " or "# "
 *                (documentation, issue templates), and a command line
 *                pasted without a prompt ("ss -tan", "sudo netstat -ant");
 *   fences       markdown code fences (``` and ~~~ with a language) and
 *                the <details>/<pre> wrappers of GitHub issue forms;
 *   messages     what the tools print on stderr: iproute2's
 *                "Failed to find cgroup2 mount" (lib/fs.c,
 *                find_cgroup2_mount(): ss -e in a network namespace)
 *                and "Cannot open netlink socket" (lib/libnetlink.c,
 *                perror), "ss: ..." (misc/ss.c); net-tools' "(Not all
 *                processes could be identified, ...)" (netstat.c,
 *                prg_cache_load), "netstat: no support for `AF INET
 *                (tcp)' on this system." (lib/net-support.h, ESYSNOT),
 *                "warning, got bogus tcp line."; the shell's "cat: ...:
 *                No such file or directory", "-bash: ss: command not found";
 *   time lines   see noise_time_line().
 */
#include "noise.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timestamp.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool span_has(struct span s, char c)
{
	return s.n && memchr(s.p, c, s.n) != NULL;
}

static bool span_case_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s.p[i]) != lit[i])
			return false;
	return true;
}

struct span noise_strip_escapes(struct span s)
{
	while (s.n && s.p[0] == '\033') {
		size_t i = 1;
		if (i < s.n && s.p[i] == '[') {
			/* CSI: parameters, then one final byte 0x40..0x7e */
			i++;
			while (i < s.n && !((unsigned char)s.p[i] >= 0x40 && (unsigned char)s.p[i] <= 0x7e))
				i++;
			if (i < s.n)
				i++;
		} else if (i < s.n && s.p[i] == ']') {
			/* OSC (a terminal title in a prompt): up to BEL or ESC \ */
			while (i < s.n && s.p[i] != '\a' && !(s.p[i] == '\033' && i + 1 < s.n &&
								 s.p[i + 1] == '\\'))
				i++;
			i += i < s.n ? (s.p[i] == '\a' ? 1 : 2) : 0;
		} else if (i < s.n && strchr("()*+", s.p[i])) {
			i += 2;		/* charset selection: ESC ( B */
		} else {
			i++;
		}
		if (i > s.n)
			i = s.n;
		s.p += i;
		s.n -= i;
	}
	return s;
}

/* Commands people run to save socket tables and counters, and the shell
 * words around them in a loop they paste. A table row never starts with
 * one of them (rows start with a state, a netid, "tcp" or "N:"). */
static bool is_command_word(struct span w)
{
	static const char *const words[] = {
		"ss", "netstat", "nstat", "cat", "sysctl", "date", "watch", "while", "for", "do",
		"done", "sleep", "echo", "printf", "grep", "egrep", "awk", "sed", "sudo", "timeout",
		"tee", "head", "tail", "less", "more", "ip", "lsof", "nsenter", "kubectl", "docker",
		"cd", "ls", "uptime", "uname", "hostname", "sort", "uniq", "wc", "then", "fi",
		"if", "time", "env", "exec", "su",
	};
	/* "/usr/sbin/ss" */
	for (size_t i = w.n; i > 0; i--)
		if (w.p[i - 1] == '/') {
			w = span_make(w.p + i, w.n - i);
			break;
		}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (span_eq(w, words[i]))
			return true;
	return false;
}

static bool prompt_end(char c)
{
	return c == '$' || c == '#' || c == '%';
}

/* A token that ends a prompt: "user@host:~$", "~]#", "sh-5.1#", "$". */
static bool is_prompt_token(struct span tok, bool after_host)
{
	if (tok.n == 0 || !prompt_end(tok.p[tok.n - 1]))
		return false;
	if (tok.n == 1)
		return after_host;
	struct span body = span_make(tok.p, tok.n - 1);
	if (span_has(body, '@') || span_has(body, ':') || span_has(body, ']') ||
	    span_has(body, '~') || span_has(body, '/'))
		return true;
	/* "sh-5.1#", "bash-4.2$" */
	size_t i = 0;
	while (i < body.n && is_alpha(body.p[i]))
		i++;
	return i > 0 && i + 1 < body.n && body.p[i] == '-' && is_digit(body.p[i + 1]);
}

static bool is_prompt(struct span t, struct span *cmd)
{
	if (t.n == 1 && prompt_end(t.p[0])) {
		*cmd = span_make(t.p + 1, 0);
		return true;
	}
	if (t.n >= 2 && prompt_end(t.p[0]) && span_is_space(t.p[1])) {
		*cmd = span_trim(span_make(t.p + 1, t.n - 1));
		return true;
	}
	struct span rest = t, tok;
	bool host = false;
	for (int i = 0; i < 4 && span_token(&rest, &tok); i++) {
		if (is_prompt_token(tok, host)) {
			*cmd = span_trim(rest);
			return true;
		}
		/* "(venv)", "[root@web1", "web1:~" before the prompt's end */
		host = host || span_has(tok, '@') || span_has(tok, ':') || span_has(tok, '[') ||
		       span_has(tok, '~');
		if (!(host || (tok.n > 1 && tok.p[0] == '(' && tok.p[tok.n - 1] == ')')))
			break;
	}
	/* a command line pasted without its prompt */
	rest = t;
	if (span_token(&rest, &tok) && is_command_word(tok)) {
		*cmd = t;
		return true;
	}
	return false;
}

static bool is_fence(struct span t)
{
	if (span_starts(t, "```") || span_starts(t, "~~~"))
		return true;
	/* <details>, </details>, <summary>ss -tan</summary>, <pre>, <!-- ... --> */
	if (t.n >= 3 && t.p[0] == '<' && t.p[t.n - 1] == '>' &&
	    (is_alpha(t.p[1]) || t.p[1] == '/' || t.p[1] == '!'))
		return true;
	/* a ruler: "-----", "=====", "*****" */
	if (t.n < 3)
		return false;
	for (size_t i = 0; i < t.n; i++)
		if (!strchr("-=*_#~+", t.p[i]) && !span_is_space(t.p[i]))
			return false;
	return true;
}

static bool is_message(struct span t)
{
	static const char *const starts[] = {
		"Failed to ", "Cannot ", "Error: ", "Error ", "ERROR", "Warning: ", "WARNING: ",
		"warning, got bogus", "Unexpected EOF", "RTNETLINK answers", "(Not all processes",
		"(No info could be read", "will not be shown, you would have to be root",
		"[sudo] password", "Permission denied", "Killed", "Connection to ",
		"Terminated", "bash: ", "-bash: ", "sh: ", "zsh: ",
	};
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (span_starts(t, starts[i]))
			return true;
	/* "netstat: no support for ...", "cat: /proc/net/tcp6: No such file" */
	struct span rest = t, tok;
	if (span_token(&rest, &tok) && tok.n > 1 && tok.p[tok.n - 1] == ':' && rest.n &&
	    is_command_word(span_make(tok.p, tok.n - 1)))
		return true;
	return false;
}

enum noise_kind noise_line(struct span t, struct span *cmd)
{
	struct span none = { t.p, 0 };
	*cmd = none;
	t = span_trim(noise_strip_escapes(span_trim(t)));
	if (t.n == 0)
		return NOISE_BLANK;
	if (is_fence(t))
		return NOISE_FENCE;
	if (is_message(t))
		return NOISE_MESSAGE;
	if (is_prompt(t, cmd))
		return NOISE_PROMPT;
	return NOISE_NONE;
}

bool noise_command_args(struct span cmd, const char *tool, struct span *args)
{
	struct span rest = cmd, tok;
	while (span_token(&rest, &tok)) {
		/* "'ss", "(ss", "{ ss", "$(ss" */
		while (tok.n && strchr("'\"({`$", tok.p[0])) {
			tok.p++;
			tok.n--;
		}
		struct span base = tok;
		for (size_t i = tok.n; i > 0; i--)
			if (tok.p[i - 1] == '/') {
				base = span_make(tok.p + i, tok.n - i);
				break;
			}
		if (!span_eq(base, tool))
			continue;
		/* up to the end of this command */
		size_t n = 0;
		while (n < rest.n && !strchr("|;&<>)`'\"", rest.p[n]))
			n++;
		*args = span_make(rest.p, n);
		return true;
	}
	return false;
}

/* ---- time lines */

static int month_of(struct span w)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	if (w.n < 3 || w.n > 9)
		return -1;
	for (int m = 0; m < 12; m++) {
		bool eq = true;
		for (int k = 0; k < 3; k++)
			if (tolower((unsigned char)w.p[k]) != months[3 * m + k])
				eq = false;
		if (!eq)
			continue;
		/* "Nov", "November", "Nov." */
		for (size_t k = 3; k < w.n; k++)
			if (!is_alpha(w.p[k]) && !(k == w.n - 1 && w.p[k] == '.'))
				return -1;
		return m;
	}
	return -1;
}

static bool is_weekday(struct span w)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	if (w.n && w.p[w.n - 1] == ',')
		w.n--;
	if (w.n < 3 || w.n > 9)
		return false;
	for (size_t i = 0; i < 7; i++)
		if (tolower((unsigned char)w.p[0]) == days[i][0] &&
		    tolower((unsigned char)w.p[1]) == days[i][1] &&
		    tolower((unsigned char)w.p[2]) == days[i][2])
			return true;
	return false;
}

static bool all_digits(struct span s)
{
	if (!s.n)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!is_digit(s.p[i]))
			return false;
	return true;
}

/* "09:14:02", "9:14:02", "09:14:02.123", "09:14" */
static bool parse_clock(struct span s, double *secs)
{
	int part[3] = { 0, 0, 0 }, np = 0;
	size_t i = 0;
	double frac = 0;
	while (np < 3) {
		size_t st = i;
		int v = 0;
		while (i < s.n && is_digit(s.p[i]) && i - st < 2)
			v = v * 10 + (s.p[i++] - '0');
		if (i == st)
			return false;
		part[np++] = v;
		if (i < s.n && s.p[i] == ':' && np < 3) {
			i++;
			continue;
		}
		break;
	}
	if (np < 2)
		return false;
	if (i < s.n && (s.p[i] == '.' || s.p[i] == ',') && np == 3) {
		double scale = 0.1;
		i++;
		while (i < s.n && is_digit(s.p[i])) {
			frac += (s.p[i++] - '0') * scale;
			scale /= 10;
		}
	}
	if (i != s.n || part[0] > 23 || part[1] > 59 || part[2] > 60)
		return false;
	*secs = part[0] * 3600.0 + part[1] * 60.0 + part[2] + frac;
	return true;
}

static bool is_zone(struct span w, bool *utc)
{
	*utc = span_eq(w, "UTC") || span_eq(w, "GMT") || span_eq(w, "Z") || span_eq(w, "+0000") ||
	       span_eq(w, "-0000") || span_eq(w, "+00:00") || span_eq(w, "UTC+0") ||
	       span_eq(w, "UCT");
	if (*utc)
		return true;
	if ((w.p[0] == '+' || w.p[0] == '-') && (w.n == 5 || w.n == 6))
		return true;
	if (w.n < 2 || w.n > 5)
		return false;
	for (size_t i = 0; i < w.n; i++)
		if (!(w.p[i] >= 'A' && w.p[i] <= 'Z'))
			return false;
	return true;
}

/* `date` output in the common locales: weekday (optional), month name and
 * day in either order, year, clock, AM/PM, zone, in any order coreutils
 * prints them ("Wed Nov 25 09:14:02 UTC 2026" in C, "Wed Nov 25 09:14:02
 * AM UTC 2026" in en_US.UTF-8, "Wed 25 Nov 09:14:02 UTC 2026" in en_GB,
 * "Wed Nov 25 09:14:02 2026" from ctime() as watch prints it). Every word
 * must be one of these, so no table row can pass for a date. */
static bool parse_wall_date(struct span s, double *at)
{
	struct span rest = s, w;
	int mon = -1, day = -1, year = -1, words = 0;
	double clock = -1;
	bool pm = false, am = false, zone = false, utc = false;
	while (span_token(&rest, &w)) {
		if (++words > 8)
			return false;
		if (w.n && w.p[w.n - 1] == ',')
			w.n--;
		bool z;
		if (w.n == 0)
			return false;
		if (words == 1 && is_weekday(w) && month_of(w) < 0) {
			continue;
		} else if (mon < 0 && is_alpha(w.p[0]) && month_of(w) >= 0) {
			mon = month_of(w);
		} else if (all_digits(w) && w.n <= 2 && day < 0) {
			day = (w.p[0] - '0') * (w.n == 2 ? 10 : 1) + (w.n == 2 ? w.p[1] - '0' : 0);
		} else if (all_digits(w) && w.n == 4 && year < 0) {
			year = (w.p[0] - '0') * 1000 + (w.p[1] - '0') * 100 + (w.p[2] - '0') * 10 +
			       (w.p[3] - '0');
		} else if (clock < 0 && span_has(w, ':') && parse_clock(w, &clock)) {
			continue;
		} else if (span_case_eq(w, "am") || span_case_eq(w, "pm")) {
			if (am || pm)
				return false;
			pm = span_case_eq(w, "pm");
			am = !pm;
		} else if (!zone && is_zone(w, &z)) {
			zone = true;
			utc = z;
		} else {
			return false;
		}
	}
	if (mon < 0 || day < 1 || day > 31 || year < 1970 || year > 9999 || clock < 0)
		return false;
	if (am || pm) {
		double h = floor(clock / 3600);
		if (h < 1 || h > 12)
			return false;
		if (pm && h < 12)
			clock += 12 * 3600;
		if (am && h == 12)
			clock -= 12 * 3600;
	}
	*at = NAN;
	if (utc) {
		struct tm tm = { .tm_year = year - 1900, .tm_mon = mon, .tm_mday = day };
		*at = (double)timegm(&tm) + clock;
	}
	return true;
}

/* `date +%s` (and %s.%N): 2001-09-09 .. 2100-01-01 */
static bool parse_epoch(struct span s, double *at)
{
	size_t i = 0;
	while (i < s.n && is_digit(s.p[i]))
		i++;
	if (i < 9 || i > 10)
		return false;
	size_t j = i;
	if (j < s.n && s.p[j] == '.') {
		j++;
		while (j < s.n && is_digit(s.p[j]))
			j++;
	}
	if (j != s.n)
		return false;
	char buf[32];
	if (s.n >= sizeof(buf))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	double v = strtod(buf, NULL);
	if (v < 1e9 || v >= 4102444800.0)
		return false;
	*at = v;
	return true;
}

static struct span strip_decoration(struct span s)
{
	static const char deco[] = "=-#*[](){}<>|:";
	while (s.n && (strchr(deco, s.p[0]) || span_is_space(s.p[0]))) {
		/* keep "-0500" and the like: only strip '-' before a blank or another mark */
		if (s.p[0] == '-' && s.n > 1 && is_digit(s.p[1]))
			break;
		s.p++;
		s.n--;
	}
	while (s.n && (strchr(deco, s.p[s.n - 1]) || span_is_space(s.p[s.n - 1])))
		s.n--;
	return s;
}

/* "epoch 1764062042", "at: 2026-...", "date=...", "Timestamp: ..." */
static struct span strip_label(struct span s)
{
	static const char *const labels[] = { "epoch", "at", "date", "time", "timestamp", "ts",
					      "now", "snapshot", "taken", "sample" };
	size_t i = 0;
	while (i < s.n && is_alpha(s.p[i]))
		i++;
	if (i == 0 || i == s.n)
		return s;
	struct span w = span_make(s.p, i);
	bool label = false;
	for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
		if (span_case_eq(w, labels[k]))
			label = true;
	if (!label)
		return s;
	size_t j = i;
	while (j < s.n && (span_is_space(s.p[j]) || s.p[j] == ':' || s.p[j] == '='))
		j++;
	if (j == i)
		return s;	/* "atfoo" */
	return span_make(s.p + j, s.n - j);
}

/* watch's title line (procps watch.c, title): "Every 1.0s: CMD" on the
 * left, "HOST: ctime()" on the right, padded to the terminal width. */
static bool watch_title(struct span s, struct time_mark *m)
{
	if (!span_starts(s, "Every "))
		return false;
	size_t i = 6;
	while (i < s.n && (is_digit(s.p[i]) || s.p[i] == '.' || s.p[i] == ','))
		i++;
	if (!(s.n - i >= 2 && s.p[i] == 's' && s.p[i + 1] == ':'))
		return false;
	struct span rest = span_trim(span_make(s.p + i + 2, s.n - i - 2));
	/* the command ends at a run of two blanks */
	size_t c = 0;
	while (c < rest.n && !(span_is_space(rest.p[c]) && c + 1 < rest.n &&
			       span_is_space(rest.p[c + 1])))
		c++;
	m->cmd = span_make(rest.p, c);
	/* the date: from a weekday name on */
	for (size_t k = c; k + 3 < rest.n; k++) {
		if (k > 0 && !span_is_space(rest.p[k - 1]))
			continue;
		struct span tail = span_make(rest.p + k, rest.n - k);
		double at;
		if (is_weekday(span_make(tail.p, 3)) && parse_wall_date(tail, &at)) {
			m->at = at;
			break;
		}
	}
	return true;
}

bool noise_time_line(struct span t, struct time_mark *m)
{
	m->at = NAN;
	m->tod = NAN;
	m->cmd = span_make(t.p, 0);
	struct span s = span_trim(noise_strip_escapes(span_trim(t)));
	if (s.n == 0 || s.n > 200)
		return false;
	if (watch_title(s, m))
		return true;
	s = strip_label(strip_decoration(s));
	s = strip_decoration(s);
	if (s.n == 0 || s.n > 64 || !(is_digit(s.p[0]) || is_alpha(s.p[0]) || s.p[0] == '@'))
		return false;
	double v = time_parse(s.p, s.n);
	if (!isnan(v)) {
		m->at = v;
		return true;
	}
	if (parse_epoch(s, &v)) {
		m->at = v;
		return true;
	}
	if (is_alpha(s.p[0]) && parse_wall_date(s, &v)) {
		m->at = v;
		return true;
	}
	/* a time of day alone, perhaps with a zone: "09:14:02", "09:14:02 UTC" */
	struct span rest = s, w, z;
	if (span_token(&rest, &w) && parse_clock(w, &v) && span_has(w, ':') && w.n >= 5) {
		bool utc;
		if (span_token(&rest, &z) && !(is_zone(z, &utc) && rest.n == 0))
			return false;
		m->tod = v;
		return true;
	}
	return false;
}

/* ---- counting */

void noise_tally_add(struct noise_tally *t, struct arena *a, enum noise_kind k, struct span line,
		     uint32_t lineno)
{
	if (k <= NOISE_NONE || k >= NOISE_N)
		return;
	t->n[k]++;
	if (k != NOISE_BLANK && !t->first) {
		t->first = evidence_text(a, line);
		t->first_line = lineno;
	}
}

void noise_tally_report(const struct noise_tally *t, struct analysis *an, const struct input *in,
			const char *what)
{
	static const char *const names[NOISE_N][2] = {
		[NOISE_PROMPT] = { "shell prompt or command line", "shell prompts or command lines" },
		[NOISE_FENCE] = { "markdown fence or ruler", "markdown fences or rulers" },
		[NOISE_MESSAGE] = { "tool message (stderr)", "tool messages (stderr)" },
		[NOISE_OTHER] = { "line of another command's output",
				  "lines of other commands' output" },
	};
	uint64_t total = t->n[NOISE_PROMPT] + t->n[NOISE_FENCE] + t->n[NOISE_MESSAGE] +
			 t->n[NOISE_OTHER];
	if (!total)
		return;
	char buf[512];
	size_t off = 0;
	for (int k = NOISE_PROMPT; k < NOISE_N; k++) {
		if (!t->n[k])
			continue;
		int w = snprintf(buf + off, sizeof(buf) - off, "%s%llu %s", off ? ", " : "",
				 (unsigned long long)t->n[k], names[k][t->n[k] != 1]);
		if (w < 0 || (size_t)w >= sizeof(buf) - off)
			break;
		off += (size_t)w;
	}
	diag_add(&an->diags, DIAG_SKIPPED, in->display, t->first_line, -1,
		 "%llu line%s that %s not %s output: %s (first '%.60s')",
		 (unsigned long long)total, total == 1 ? "" : "s", total == 1 ? "is" : "are", what,
		 buf, t->first ? t->first : "");
}
