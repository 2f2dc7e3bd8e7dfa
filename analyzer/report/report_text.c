/* report_text.c — the terminal report: verdict first, then the causal chain,
 * the findings with their evidence, what was checked and found fine, and what
 * could not be read. Fits 100 columns. Strings from the evidence are shown
 * with control bytes as ^X and invalid UTF-8 as \xNN (tcpdump's
 * fn_print_char convention), so a hostile process name cannot drive the
 * terminal. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "report.h"
#include "model/rule.h"


#define WIDTH 100

struct tw {
	FILE *f;
	bool color;
	int verbose;
};

static const char *c_on(const struct tw *t, const char *code)
{
	return t->color ? code : "";
}

static const char *c_off(const struct tw *t)
{
	return t->color ? "\033[0m" : "";
}

/* Print s sanitized; returns the number of columns used (approximately:
 * one per character). */
static size_t put_clean(FILE *f, const char *s, size_t max)
{
	size_t cols = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	while (*p && cols < max) {
		unsigned char ch = *p;
		if (ch < 0x20 || ch == 0x7f) {
			fprintf(f, "^%c", ch == 0x7f ? '?' : ch + '@');
			cols += 2;
			p++;
		} else if (ch < 0x80) {
			fputc(ch, f);
			cols++;
			p++;
		} else {
			uint32_t cp;
			size_t n = utf8_decode(p, (size_t)(end - p), &cp);
			if (n) {
				fwrite(p, 1, n, f);
				cols++;
				p += n;
			} else {
				fprintf(f, "\\x%02x", ch);
				cols += 4;
				p++;
			}
		}
	}
	if (*p)
		fputs("...", f);
	return cols;
}

/* Word-wrap text (sanitized) starting at column `col`, continuing lines
 * indented by `indent`. */
static void put_wrapped(FILE *f, const char *s, size_t col, size_t indent)
{
	char word[512];
	const char *p = s ? s : "";
	bool first = true;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t n = 0;
		while (p[n] && p[n] != ' ' && n < sizeof(word) - 1)
			n++;
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		if (!first && col + 1 + n > WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		col += put_clean(f, word, sizeof(word));
		first = false;
	}
	fputc('\n', f);
}

static const char *hms(double t, char *buf, size_t n)
{
	return time_format_hms(t, buf, n);
}

static void header(const struct tw *t, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	size_t n_read = 0, n_err = 0, n_skip = 0, by_cls[EV_N] = { 0 };
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->status == INPUT_ERROR)
			n_err++;
		else if (!in->fmt)
			n_skip++;
		else {
			n_read++;
			by_cls[in->cls]++;
		}
	}
	size_t socks = by_cls[EV_SOCKETS], cnts = by_cls[EV_COUNTERS], stacks = by_cls[EV_STACKS];
	struct strbuf line = STRBUF_INIT;
	strbuf_addf(&line, "stuckscope %s — %zu input%s read", STUCKSCOPE_VERSION,
		    n_read, n_read == 1 ? "" : "s");
	const char *sep = " (";
	if (by_cls[EV_CAPTURE]) {
		strbuf_addf(&line, "%s%zu capture%s", sep, by_cls[EV_CAPTURE],
			    by_cls[EV_CAPTURE] == 1 ? "" : "s");
		sep = ", ";
	}
	if (socks && inc->sock_snaps.n > socks) {
		/* outputs appended to one file are one snapshot each */
		strbuf_addf(&line, "%s%zu socket snapshots in %zu file%s", sep,
			   inc->sock_snaps.n, socks, socks == 1 ? "" : "s");
		sep = ", ";
	} else if (socks) {
		strbuf_addf(&line, "%s%zu socket snapshot%s", sep, socks,
			   socks == 1 ? "" : "s");
		sep = ", ";
	}
	if (cnts) {
		strbuf_addf(&line, "%s%zu counter snapshot%s", sep, cnts,
			    cnts == 1 ? "" : "s");
		sep = ", ";
	}
	if (by_cls[EV_SETTINGS]) {
		strbuf_addf(&line, "%ssysctl", sep);
		sep = ", ";
	}
	if (stacks) {
		strbuf_addf(&line, "%s%zu stack dump%s", sep, stacks,
			    stacks == 1 ? "" : "s");
		sep = ", ";
	}
	if (by_cls[EV_KERNEL_LOG]) {
		strbuf_addf(&line, "%s%zu kernel log%s", sep,
			   by_cls[EV_KERNEL_LOG], by_cls[EV_KERNEL_LOG] == 1 ? "" : "s");
		sep = ", ";
	}
	if (strcmp(sep, ", ") == 0)
		strbuf_addstr(&line, ")");
	strbuf_addf(&line, ", %zu unreadable", n_err);
	if (n_skip)
		strbuf_addf(&line, ", %zu skipped", n_skip);
	strbuf_addstr(&line, ".");
	if (!isnan(inc->t_first)) {
		char a[32], b[32];
		strbuf_addf(&line, " Window %s–%s UTC (%.0f s).",
			    hms(inc->t_first, a, sizeof(a)), hms(inc->t_last, b, sizeof(b)),
			    inc->t_last - inc->t_first);
	}
	put_wrapped(t->f, line.buf, 0, 2);
	strbuf_release(&line);
	fputc('\n', t->f);
}

/* The one line after the verdict word: the root cause's title, or why
 * there is none. */
static const char *verdict_what(const struct analysis *an)
{
	if (an->root)
		return an->root->title;
	if (an->verdict == VERDICT_HEALTHY)
		return an->findings.n ? an->findings.v[0]->title : "nothing wrong";
	if (!an->inputs.n)
		return "no inputs";
	if (an->notes.n)
		return "not enough evidence to diagnose: see the notes below for what to collect";
	return "not enough evidence to diagnose: collect `ss -tanpie`, `nstat -az` twice, and "
	       "stacks during the incident (or run `stuckscope attach`)";
}

static void verdict(const struct tw *t, const struct analysis *an)
{
	const char *col = an->verdict == VERDICT_HEALTHY ? "\033[1;32m"
			  : an->verdict == VERDICT_INCONCLUSIVE ? "\033[1;33m" : "\033[1;31m";
	fprintf(t->f, "%sVERDICT%s  %s%s%s — ", c_on(t, "\033[1m"), c_off(t), c_on(t, col),
		verdict_name(an->verdict), c_off(t));
	const char *what = verdict_what(an);
	put_wrapped(t->f, what, 20 + strlen(verdict_name(an->verdict)), 9);
	if (an->root) {
		fprintf(t->f, "%sROOT%s     %s: ", c_on(t, "\033[1m"), c_off(t), an->root->rule->id);
		/* the first sentence of the detail; the findings show the rest */
		struct strbuf first = STRBUF_INIT;
		const char *d = an->root->detail ? an->root->detail : an->root->title;
		size_t n = strcspn(d, ";");
		const char *dot = strstr(d, ". ");
		if (dot && (size_t)(dot - d) < n)
			n = (size_t)(dot - d);
		strbuf_add(&first, d, n);
		put_wrapped(t->f, first.buf, 11 + strlen(an->root->rule->id), 9);
		strbuf_release(&first);
	}
	for (size_t i = 0; i < an->verdict_notes.n; i++) {
		fprintf(t->f, "%sPARTIAL%s  ", c_on(t, "\033[1;33m"), c_off(t));
		put_wrapped(t->f, an->verdict_notes.v[i], 9, 9);
	}
	fputc('\n', t->f);
}

static bool causes(const struct finding *child, const struct finding *parent)
{
	for (size_t i = 0; i < child->caused_by.n; i++)
		if (child->caused_by.v[i] == parent)
			return true;
	return false;
}

static void chain_node(const struct tw *t, const struct analysis *an, const struct finding *f,
		       int depth, bool *shown, int *n)
{
	if (depth > 8)
		return;
	for (size_t i = 0; i < an->findings.n; i++)
		if (an->findings.v[i] == f)
			shown[i] = true;
	char lead[64];
	int used = snprintf(lead, sizeof(lead), "  %d %*s%s%s", ++*n, depth * 2, "",
			    depth ? "└─ " : "", f->rule->id);
	fprintf(t->f, "%s", lead);
	/* "└─ " is 7 bytes but 3 columns */
	size_t col = (size_t)used - (depth ? 4 : 0);
	size_t pad = col < 38 ? 38 - col : 1;
	fprintf(t->f, "%*s", (int)pad, "");
	put_wrapped(t->f, f->title, col + pad, 38);
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *c = an->findings.v[i];
		if (!shown[i] && causes(c, f))
			chain_node(t, an, c, depth + 1, shown, n);
	}
}

static void chain(const struct tw *t, const struct analysis *an, bool *shown)
{
	if (!an->root)
		return;
	fprintf(t->f, "%sCAUSAL CHAIN%s\n", c_on(t, "\033[1m"), c_off(t));
	int n = 0;
	chain_node(t, an, an->root, 0, shown, &n);
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *f = an->findings.v[i];
		if (!shown[i] && f->contributing) {
			shown[i] = true;
			fprintf(t->f, "  + %-34s", f->rule->id);
			put_wrapped(t->f, f->title, 38, 38);
			fprintf(t->f, "    (contributing factor)\n");
		}
	}
	fputc('\n', t->f);
}

static void findings(const struct tw *t, const struct analysis *an)
{
	if (!an->findings.n)
		return;
	fprintf(t->f, "%sFINDINGS%s\n", c_on(t, "\033[1m"), c_off(t));
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *f = an->findings.v[i];
		const char *sc = f->severity == SEV_CRITICAL ? "\033[31m"
				 : f->severity == SEV_WARNING ? "\033[33m" : "\033[32m";
		char head[160];
		snprintf(head, sizeof(head), "%s %s%s%s %s (confidence %.2f)", f->id, c_on(t, sc),
			 severity_name(f->severity), c_off(t), f->rule->id, f->confidence);
		fprintf(t->f, "%s", head);
		if (f->caused_by.n) {
			fprintf(t->f, " — caused by");
			for (size_t c = 0; c < f->caused_by.n; c++)
				fprintf(t->f, " %s", f->caused_by.v[c]->id);
		}
		fputc('\n', t->f);
		fprintf(t->f, "   ");
		put_wrapped(t->f, f->title, 3, 3);
		if (f->detail) {
			fprintf(t->f, "   ");
			put_wrapped(t->f, f->detail, 3, 3);
		}
		if (!isnan(f->since)) {
			char a[32];
			fprintf(t->f, "   since %s UTC\n", hms(f->since, a, sizeof(a)));
		}
		size_t max_ev = t->verbose ? f->evidence.n : 4;
		for (size_t e = 0; e < f->evidence.n && e < max_ev; e++) {
			const struct evidence *ev = &f->evidence.v[e];
			struct strbuf loc = STRBUF_INIT;
			if (strncmp(ev->where, "line ", 5) == 0)
				strbuf_addf(&loc, "%s:%s", ev->file, ev->where + 5);
			else
				strbuf_addf(&loc, "%s%s%s", ev->file, ev->where[0] ? ":" : "",
					    ev->where);
			fprintf(t->f, "   [%zu] ", e + 1);
			size_t col = 8 + put_clean(t->f, loc.buf, 60);
			strbuf_release(&loc);
			size_t pad = col < 36 ? 36 - col : 2;
			fprintf(t->f, "%*s", (int)pad, "");
			if (t->verbose) {
				put_clean(t->f, ev->text, 4096);
				fputc('\n', t->f);
			} else {
				put_clean(t->f, ev->text,
					  WIDTH - 8 - (col + pad < WIDTH - 8 ? col + pad : 0));
				fputc('\n', t->f);
			}
		}
		if (f->evidence.n > max_ev)
			fprintf(t->f, "   ... %zu more (-v shows all)\n", f->evidence.n - max_ev);
		if (f->advice && f->advice[0]) {
			fprintf(t->f, "   advice: ");
			put_wrapped(t->f, f->advice, 11, 11);
		}
		fputc('\n', t->f);
	}
}

static void listing(const struct tw *t, const char *title, const char *const *items, size_t n)
{
	if (!n)
		return;
	fprintf(t->f, "%s%s%s\n", c_on(t, "\033[1m"), title, c_off(t));
	for (size_t i = 0; i < n; i++) {
		fprintf(t->f, "  - ");
		put_wrapped(t->f, items[i], 4, 4);
	}
	fputc('\n', t->f);
}

static void unreadable(const struct tw *t, const struct analysis *an)
{
	bool any = false;
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->status == INPUT_OK && !t->verbose)
			continue;
		size_t shown = 0, total = 0;
		for (size_t d = 0; d < an->diags.list.n; d++) {
			const struct diag *dg = &an->diags.list.v[d];
			if (dg->input != (int)i || (dg->sev < DIAG_SEV_WARN && !t->verbose))
				continue;
			total++;
			if (!t->verbose && shown >= 3)
				continue;
			if (!any) {
				fprintf(t->f, "%sINPUTS NOT (FULLY) READ%s\n", c_on(t, "\033[1m"),
					c_off(t));
				any = true;
			}
			char buf[1024];
			diag_format(dg, buf, sizeof(buf));
			fprintf(t->f, "  ");
			put_wrapped(t->f, buf, 2, 4);
			shown++;
		}
		if (total > shown)
			fprintf(t->f, "    ... %zu more for %s (-v shows all)\n", total - shown,
				in->display);
	}
	for (size_t d = 0; d < an->diags.list.n; d++) {
		const struct diag *dg = &an->diags.list.v[d];
		if (dg->input >= 0)
			continue;
		if (!any) {
			fprintf(t->f, "%sINPUTS NOT (FULLY) READ%s\n", c_on(t, "\033[1m"), c_off(t));
			any = true;
		}
		char buf[1024];
		diag_format(dg, buf, sizeof(buf));
		fprintf(t->f, "  ");
		put_wrapped(t->f, buf, 2, 4);
	}
	if (an->diags.suppressed)
		fprintf(t->f, "  (%zu further messages suppressed)\n", an->diags.suppressed);
	if (any)
		fputc('\n', t->f);
}

void report_text_write(FILE *out, const struct analysis *an, bool color)
{
	struct tw t = { out, color, an->opt.verbose };
	if (an->opt.quiet) {
		fprintf(out, "%s — ", verdict_name(an->verdict));
		put_clean(out, verdict_what(an), 4096);
		fputc('\n', out);
		for (size_t i = 0; i < an->verdict_notes.n; i++) {
			fputs("partial — ", out);
			put_clean(out, an->verdict_notes.v[i], 4096);
			fputc('\n', out);
		}
		return;
	}
	if (an->trigger && an->trigger->fired.n) {
		const struct trigger_fired *f = &an->trigger->fired.v[0];
		char at[40];
		fprintf(out, "stuckscope watch: triggered at %s by %s: ",
			time_format(an->trigger->at, at, sizeof(at)), f->trigger);
		put_clean(out, f->detail, 1024);
		fputc('\n', out);
		for (size_t i = 1; i < an->trigger->fired.n; i++) {
			fprintf(out, "  also %s: ", an->trigger->fired.v[i].trigger);
			put_clean(out, an->trigger->fired.v[i].detail, 1024);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	header(&t, an);
	verdict(&t, an);
	/* one flag per finding: placed in the chain already */
	bool *shown = calloc(an->findings.n ? an->findings.n : 1, sizeof(*shown));
	if (shown)
		chain(&t, an, shown);
	free(shown);
	findings(&t, an);
	/* the order the snapshots were put in, when something had to be
	 * decided beyond the times written in them (derive/order.c) */
	const char *order[2];
	size_t n_order = 0;
	if (an->inc.sock_order.why)
		order[n_order++] = an->inc.sock_order.why;
	if (an->inc.counter_order.why)
		order[n_order++] = an->inc.counter_order.why;
	listing(&t, "SNAPSHOT ORDER", order, n_order);
	listing(&t, "WHERE THE SOURCES AGREE OR NOT", (const char *const *)an->notes.v, an->notes.n);
	listing(&t, "CHECKED AND FINE", (const char *const *)an->checked.v, an->checked.n);
	unreadable(&t, an);
}
