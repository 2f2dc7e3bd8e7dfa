/* report_html.c — one self-contained HTML page for the post-mortem
 * (DESIGN.md job 3): the verdict, the causal chain, a timeline drawn from the
 * capture series and the snapshots, the workers with a swimlane of their
 * threads' states, aggregated stacks, the wait-for graph when mutex owners
 * are known, every finding with its quoted evidence, what was checked, and
 * what could not be read.
 *
 * Inline CSS and inline SVG only: no script, no external font, image or
 * request, so the file opens offline as an attachment; a Content-Security-
 * Policy forbids scripts and requests besides. No wall-clock "now": the same
 * inputs give a byte-identical page.
 *
 * Every string from the evidence goes through esc(): & < > " ' become
 * entities, control bytes, C1 controls, bidi overrides and invalid UTF-8
 * become U+FFFD, and long strings are cut (with "…") at a number of
 * characters, never inside a UTF-8 sequence. A hostile process name cannot
 * inject markup or drive the reader's display.
 *
 * Writers render; they compute nothing new. What is counted here (CLOSE-WAIT
 * rows per snapshot, LISTEN Recv-Q per snapshot, ListenOverflows between
 * consecutive counter snapshots, identical stacks) is aggregation for
 * display of facts the incident already holds. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "derive/classify.h"
#include "report.h"
#include "model/rule.h"

#define UTF8_REPLACEMENT "\xef\xbf\xbd"
#define UTF8_ELLIPSIS "\xe2\x80\xa6"

/* display limits, in characters */
#define MAX_SHORT 64		/* process and thread names */
#define MAX_PATH 200		/* file paths */
#define MAX_LINE 400		/* a quoted evidence line */
#define MAX_PROSE 2000		/* titles, details, advice */
#define MAX_EVIDENCE 60		/* evidence rows per finding */
#define MAX_MESSAGES 25		/* diagnostics per input */
#define MAX_LANE_THREADS 48	/* swimlane rows per process */
#define MAX_LANE_COLS 64	/* swimlane columns (sample moments) */
#define MAX_STACK_FRAMES 80

/* ------------------------------------------------------------------ escaping */

/* Code points that must not reach the page as they are: C1 controls, and the
 * bidi embeddings/overrides/isolates that reorder what the reader sees. */
static bool cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

/* Escaped text for element content and attribute values alike; at most
 * `max` characters (0: no limit), then "…". */
static void esc_n(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	size_t chars = 0;
	while (*p) {
		if (max && chars >= max) {
			fputs(UTF8_ELLIPSIS, f);
			return;
		}
		chars++;
		uint32_t cp;
		size_t n = utf8_decode(p, (size_t)(end - p), &cp);
		if (!n) {
			fputs(UTF8_REPLACEMENT, f);
			p++;
			continue;
		}
		if (n == 1) {
			switch (cp) {
			case '<': fputs("&lt;", f); break;
			case '>': fputs("&gt;", f); break;
			case '&': fputs("&amp;", f); break;
			case '"': fputs("&quot;", f); break;
			case '\'': fputs("&#39;", f); break;
			case '\t': fputc(' ', f); break;
			default:
				if (cp < 0x20 || cp == 0x7f)
					fputs(UTF8_REPLACEMENT, f);
				else
					fputc((int)cp, f);
			}
		} else if (cp_hidden(cp)) {
			fputs(UTF8_REPLACEMENT, f);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}

static void esc(FILE *f, const char *s)
{
	esc_n(f, s, MAX_PROSE);
}

/* ------------------------------------------------------------------ small helpers */

static const char *hms(double t, char *buf, size_t n)
{
	return time_format_hms(t, buf, n);
}

static bool timed(enum time_source src, double at)
{
	return !isnan(at) && (src == TIME_CONTENT || src == TIME_LABEL);
}

struct pt {
	double t, v;
};

struct ptv {
	struct pt *v;
	size_t n, cap;
};

static void ptv_push(struct ptv *a, double t, double v)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		struct pt *nv = realloc(a->v, nc * sizeof(*nv));
		if (!nv)
			return;
		a->v = nv;
		a->cap = nc;
	}
	a->v[a->n].t = t;
	a->v[a->n].v = v;
	a->n++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

/* A "nice" axis maximum >= m and its tick step (1, 2, 5 times a power of ten). */
static double nice_max(double m, double *step)
{
	if (!(m > 0))
		m = 1;
	double mag = pow(10, floor(log10(m)));
	double st = mag;
	static const double mults[] = { 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10 };
	for (size_t i = 0; i < sizeof(mults) / sizeof(mults[0]); i++) {
		st = mag * mults[i];
		if (m / st <= 5)
			break;
	}
	if (st < 1)
		st = 1;	/* counts are whole numbers */
	*step = st;
	return ceil(m / st) * st;
}

static const char *sev_class(enum severity s)
{
	return severity_name(s);
}

/* The part of a text up to its first sentence end or semicolon (as the text
 * report's ROOT line). */
static void first_sentence(FILE *f, const char *d)
{
	size_t n = strcspn(d, ";");
	const char *dot = strstr(d, ". ");
	if (dot && (size_t)(dot - d) < n)
		n = (size_t)(dot - d);
	char buf[MAX_PROSE];
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < sizeof(buf) - 1 ? n : sizeof(buf) - 1), d);
	esc(f, buf);
}

static bool causes(const struct finding *child, const struct finding *parent)
{
	for (size_t i = 0; i < child->caused_by.n; i++)
		if (child->caused_by.v[i] == parent)
			return true;
	return false;
}

static const char *thread_state_label(enum thread_state s)
{
	switch (s) {
	case THR_STUCK: return "stuck";
	case THR_WAITING_FOR_WORK: return "waiting for work";
	case THR_RUNNING: return "running";
	case THR_SLEEPING: return "sleeping";
	default: return "unknown";
	}
}

/* ------------------------------------------------------------------ style */

static const char css[] =
	":root{--fg:#1d232a;--mut:#5f6b76;--line:#d9dee3;--bg2:#f5f7f9;--crit:#c62828;"
	"--warn:#b26a00;--info:#2e7d32;--stuck:#d62728;--wait:#2ca02c;--run:#1f77b4;"
	"--sleep:#a7b1bb;--unk:#eceff1}"
	"*{box-sizing:border-box}"
	"body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
	"margin:0 auto;padding:1.2em 2em 4em;max-width:1180px}"
	"h1{font-size:1.35em;margin:.2em 0}h2{font-size:1.12em;margin:2em 0 .6em;padding-bottom:.2em;"
	"border-bottom:2px solid var(--line)}h3{font-size:1em;margin:.3em 0}"
	"a{color:#1558b0;text-decoration:none}a:hover{text-decoration:underline}"
	"nav{font-size:.9em;margin:.4em 0 1em}nav a{margin-right:1em}"
	".muted{color:var(--mut)}.small{font-size:.88em}"
	".verdict{border-radius:8px;padding:.8em 1.1em;margin:.8em 0;border-left:8px solid}"
	".v-healthy{background:#e8f5e9;border-color:#2e7d32}.v-degraded{background:#fff4e0;"
	"border-color:#e08a00}.v-outage{background:#fdecea;border-color:#c62828}"
	".v-inconclusive{background:#eef0f2;border-color:#78848f}"
	".verdict .big{font-size:1.25em;font-weight:600}.verdict .vw{text-transform:uppercase;"
	"letter-spacing:.04em;font-weight:700;margin-right:.4em}"
	".verdict .root{margin-top:.35em}"
	"ul.chain,ul.chain ul{list-style:none;padding-left:1.4em;margin:.2em 0}"
	"ul.chain{padding-left:0}ul.chain li{margin:.25em 0}"
	"ul.chain ul>li{border-left:2px solid var(--line);padding-left:.7em}"
	".fid{display:inline-block;min-width:2.2em;font-weight:700}"
	".sev{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.8em;font-weight:600;"
	"color:#fff;vertical-align:1px}.sev.critical{background:var(--crit)}"
	".sev.warning{background:var(--warn)}.sev.info{background:var(--info)}"
	".rule{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg2);"
	"padding:0 .3em;border-radius:3px}"
	"table{border-collapse:collapse;margin:.5em 0;width:100%}"
	"td,th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}"
	"th{background:var(--bg2);font-weight:600;font-size:.92em}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"code,pre,.mono{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
	"pre{margin:0;white-space:pre-wrap;word-break:break-all}"
	".finding{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:6px;"
	"padding:.6em 1em;margin:1em 0}.finding.critical{border-left-color:var(--crit)}"
	".finding.warning{border-left-color:var(--warn)}.finding.info{border-left-color:var(--info)}"
	".finding .title{font-weight:600;margin:.3em 0}"
	".facts{display:flex;flex-wrap:wrap;gap:.3em .6em;margin:.4em 0;padding:0;list-style:none}"
	".facts li{background:var(--bg2);border-radius:3px;padding:0 .45em;font-size:.88em}"
	".advice{background:#eef5ff;border-radius:4px;padding:.45em .8em;margin:.5em 0}"
	"table.ev td:first-child,table.ev td:nth-child(3){white-space:nowrap}"
	"table.ev pre{background:var(--bg2);"
	"padding:.15em .4em;border-radius:3px}"
	".chart{border:1px solid var(--line);border-radius:6px;padding:.5em;background:#fff}"
	"svg{max-width:100%;height:auto}svg text{font-family:system-ui,sans-serif}"
	".st{display:inline-block;border-radius:3px;padding:0 .45em;font-size:.85em;font-weight:600}"
	".st-stuck{background:#fde0e0;color:#a31515}.st-healthy{background:#e3f4e4;color:#1b5e20}"
	".st-busy{background:#e3eefb;color:#0d47a1}.st-idle{background:#eef0f2;color:#37474f}"
	".st-gone,.st-unknown{background:#f3f3f3;color:#666}"
	".in-ok{color:var(--info)}.in-partial{color:var(--warn)}.in-error{color:var(--crit);"
	"font-weight:600}"
	".key{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-1px;"
	"margin:0 .25em 0 .8em}"
	"details{border:1px solid var(--line);border-radius:6px;margin:.6em 0;padding:.3em .8em}"
	"details>summary{cursor:pointer;font-weight:600}"
	".group{margin:.6em 0 .9em}.group .who{font-size:.9em;color:var(--mut)}"
	"ol.stack{margin:.3em 0;padding-left:3.2em;font:12.5px/1.45 ui-monospace,Menlo,Consolas,monospace}"
	"ol.stack li.hot{background:#fde0e0;font-weight:700}ol.stack li.site{background:#eef2f6}"
	"ol.stack .loc{color:var(--mut)}"
	"ol.stack li.py .fn{color:#6a1b9a}"
	".notes li,.checked li{margin:.2em 0}.checked li::marker{content:'\\2713  ';color:#2e7d32}"
	"@media print{nav{display:none}details{break-inside:avoid}}";

/* ------------------------------------------------------------------ header, verdict, chain */

static void header(FILE *f, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	size_t n_read = 0, n_err = 0, n_partial = 0, n_skip = 0;
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		if (in->status == INPUT_ERROR)
			n_err++;
		else if (!in->fmt)
			n_skip++;
		else
			n_read++;
		if (in->status == INPUT_PARTIAL)
			n_partial++;
	}
	fputs("<header><h1>Why did the server stop answering? — stuckscope report</h1>\n", f);
	fprintf(f, "<p class=\"muted small\">stuckscope %s · %zu input%s read", STUCKSCOPE_VERSION,
		n_read, n_read == 1 ? "" : "s");
	if (n_partial)
		fprintf(f, " (%zu partly)", n_partial);
	fprintf(f, ", <a href=\"#inputs\">%zu unreadable</a>", n_err);
	if (n_skip)
		fprintf(f, ", %zu skipped", n_skip);
	if (!isnan(inc->t_first)) {
		char a[40], b[40];
		fprintf(f, " · window %s – %s UTC (%.0f s)", time_format(inc->t_first, a, sizeof(a)),
			hms(inc->t_last, b, sizeof(b)), inc->t_last - inc->t_first);
	}
	if (inc->hostname) {
		fputs(" · host ", f);
		esc_n(f, inc->hostname, MAX_SHORT);
	}
	if (inc->kernel) {
		fputs(" · kernel ", f);
		esc_n(f, inc->kernel, MAX_SHORT);
	}
	fputs("</p>\n<nav><a href=\"#verdict\">Verdict</a><a href=\"#chain\">Causal chain</a>"
	      "<a href=\"#timeline\">Timeline</a><a href=\"#findings\">Findings</a>"
	      "<a href=\"#evidence\">Evidence</a><a href=\"#workers\">Workers</a>"
	      "<a href=\"#stacks\">Stacks</a><a href=\"#checked\">Checked</a>"
	      "<a href=\"#inputs\">Inputs</a></nav></header>\n", f);
}

static void verdict(FILE *f, const struct analysis *an)
{
	fprintf(f, "<section id=\"verdict\" class=\"verdict v-%s\" data-verdict=\"%s\">"
		   "<div class=\"big\"><span class=\"vw\" data-field=\"verdict\">%s</span> — ",
		verdict_name(an->verdict), verdict_name(an->verdict), verdict_name(an->verdict));
	if (an->root)
		esc(f, an->root->title);
	else if (an->verdict == VERDICT_HEALTHY)
		esc(f, an->findings.n ? an->findings.v[0]->title : "nothing wrong");
	else if (!an->inputs.n)
		fputs("no inputs", f);
	else
		fputs("not enough evidence to diagnose: collect <code>ss -tanpie</code>, "
		      "<code>nstat -az</code> twice, and stacks during the incident (or run "
		      "<code>stuckscope attach</code>)", f);
	fputs("</div>\n", f);
	if (an->root) {
		fprintf(f, "<div class=\"root\"><b>Root cause</b> <a href=\"#%s\">%s</a> "
			   "<span class=\"rule\" data-field=\"root-rule\">",
			an->root->id, an->root->id);
		esc(f, an->root->rule->id);
		fputs("</span>: ", f);
		first_sentence(f, an->root->detail ? an->root->detail : an->root->title);
		fputs("</div>\n", f);
	} else {
		fputs("<div class=\"root muted\">No root cause: <span data-field=\"root-rule\">"
		      "none</span></div>\n", f);
	}
	for (size_t i = 0; i < an->verdict_notes.n; i++) {
		fputs("<div class=\"root partial\" data-field=\"verdict-note\"><b>Read in part</b> ", f);
		esc(f, an->verdict_notes.v[i]);
		fputs("</div>\n", f);
	}
	fputs("</section>\n", f);
}

static void chain_node(FILE *f, const struct analysis *an, const struct finding *x, int depth,
		       bool *shown)
{
	if (depth > 12)
		return;
	for (size_t i = 0; i < an->findings.n; i++)
		if (an->findings.v[i] == x)
			shown[i] = true;
	fprintf(f, "<li><a class=\"fid\" href=\"#%s\">%s</a> <span class=\"sev %s\">%s</span> "
		   "<span class=\"rule\">",
		x->id, x->id, sev_class(x->severity), severity_name(x->severity));
	esc(f, x->rule->id);
	fputs("</span> ", f);
	esc(f, x->title);
	bool open = false;
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *c = an->findings.v[i];
		if (shown[i] || !causes(c, x))
			continue;
		if (!open)
			fputs("<ul>", f);
		open = true;
		chain_node(f, an, c, depth + 1, shown);
	}
	if (open)
		fputs("</ul>", f);
	fputs("</li>\n", f);
}

static void chain(FILE *f, const struct analysis *an)
{
	fputs("<section id=\"chain\"><h2>Causal chain</h2>\n", f);
	if (!an->root) {
		fprintf(f, "<p class=\"muted\">No causal chain: %s.</p>",
			an->verdict == VERDICT_HEALTHY ? "nothing wrong was found"
						       : "no finding explains the others");
		fputs("</section>\n", f);
		return;
	}
	bool *shown = calloc(an->findings.n + 1, sizeof(*shown));
	if (!shown) {
		fputs("</section>\n", f);
		return;
	}
	fputs("<p class=\"muted small\">Each step is caused by the one above it.</p>"
	      "<ul class=\"chain\">", f);
	chain_node(f, an, an->root, 0, shown);
	fputs("</ul>\n", f);
	bool any = false;
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *x = an->findings.v[i];
		if (shown[i] || !x->contributing)
			continue;
		if (!any)
			fputs("<p><b>Contributing factors</b></p><ul class=\"chain\">", f);
		any = true;
		shown[i] = true;
		fprintf(f, "<li>+ <a class=\"fid\" href=\"#%s\">%s</a> <span class=\"sev %s\">%s"
			   "</span> <span class=\"rule\">",
			x->id, x->id, sev_class(x->severity), severity_name(x->severity));
		esc(f, x->rule->id);
		fputs("</span> ", f);
		esc(f, x->title);
		fputs("</li>\n", f);
	}
	if (any)
		fputs("</ul>\n", f);
	free(shown);
	fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ timeline */

#define TL_W 1000.0
#define TL_ML 96.0
#define TL_MR 24.0

struct timeline {
	const struct listener *l;
	const struct capture_stats *cap;
	struct ptv ovf;		/* ListenOverflows totals, one per moment */
	struct ptv recvq;	/* deepest LISTEN Recv-Q per socket snapshot */
	struct ptv limit;	/* accept-queue limit per socket snapshot, when known */
	struct ptv cw;		/* CLOSE-WAIT rows per full socket snapshot */
	struct ptv synrecv;	/* SYN-RECV (half-open) rows per full socket snapshot */
	bool any_synrecv;
	struct ptv ss_at, cnt_at, stk_at;	/* snapshot moments (v: 1 full table) */
	size_t sock_untimed, cnt_untimed, stk_untimed, ovf_reset;
	bool ovf_increments;
	double t0, t1;
};

static double tx(const struct timeline *t, double at)
{
	return TL_ML + (at - t->t0) / (t->t1 - t->t0) * (TL_W - TL_ML - TL_MR);
}

static bool row_on_listener(const struct sock_row *r, const struct listener *l)
{
	if (!l)
		return true;
	if (r->local.port != l->addr.port)
		return false;
	return endpoint_is_any(&l->addr) || endpoint_is_any(&r->local) ||
	       endpoint_equal(&r->local, &l->addr);
}

static const struct listener *chart_listener(const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	const char *want = an->root && an->root->listener ? an->root->listener : NULL;
	for (size_t i = 0; !want && i < an->findings.n; i++)
		want = an->findings.v[i]->listener;
	for (size_t i = 0; want && i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->name && strcmp(inc->listeners.v[i]->name, want) == 0)
			return inc->listeners.v[i];
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->capture)
			return inc->listeners.v[i];
	return inc->listeners.n ? inc->listeners.v[0] : NULL;
}

/* Distinct moments (within half a second, like stack_model.h's
 * SAMPLE_SAME_TIME_S) of a sorted time list, into out. */
static void merge_moments(double *v, size_t n, struct ptv *out)
{
	qsort(v, n, sizeof(double), cmp_double);
	for (size_t i = 0; i < n; i++)
		if (!out->n || v[i] - out->v[out->n - 1].t > 0.5)
			ptv_push(out, v[i], 1);
}

static void timeline_gather(const struct analysis *an, struct timeline *t)
{
	const struct incident *inc = &an->inc;
	memset(t, 0, sizeof(*t));
	t->l = chart_listener(an);
	t->cap = t->l ? t->l->capture : NULL;
	/* socket snapshots */
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		const struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (!timed(s->at_src, s->at)) {
			t->sock_untimed++;
			continue;
		}
		ptv_push(&t->ss_at, s->at, s->listen_only ? 0 : 1);
		int64_t q = -1, lim = -1;
		uint32_t cw = 0, sr = 0;
		bool shows_listener = !t->l;
		for (size_t r = 0; r < s->rows.n; r++) {
			const struct sock_row *row = &s->rows.v[r];
			if (!row_on_listener(row, t->l))
				continue;
			if (row->state == TCP_LISTEN)
				shows_listener = true;
			if (row->state == TCP_LISTEN && row->have_queues && t->l) {
				if ((int64_t)row->recv_q > q)
					q = row->recv_q;
				if (s->listen_send_q_is_limit && (int64_t)row->send_q > lim)
					lim = row->send_q;
			}
			if (row->state == TCP_CLOSE_WAIT)
				cw++;
			if (row->state == TCP_SYN_RECV || row->state == TCP_NEW_SYN_RECV)
				sr++;
		}
		if (q >= 0) {
			ptv_push(&t->recvq, s->at, (double)q);
			if (lim < 0 && t->l && t->l->backlog >= 0)
				lim = t->l->backlog;
			if (lim >= 0)
				ptv_push(&t->limit, s->at, (double)lim);
		}
		/* a table without the listener (/proc/net/tcp6 for an IPv4
		 * listener) says nothing about its connections */
		if (!s->listen_only && shows_listener) {
			ptv_push(&t->cw, s->at, cw);
			ptv_push(&t->synrecv, s->at, sr);
			if (sr)
				t->any_synrecv = true;
		}
	}
	/* counter snapshots: ListenOverflows totals; several tools read at the
	 * same moment count once */
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		const struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (!timed(s->at_src, s->at)) {
			t->cnt_untimed++;
			continue;
		}
		if (!t->cnt_at.n || s->at - t->cnt_at.v[t->cnt_at.n - 1].t > 0.5)
			ptv_push(&t->cnt_at, s->at, 1);
		const struct counter *c = counter_snapshot_find(s, "ListenOverflows");
		if (!c)
			continue;
		if (s->increments) {
			t->ovf_increments = true;
			continue;
		}
		if (t->ovf.n && s->at - t->ovf.v[t->ovf.n - 1].t <= 0.5) {
			if ((double)c->value > t->ovf.v[t->ovf.n - 1].v)
				t->ovf.v[t->ovf.n - 1].v = (double)c->value;
			continue;
		}
		ptv_push(&t->ovf, s->at, (double)c->value);
	}
	for (size_t i = 1; i < t->ovf.n; i++)
		if (t->ovf.v[i].v < t->ovf.v[i - 1].v)
			t->ovf_reset++;
	/* stack sample moments */
	size_t n = 0, cap = 0;
	double *times = NULL;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		for (size_t k = 0; k < p->threads.n; k++)
			for (size_t s = 0; s < p->threads.v[k].samples.n; s++) {
				double at = p->threads.v[k].samples.v[s].src.at;
				if (isnan(at)) {
					t->stk_untimed++;
					continue;
				}
				if (n == cap) {
					size_t nc = cap ? cap * 2 : 64;
					double *nv = realloc(times, nc * sizeof(*nv));
					if (!nv)
						break;
					times = nv;
					cap = nc;
				}
				times[n++] = at;
			}
	}
	if (n)
		merge_moments(times, n, &t->stk_at);
	free(times);
	/* the x range: everything drawn */
	double lo = INFINITY, hi = -INFINITY;
#define SPAN(x) do { if ((x) < lo) lo = (x); if ((x) > hi) hi = (x); } while (0)
	if (t->cap && t->cap->series.n) {
		SPAN((double)t->cap->series.v[0].t);
		SPAN((double)t->cap->series.v[t->cap->series.n - 1].t + 1);
	}
	const struct ptv *all[] = { &t->ss_at, &t->cnt_at, &t->stk_at };
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < all[k]->n; i++)
			SPAN(all[k]->v[i].t);
#undef SPAN
	t->t0 = lo;
	t->t1 = hi;
	if (isfinite(lo) && hi - lo < 2) {
		t->t0 = lo - 1;
		t->t1 = hi + 1;
	}
}

static void timeline_free(struct timeline *t)
{
	free(t->ovf.v);
	free(t->recvq.v);
	free(t->limit.v);
	free(t->cw.v);
	free(t->synrecv.v);
	free(t->ss_at.v);
	free(t->cnt_at.v);
	free(t->stk_at.v);
}

/* Legend entry at (*x, y); advances *x. */
static void legend(FILE *f, double *x, double y, const char *color, const char *label,
		   bool dashed)
{
	if (dashed)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			   "stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
			*x, y - 4, *x + 16, y - 4, color);
	else
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"9\" rx=\"2\" "
			   "fill=\"%s\"/>", *x, y - 9, color);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11.5\" fill=\"#333\">%s</text>",
		*x + (dashed ? 20 : 16), y, label);
	*x += (dashed ? 20 : 16) + 6.4 * (double)strlen(label) + 16;
}

/* A panel's frame: title and legend line at y, plot area [py, py + h],
 * horizontal grid with y labels up to ymax. Returns the plot's top. */
static double panel(FILE *f, double y, double h, const char *title, double ymax, double step)
{
	double py = y + 20;
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12.5\" font-weight=\"600\" "
		   "fill=\"#1d232a\">%s</text>", 4.0, y + 11, title);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		   "stroke=\"#d9dee3\"/>", TL_ML, py, TL_W - TL_ML - TL_MR, h);
	/* axis ticks: the 1e-9 slack keeps the last one; a tick more or less is harmless
	 * NOLINTNEXTLINE(clang-analyzer-security.FloatLoopCounter) */
	for (double v = 0; v <= ymax + 1e-9; v += step) {
		double yy = py + h - v / ymax * h;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e9ec\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10.5\" text-anchor=\"end\" "
			   "fill=\"#5f6b76\">%.0f</text>",
			TL_ML, yy, TL_W - TL_MR, yy, TL_ML - 5, yy + 3.5, v);
	}
	return py;
}

static void time_axis(FILE *f, const struct timeline *t, double top, double y)
{
	static const double steps[] = { 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800,
					3600, 7200, 10800, 21600, 43200, 86400 };
	double span = t->t1 - t->t0, step = steps[0];
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		step = steps[i];
		if (span / step <= 10)
			break;
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#5f6b76\"/>",
		TL_ML, y, TL_W - TL_MR, y);
	int count = 0;
	for (double v = ceil(t->t0 / step) * step; v <= t->t1 && count < 40; v += step, count++) {
		double x = tx(t, v);
		time_t sec = (time_t)v;
		struct tm tm;
		gmtime_r(&sec, &tm);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eef0f2\"/>"
			   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#5f6b76\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10.5\" text-anchor=\"middle\" "
			   "fill=\"#333\">%02d:%02d:%02d</text>",
			x, top, x, y, x, y, x, y + 4, x, y + 16, tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10.5\" text-anchor=\"end\" "
		   "fill=\"#5f6b76\">UTC</text>", TL_W - TL_MR, y + 30);
}

struct series_def {
	const char *label, *color;
	size_t off;	/* offsetof the uint32_t field in struct capture_second */
};

static uint32_t sec_field(const struct capture_second *s, size_t off)
{
	uint32_t v;
	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

static double capture_panel(FILE *f, const struct timeline *t, double y)
{
	static const struct series_def defs[] = {
		{ "SYN packets", "#1f77b4", offsetof(struct capture_second, syn) },
		{ "unanswered SYNs", "#d62728", offsetof(struct capture_second, syn_unanswered) },
		{ "SYN retransmits", "#ff7f0e", offsetof(struct capture_second, syn_retrans) },
		{ "handshakes completed", "#2ca02c", offsetof(struct capture_second, handshakes) },
		{ "RSTs", "#9467bd", offsetof(struct capture_second, rst) },
	};
	const struct capture_stats *c = t->cap;
	const size_t nd = sizeof(defs) / sizeof(defs[0]);
	double m = 1;
	for (size_t i = 0; i < c->series.n; i++)
		for (size_t d = 0; d < nd; d++)
			if (sec_field(&c->series.v[i], defs[d].off) > m)
				m = sec_field(&c->series.v[i], defs[d].off);
	double step, ymax = nice_max(m, &step), h = 150;
	double py = panel(f, y, h, "Capture, per second", ymax, step);
	double lx = 190;
	for (size_t d = 0; d < nd; d++)
		legend(f, &lx, y + 11, defs[d].color, defs[d].label, false);
	/* where the capture ran: outside it there is no data, not zero */
	if (!isnan(c->first_ts) && !isnan(c->last_ts)) {
		double a = tx(t, c->first_ts), b = tx(t, c->last_ts);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			   "fill=\"#eaf2fb\" opacity=\"0.7\"><title>capture ran here</title></rect>",
			a, py, b - a > 1 ? b - a : 1, h);
	}
	int64_t s0 = c->series.v[0].t, s1 = c->series.v[c->series.n - 1].t;
	bool fill = s1 - s0 < 20000;
	for (size_t d = 0; d < nd; d++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" "
			   "stroke-linejoin=\"round\" points=\"", defs[d].color, d == 1 ? "2.2" : "1.6");
		/* steps: each count covers its whole second */
		size_t i = 0;
		if (fill) {
			/* seconds without a packet are zeros inside the series */
			for (int64_t s = s0; s <= s1; s++) {
				uint32_t v = 0;
				if (i < c->series.n && c->series.v[i].t == s)
					v = sec_field(&c->series.v[i++], defs[d].off);
				double yy = py + h - v / ymax * h;
				fprintf(f, "%.1f,%.1f %.1f,%.1f ", tx(t, (double)s), yy,
					tx(t, (double)s + 1), yy);
			}
		} else {
			for (i = 0; i < c->series.n; i++) {
				double s = (double)c->series.v[i].t;
				double yy = py + h - sec_field(&c->series.v[i], defs[d].off) / ymax * h;
				fprintf(f, "%.1f,%.1f %.1f,%.1f ", tx(t, s), yy, tx(t, s + 1), yy);
			}
		}
		fputs("\"/>", f);
	}
	/* hover: one band per second with the numbers */
	if (c->series.n <= 5000)
		for (size_t i = 0; i < c->series.n; i++) {
			const struct capture_second *s = &c->series.v[i];
			char a[32];
			double x0 = tx(t, (double)s->t), x1 = tx(t, (double)s->t + 1);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
				   "fill=\"transparent\"><title>%s: %u SYN, %u unanswered, %u "
				   "retransmitted, %u handshakes, %u RST, %u SYN-ACK</title></rect>",
				x0, py, x1 - x0, h, hms((double)s->t, a, sizeof(a)), s->syn,
				s->syn_unanswered, s->syn_retrans, s->handshakes, s->rst, s->synack);
		}
	return py + h;
}

static double overflow_panel(FILE *f, const struct timeline *t, double y)
{
	double m = 1;
	for (size_t i = 1; i < t->ovf.n; i++)
		if (t->ovf.v[i].v - t->ovf.v[i - 1].v > m)
			m = t->ovf.v[i].v - t->ovf.v[i - 1].v;
	double step, ymax = nice_max(m, &step), h = 70;
	double py = panel(f, y, h, "ListenOverflows", ymax, step);
	double lx = 190;
	legend(f, &lx, y + 11, "#d62728", "increase between counter snapshots", false);
	for (size_t i = 1; i < t->ovf.n; i++) {
		double d = t->ovf.v[i].v - t->ovf.v[i - 1].v;
		double a = tx(t, t->ovf.v[i - 1].t), b = tx(t, t->ovf.v[i].t);
		char ta[32], tb[32];
		hms(t->ovf.v[i - 1].t, ta, sizeof(ta));
		hms(t->ovf.v[i].t, tb, sizeof(tb));
		if (d < 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10.5\" text-anchor=\"middle\" "
				   "fill=\"#5f6b76\">counter reset</text>", (a + b) / 2, py + h - 4);
			continue;
		}
		double hh = d / ymax * h;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#d62728\" "
			   "fill-opacity=\"0.55\" stroke=\"#d62728\"><title>ListenOverflows +%.0f "
			   "between %s and %s</title></rect>",
			a, py + h - hh, b - a > 1 ? b - a : 1, hh, d, ta, tb);
		if (b - a > 34)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"600\" "
				   "text-anchor=\"middle\" fill=\"#7f1010\">+%.0f</text>",
				(a + b) / 2, hh > 16 ? py + h - hh + 13 : py + h - hh - 3, d);
	}
	return py + h;
}

static double queue_panel(FILE *f, const struct timeline *t, double y)
{
	double m = 1;
	for (size_t i = 0; i < t->recvq.n; i++)
		if (t->recvq.v[i].v > m)
			m = t->recvq.v[i].v;
	for (size_t i = 0; i < t->limit.n; i++)
		if (t->limit.v[i].v + 1 > m)
			m = t->limit.v[i].v + 1;
	double step, ymax = nice_max(m, &step), h = 90;
	double py = panel(f, y, h, "Accept queue", ymax, step);
	double lx = 190;
	legend(f, &lx, y + 11, "#1f77b4", t->l && t->l->reuseport
	       ? "LISTEN Recv-Q (deepest of the SO_REUSEPORT sockets)"
	       : "LISTEN Recv-Q (waiting connections)", false);
	if (t->limit.n)
		legend(f, &lx, y + 11, "#444", "limit (LISTEN Send-Q / backlog)", true);
	legend(f, &lx, y + 11, "#d62728", "full", false);
	if (t->limit.n) {
		fputs("<polyline fill=\"none\" stroke=\"#444\" stroke-width=\"1.5\" "
		      "stroke-dasharray=\"5 3\" points=\"", f);
		double x0 = TL_ML;
		for (size_t i = 0; i < t->limit.n; i++) {
			double yy = py + h - t->limit.v[i].v / ymax * h;
			if (i == 0)
				fprintf(f, "%.1f,%.1f ", x0, yy);
			fprintf(f, "%.1f,%.1f ", tx(t, t->limit.v[i].t), yy);
			if (i + 1 == t->limit.n)
				fprintf(f, "%.1f,%.1f", TL_W - TL_MR, yy);
		}
		fputs("\"/>", f);
	}
	fputs("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1\" stroke-opacity=\"0.6\" "
	      "points=\"", f);
	for (size_t i = 0; i < t->recvq.n; i++)
		fprintf(f, "%.1f,%.1f ", tx(t, t->recvq.v[i].t), py + h - t->recvq.v[i].v / ymax * h);
	fputs("\"/>", f);
	for (size_t i = 0; i < t->recvq.n; i++) {
		double lim = -1;
		for (size_t k = 0; k < t->limit.n; k++)
			if (t->limit.v[k].t == t->recvq.v[i].t)
				lim = t->limit.v[k].v;
		bool full = lim >= 0 && t->recvq.v[i].v >= lim;
		char a[32];
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s: Recv-Q %.0f",
			tx(t, t->recvq.v[i].t), py + h - t->recvq.v[i].v / ymax * h,
			full ? "3.6" : "2.4", full ? "#d62728" : "#1f77b4",
			hms(t->recvq.v[i].t, a, sizeof(a)), t->recvq.v[i].v);
		if (lim >= 0)
			fprintf(f, " of limit %.0f%s", lim, full ? " (full)" : "");
		fputs("</title></circle>", f);
	}
	return py + h;
}

static void count_line(FILE *f, const struct timeline *t, const struct ptv *v, double py,
		       double h, double ymax, const char *color, const char *what)
{
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"", color);
	for (size_t i = 0; i < v->n; i++)
		fprintf(f, "%.1f,%.1f ", tx(t, v->v[i].t), py + h - v->v[i].v / ymax * h);
	fputs("\"/>", f);
	for (size_t i = 0; i < v->n; i++) {
		char a[32];
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %.0f "
			   "%s</title></circle>",
			tx(t, v->v[i].t), py + h - v->v[i].v / ymax * h, color,
			hms(v->v[i].t, a, sizeof(a)), v->v[i].v, what);
	}
}

static double closewait_panel(FILE *f, const struct timeline *t, double y)
{
	double m = 1;
	for (size_t i = 0; i < t->cw.n; i++)
		if (t->cw.v[i].v > m)
			m = t->cw.v[i].v;
	for (size_t i = 0; t->any_synrecv && i < t->synrecv.n; i++)
		if (t->synrecv.v[i].v > m)
			m = t->synrecv.v[i].v;
	double step, ymax = nice_max(m, &step), h = 70;
	double py = panel(f, y, h, t->any_synrecv ? "Connections" : "CLOSE-WAIT", ymax, step);
	double lx = 190;
	legend(f, &lx, y + 11, "#8c564b", "CLOSE-WAIT sockets per snapshot", false);
	if (t->any_synrecv)
		legend(f, &lx, y + 11, "#e377c2", "SYN-RECV (half-open) per snapshot", false);
	count_line(f, t, &t->cw, py, h, ymax, "#8c564b", "CLOSE-WAIT");
	if (t->any_synrecv)
		count_line(f, t, &t->synrecv, py, h, ymax, "#e377c2", "SYN-RECV");
	return py + h;
}

/* Rows of tick marks at the moments each kind of snapshot was taken. */
static double moments_panel(FILE *f, const struct timeline *t, double y)
{
	struct row {
		const char *label, *color;
		const struct ptv *v;
	} rows[] = {
		{ "socket tables", "#1f77b4", &t->ss_at },
		{ "counters", "#d62728", &t->cnt_at },
		{ "stack samples", "#6a1b9a", &t->stk_at },
	};
	fprintf(f, "<text x=\"4\" y=\"%.1f\" font-size=\"12.5\" font-weight=\"600\" "
		   "fill=\"#1d232a\">Snapshots taken</text>", y + 11);
	y += 20;
	for (size_t r = 0; r < 3; r++) {
		if (!rows[r].v->n)
			continue;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10.5\" text-anchor=\"end\" "
			   "fill=\"#333\">%s</text>", TL_ML - 5, y + 9, rows[r].label);
		for (size_t i = 0; i < rows[r].v->n; i++) {
			char a[32];
			double x = tx(t, rows[r].v->v[i].t);
			bool tall = rows[r].v->v[i].v > 0;
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				   "stroke-width=\"%s\"><title>%s %s</title></line>",
				x, tall ? y : y + 4, x, y + 12, rows[r].color, tall ? "2" : "1",
				rows[r].label, hms(rows[r].v->v[i].t, a, sizeof(a)));
		}
		y += 16;
	}
	return y;
}

static void timeline(FILE *f, const struct analysis *an)
{
	struct timeline t;
	timeline_gather(an, &t);
	fputs("<section id=\"timeline\"><h2>Timeline</h2>\n", f);
	if (t.l) {
		fputs("<p class=\"muted small\">Listener <b>", f);
		esc_n(f, t.l->name, MAX_SHORT);
		fputs("</b>", f);
		if (an->inc.listeners.n > 1) {
			fputs("; other listeners (not drawn): ", f);
			for (size_t i = 0, k = 0; i < an->inc.listeners.n && k < 10; i++)
				if (an->inc.listeners.v[i] != t.l) {
					fputs(k++ ? ", " : "", f);
					esc_n(f, an->inc.listeners.v[i]->name, MAX_SHORT);
				}
		}
		fputs(". Hover a point for its numbers.</p>\n", f);
	}
	if (!isfinite(t.t0)) {
		fputs("<p class=\"muted\">No time-stamped evidence (no capture, and no snapshot with "
		      "a recorded time): nothing to draw. Start each saved file with a line from "
		      "<code>date -u +%FT%T.%3NZ</code>, or give <code>--at LABEL=TIME</code>.</p>\n"
		      "</section>\n", f);
		timeline_free(&t);
		return;
	}
	/* buffer the drawing to know its height before the <svg> tag */
	char *body = NULL;
	size_t body_len = 0;
	FILE *g = open_memstream(&body, &body_len);
	if (!g) {
		fputs("<p class=\"muted\">(out of memory drawing the timeline)</p></section>\n", f);
		timeline_free(&t);
		return;
	}
	double y = 6, top = 26;
	bool drawn = false;
	if (t.cap && t.cap->series.n) {
		y = capture_panel(g, &t, y) + 18;
		drawn = true;
	}
	if (t.ovf.n >= 2) {
		y = overflow_panel(g, &t, y) + 18;
		drawn = true;
	}
	if (t.recvq.n) {
		y = queue_panel(g, &t, y) + 18;
		drawn = true;
	}
	if (t.cw.n) {
		y = closewait_panel(g, &t, y) + 18;
		drawn = true;
	}
	y = moments_panel(g, &t, y) + 4;
	double axis_y = y;
	char *grid = NULL;
	size_t grid_len = 0;
	FILE *h = open_memstream(&grid, &grid_len);
	if (h) {
		time_axis(h, &t, top, axis_y);
		fclose(h);
	}
	fclose(g);
	double height = axis_y + 36;
	fprintf(f, "<div class=\"chart\"><svg id=\"timeline-svg\" data-chart=\"timeline\" "
		   "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
		   "height=\"%.0f\" role=\"img\" aria-label=\"Timeline of the incident\">"
		   "<title>Timeline: capture per second, ListenOverflows, accept queue, CLOSE-WAIT"
		   "</title>",
		TL_W, height, TL_W, height);
	if (grid)
		fwrite(grid, 1, grid_len, f);
	if (body)
		fwrite(body, 1, body_len, f);
	fputs("</svg></div>\n", f);
	free(grid);
	free(body);
	/* what is not drawn, and why */
	fputs("<ul class=\"small muted\">", f);
	if (!t.l)
		fputs("<li>No listening socket in any input: the capture series and the accept "
		      "queue are drawn per listener, so they are omitted.</li>", f);
	if (!t.l) {
		/* nothing per listener to say */
	} else if (t.cap) {
		const struct capture_stats *c = t.cap;
		char a[32], b[32];
		fprintf(f, "<li>Capture %s – %s: %" PRIu64 " SYN packets in %" PRIu64 " attempts, %"
			   PRIu64 " unanswered, %" PRIu64 " attempts never answered, %" PRIu64
			   " handshakes completed, %" PRIu64 " RSTs from the server.</li>",
			hms(c->first_ts, a, sizeof(a)), hms(c->last_ts, b, sizeof(b)), c->syn_packets,
			c->syn_attempts, c->syn_unanswered_packets, c->attempts_never_answered,
			c->handshakes_completed, c->rst_from_server);
		if (!c->series.n)
			fputs("<li>The capture has no packet for this listener: no per-second series."
			      "</li>", f);
	} else {
		fputs("<li>No capture for this listener: the per-second SYN / handshake / RST series "
		      "is omitted.</li>", f);
	}
	if (t.ovf.n < 2) {
		if (t.ovf_increments && !t.ovf.n)
			fputs("<li>ListenOverflows: only increments (nstat without -a), no totals to "
			      "take deltas from: omitted.</li>", f);
		else
			fprintf(f, "<li>ListenOverflows: %zu counter snapshot%s with a time: no "
				   "increase to draw.</li>", t.ovf.n, t.ovf.n == 1 ? "" : "s");
	}
	if (t.ovf_reset)
		fprintf(f, "<li>ListenOverflows went backwards %zu time%s (reboot or counter reset): "
			   "not an increase.</li>", t.ovf_reset, t.ovf_reset == 1 ? "" : "s");
	if (!t.l) {
		/* said above */
	} else if (!t.recvq.n)
		fputs("<li>Accept queue: no LISTEN row of this listener in a time-stamped socket "
		      "snapshot: omitted.</li>", f);
	else if (!t.limit.n)
		fputs("<li>Accept-queue limit unknown (netstat and /proc/net/tcp show 0 as a "
		      "listener's Send-Q): no limit line.</li>", f);
	if (!t.cw.n)
		fputs("<li>CLOSE-WAIT: no time-stamped socket snapshot with connections (only "
		      "<code>ss -l</code> ones, or none): omitted.</li>", f);
	if (t.sock_untimed || t.cnt_untimed || t.stk_untimed)
		fprintf(f, "<li>Not placed on the time axis for want of a recorded time: %zu socket "
			   "snapshot%s, %zu counter snapshot%s, %zu stack sample%s.</li>",
			t.sock_untimed, t.sock_untimed == 1 ? "" : "s", t.cnt_untimed,
			t.cnt_untimed == 1 ? "" : "s", t.stk_untimed, t.stk_untimed == 1 ? "" : "s");
	if (!drawn)
		fputs("<li>Only the moments of the snapshots can be drawn.</li>", f);
	fputs("</ul>\n</section>\n", f);
	timeline_free(&t);
}

/* ------------------------------------------------------------------ findings and evidence */

static void findings_table(FILE *f, const struct analysis *an)
{
	fputs("<section id=\"findings\"><h2>Findings</h2>\n", f);
	if (!an->findings.n) {
		fputs("<p class=\"muted\">No finding.</p></section>\n", f);
		return;
	}
	fputs("<table><tr><th>id</th><th>severity</th><th>rule</th><th>what</th>"
	      "<th class=\"n\">confidence</th><th>caused by</th></tr>\n", f);
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *x = an->findings.v[i];
		fprintf(f, "<tr data-finding=\"%s\"><td><a href=\"#%s\">%s</a></td><td><span "
			   "class=\"sev %s\">%s</span></td><td><span class=\"rule\" data-field=\"rule\">",
			x->id, x->id, x->id, sev_class(x->severity), severity_name(x->severity));
		esc(f, x->rule->id);
		fputs("</span></td><td>", f);
		esc(f, x->title);
		fprintf(f, "%s</td><td class=\"n\">%.2f</td><td>",
			x->contributing ? " <span class=\"muted small\">(contributing)</span>" : "",
			x->confidence);
		for (size_t c = 0; c < x->caused_by.n; c++)
			fprintf(f, "%s<a href=\"#%s\">%s</a>", c ? " " : "", x->caused_by.v[c]->id,
				x->caused_by.v[c]->id);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
}

static void fact_value(FILE *f, const struct fact *x)
{
	switch (x->kind) {
	case FACT_INT: fprintf(f, "%" PRId64, x->i); break;
	case FACT_NUM: fprintf(f, "%g", x->num); break;
	case FACT_STR: esc_n(f, x->str, MAX_LINE); break;
	case FACT_BOOL: fputs(x->i ? "yes" : "no", f); break;
	}
}

static void evidence(FILE *f, const struct analysis *an)
{
	fputs("<section id=\"evidence\"><h2>Evidence, per finding</h2>\n", f);
	if (!an->findings.n)
		fputs("<p class=\"muted\">No finding, so no evidence to show; see what was "
		      "<a href=\"#checked\">checked</a>.</p>\n", f);
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *x = an->findings.v[i];
		fprintf(f, "<article class=\"finding %s\" id=\"%s\"><h3><span class=\"fid\">%s</span> "
			   "<span class=\"sev %s\">%s</span> <span class=\"rule\">",
			sev_class(x->severity), x->id, x->id, sev_class(x->severity),
			severity_name(x->severity));
		esc(f, x->rule->id);
		fprintf(f, "</span> <span class=\"muted small\">confidence %.2f", x->confidence);
		if (x->listener) {
			fputs(" · listener ", f);
			esc_n(f, x->listener, MAX_SHORT);
		}
		fputs("</span>", f);
		if (x->caused_by.n) {
			fputs(" <span class=\"small\">caused by", f);
			for (size_t c = 0; c < x->caused_by.n; c++)
				fprintf(f, " <a href=\"#%s\">%s</a>", x->caused_by.v[c]->id,
					x->caused_by.v[c]->id);
			fputs("</span>", f);
		}
		if (x->contributing)
			fputs(" <span class=\"muted small\">(contributing factor)</span>", f);
		fputs("</h3>\n<p class=\"title\">", f);
		esc(f, x->title);
		fputs("</p>\n", f);
		if (x->detail) {
			fputs("<p>", f);
			esc(f, x->detail);
			fputs("</p>\n", f);
		}
		if (!isnan(x->since)) {
			char a[40];
			fprintf(f, "<p class=\"muted small\">since %s UTC</p>\n",
				time_format(x->since, a, sizeof(a)));
		}
		if (x->facts.n || x->pids.n) {
			fputs("<ul class=\"facts\">", f);
			for (size_t k = 0; k < x->facts.n; k++) {
				fputs("<li data-fact=\"", f);
				esc_n(f, x->facts.v[k].name, MAX_SHORT);
				fputs("\">", f);
				esc_n(f, x->facts.v[k].name, MAX_SHORT);
				fputs(" <b>", f);
				fact_value(f, &x->facts.v[k]);
				fputs("</b></li>", f);
			}
			if (x->pids.n) {
				fputs("<li>pids <b>", f);
				for (size_t k = 0; k < x->pids.n && k < 64; k++)
					fprintf(f, "%s%d", k ? " " : "", x->pids.v[k]);
				fputs(x->pids.n > 64 ? " " UTF8_ELLIPSIS : "", f);
				fputs("</b></li>", f);
			}
			fputs("</ul>\n", f);
		}
		if (x->evidence.n) {
			fputs("<table class=\"ev\"><tr><th>#</th><th>source</th><th>where</th>"
			      "<th>quoted</th></tr>\n", f);
			for (size_t e = 0; e < x->evidence.n && e < MAX_EVIDENCE; e++) {
				const struct evidence *ev = &x->evidence.v[e];
				fprintf(f, "<tr><td>%zu</td><td><code>", e + 1);
				esc_n(f, ev->file, MAX_PATH);
				fputs("</code></td><td>", f);
				esc_n(f, ev->where, MAX_SHORT);
				fputs("</td><td><pre>", f);
				esc_n(f, ev->text, MAX_LINE);
				fputs("</pre></td></tr>\n", f);
			}
			fputs("</table>\n", f);
			if (x->evidence.n > MAX_EVIDENCE)
				fprintf(f, "<p class=\"muted small\">… %zu more in the JSON report.</p>\n",
					x->evidence.n - MAX_EVIDENCE);
		} else {
			fputs("<p class=\"muted small\">(no quoted evidence)</p>\n", f);
		}
		if (x->advice && x->advice[0]) {
			fputs("<p class=\"advice\"><b>What to do:</b> ", f);
			esc(f, x->advice);
			fputs("</p>\n", f);
		}
		fputs("</article>\n", f);
	}
	fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ workers */

enum cell { CELL_UNKNOWN, CELL_STUCK, CELL_WAITING, CELL_RUNNING, CELL_SLEEPING };

static const char *const cell_color[] = { "#eceff1", "#d62728", "#2ca02c", "#1f77b4", "#a7b1bb" };
static const char *const cell_name[] = { "unknown", "stuck", "waiting for work", "running",
					 "sleeping / blocked" };

static bool lockish(enum blocked_on b)
{
	return b == BLK_CONDVAR || b == BLK_MUTEX || b == BLK_SEMAPHORE || b == BLK_FUTEX;
}

/* The display state of one sample: what classify_sample() says of it, and
 * "stuck" for the lock waits of a thread the diagnosis found stuck, within
 * the trailing samples that decided it (before them it may have been idle:
 * native frames alone cannot tell). */
static enum cell sample_cell(const struct thread *t, const struct stack_sample *s, bool in_window,
			     char *buf, size_t size, const char **what)
{
	struct site site;
	classify_sample(s, &site, buf, size);
	*what = site.what;
	if (!site.known)
		return CELL_UNKNOWN;
	if (site.running)
		return CELL_RUNNING;
	if (site.idle)
		return CELL_WAITING;
	if (t->state == THR_STUCK && in_window && lockish(site.kind))
		return CELL_STUCK;
	return CELL_SLEEPING;
}

/* Columns of a process's swimlane: its distinct sample moments. */
static void lane_moments(const struct process *p, struct ptv *cols, bool *by_index)
{
	size_t n = 0, cap = 0, max_samples = 0;
	double *v = NULL;
	*by_index = false;
	for (size_t k = 0; k < p->threads.n; k++) {
		const struct thread *t = &p->threads.v[k];
		if (t->samples.n > max_samples)
			max_samples = t->samples.n;
		for (size_t s = 0; s < t->samples.n; s++) {
			if (isnan(t->samples.v[s].src.at)) {
				*by_index = true;
				continue;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 32;
				double *nv = realloc(v, nc * sizeof(*nv));
				if (!nv)
					break;
				v = nv;
				cap = nc;
			}
			v[n++] = t->samples.v[s].src.at;
		}
	}
	if (*by_index) {
		for (size_t i = 0; i < max_samples; i++)
			ptv_push(cols, NAN, 0);
	} else if (n) {
		merge_moments(v, n, cols);
	}
	free(v);
}

static size_t lane_col(const struct ptv *cols, bool by_index, const struct stack_sample *s,
		       size_t index)
{
	if (by_index)
		return index;
	size_t best = 0;
	double bd = INFINITY;
	for (size_t i = 0; i < cols->n; i++) {
		double d = fabs(cols->v[i].t - s->src.at);
		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	return best;
}

/* Index of the first sample of the trailing window that made a stuck
 * thread stuck (classify.c: the last samples_same known samples). */
static size_t stuck_window_start(const struct analysis *an, const struct thread *t)
{
	const struct thread_note *nt = classify_note(an, t);
	if (t->state != THR_STUCK || !nt)
		return 0;
	size_t seen = 0, first = t->samples.n;
	for (size_t s = t->samples.n; s-- > 0 && seen < nt->samples_same;) {
		struct site site;
		char buf[256];
		classify_sample(&t->samples.v[s], &site, buf, sizeof(buf));
		if (!site.known)
			continue;
		seen++;
		first = s;
	}
	return first;
}

static void swimlane(FILE *f, const struct analysis *an, const struct process *p)
{
	struct ptv cols = { 0 };
	bool by_index;
	lane_moments(p, &cols, &by_index);
	if (!cols.n) {
		fputs("<span class=\"muted small\">no stack samples</span>", f);
		free(cols.v);
		return;
	}
	size_t ncols = cols.n < MAX_LANE_COLS ? cols.n : MAX_LANE_COLS;
	size_t nrows = p->threads.n < MAX_LANE_THREADS ? p->threads.n : MAX_LANE_THREADS;
	const double lw = 150, cw = 14, ch = 11, gap = 2;
	double w = lw + (double)ncols * (cw + gap) + 4;
	double h = (double)nrows * (ch + gap) + 2 + (p->threads.n > nrows ? 14 : 0) +
		   (by_index ? 0 : 13);
	fprintf(f, "<svg class=\"lane\" data-chart=\"swimlane\" "
		   "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		   "aria-label=\"thread states of pid %d across samples\">",
		w, h, w, h, p->pid);
	for (size_t r = 0; r < nrows; r++) {
		const struct thread *t = &p->threads.v[r];
		double y = (double)r * (ch + gap) + 1;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
			   "fill=\"#333\">%d ", lw - 6, y + ch - 2, t->tid);
		esc_n(f, t->comm, 16);
		fputs("</text>", f);
		size_t window = stuck_window_start(an, t);
		for (size_t s = 0; s < t->samples.n; s++) {
			const struct stack_sample *smp = &t->samples.v[s];
			size_t c = lane_col(&cols, by_index, smp, s);
			if (c >= ncols)
				continue;
			char buf[256], a[32];
			const char *what = NULL;
			enum cell st = sample_cell(t, smp, s >= window, buf, sizeof(buf), &what);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" rx=\"2\" "
				   "fill=\"%s\"%s><title>tid %d ",
				lw + (double)c * (cw + gap), y, cw, ch, cell_color[st],
				st == CELL_UNKNOWN ? " stroke=\"#cfd8dc\"" : "", t->tid);
			esc_n(f, t->comm, MAX_SHORT);
			fprintf(f, " · sample %u", smp->sample_no);
			if (!isnan(smp->src.at))
				fprintf(f, " at %s", hms(smp->src.at, a, sizeof(a)));
			fprintf(f, " · %s", cell_name[st]);
			if (what && what[0]) {
				fputs(": ", f);
				esc_n(f, what, MAX_LINE);
			}
			fputs("</title></rect>", f);
		}
	}
	if (p->threads.n > nrows)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#5f6b76\">… %zu more "
			   "threads (see Stacks)</text>", lw, h - 15, p->threads.n - nrows);
	if (!by_index) {
		char a[32], b[32];
		/* hh:mm:ss of the first and last column */
		hms(cols.v[0].t, a, sizeof(a));
		hms(cols.v[ncols - 1].t, b, sizeof(b));
		a[strcspn(a, ".")] = '\0';
		b[strcspn(b, ".")] = '\0';
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9.5\" text-anchor=\"end\" "
			   "fill=\"#5f6b76\">samples %s%s%s</text>",
			w - 4, h - 2, a, ncols > 1 ? " → " : "", ncols > 1 ? b : "");
	}
	fputs("</svg>", f);
	free(cols.v);
}

static void workers(FILE *f, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	fputs("<section id=\"workers\"><h2>Workers</h2>\n", f);
	if (!inc->processes.n) {
		fputs("<p class=\"muted\">No process seen: no <code>ss -p</code> / <code>netstat -p"
		      "</code> owner columns and no stack dumps.</p></section>\n", f);
		return;
	}
	fputs("<p class=\"small\">Thread states across the stack samples, one cell per sample "
	      "(left to right in time; hover a cell for where the thread waited):", f);
	for (size_t c = CELL_STUCK; c <= CELL_SLEEPING; c++)
		fprintf(f, "<span class=\"key\" style=\"background:%s\"></span>%s", cell_color[c],
			cell_name[c]);
	fprintf(f, "<span class=\"key\" style=\"background:%s;border:1px solid #cfd8dc\"></span>%s"
		   "</p>\n", cell_color[CELL_UNKNOWN], cell_name[CELL_UNKNOWN]);
	fputs("<table><tr><th class=\"n\">pid</th><th>comm</th><th>role</th><th>state</th>"
	      "<th class=\"n\">CLOSE-WAIT</th><th class=\"n\">unread bytes</th>"
	      "<th class=\"n\">fds / limit</th><th>threads</th><th>thread states per sample</th>"
	      "</tr>\n", f);
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		size_t by_state[5] = { 0 };
		const char *what = NULL;
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			by_state[(unsigned)t->state < 5 ? t->state : 0]++;
			const struct thread_note *nt = classify_note(an, t);
			if (nt && nt->what && t->state == THR_STUCK && !what)
				what = nt->what;
		}
		fprintf(f, "<tr id=\"pid-%d\" data-pid=\"%d\"><td class=\"n\"><a href=\"#stacks-%d\">"
			   "%d</a></td><td><code>",
			p->pid, p->pid, p->pid, p->pid);
		esc_n(f, p->comm, MAX_SHORT);
		fprintf(f, "</code></td><td>%s</td><td><span class=\"st st-%s\" data-field=\"state\">"
			   "%s</span></td><td class=\"n\" data-field=\"close_wait\">%u</td>"
			   "<td class=\"n\" data-field=\"unread_bytes\">%" PRIu64 "</td><td class=\"n\">",
			role_name(p->role), proc_state_name(p->state), proc_state_name(p->state),
			p->close_wait, p->unread_bytes);
		/* at (or within 10% of) the descriptor limit: accept() fails with EMFILE */
		if (p->fds >= 0 && p->fd_limit > 0 && p->fds * 10 >= p->fd_limit * 9)
			fputs("<span class=\"in-error\" title=\"at the descriptor limit\">", f);
		else
			fputs("<span>", f);
		if (p->fds >= 0)
			fprintf(f, "%" PRId64, p->fds);
		else
			fputs("?", f);
		fputs(" / ", f);
		if (p->fd_limit >= 0)
			fprintf(f, "%" PRId64, p->fd_limit);
		else
			fputs("?", f);
		fprintf(f, "</span></td><td class=\"small\">%zu", p->threads.n);
		if (p->threads.n) {
			const char *sep = ": ";
			for (unsigned s = 1; s < 5; s++)
				if (by_state[s]) {
					fprintf(f, "%s%zu %s", sep, by_state[s],
						thread_state_label((enum thread_state)s));
					sep = ", ";
				}
		}
		if (what) {
			fputs("<br><span class=\"muted\">", f);
			esc_n(f, what, MAX_LINE);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		swimlane(f, an, p);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
}

/* ------------------------------------------------------------------ stacks */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool frames_eq(const struct frame *a, uint32_t na, const struct frame *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (!str_eq(a[i].function, b[i].function) || !str_eq(a[i].module, b[i].module) ||
		    !str_eq(a[i].file, b[i].file) || a[i].line != b[i].line ||
		    (!a[i].function && a[i].pc != b[i].pc))
			return false;
	return true;
}

/* The sample shown for a thread: the one the diagnosis cited, else the
 * latest with frames. */
static const struct stack_sample *shown_sample(const struct analysis *an, const struct thread *t)
{
	const struct thread_note *nt = classify_note(an, t);
	if (nt && nt->sample && (nt->sample->n_frames || nt->sample->n_py_frames))
		return nt->sample;
	for (size_t s = t->samples.n; s-- > 0;)
		if (t->samples.v[s].n_frames || t->samples.v[s].n_py_frames)
			return &t->samples.v[s];
	return NULL;
}

static bool same_stack(const struct stack_sample *a, const struct stack_sample *b)
{
	return frames_eq(a->frames, a->n_frames, b->frames, b->n_frames) &&
	       frames_eq(a->py_frames, a->n_py_frames, b->py_frames, b->n_py_frames);
}

/* hl: the class of a highlighted frame ("hot": where a stuck thread is
 * stuck; "site": where another thread waits), NULL for the others */
static void frame_li(FILE *f, const struct frame *fr, const char *hl, bool py)
{
	fprintf(f, "<li class=\"%s%s\"><span class=\"fn\">", hl ? hl : "", py ? " py" : "");
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): fr = &frames[i], i < n_frames */
	if (fr->function)
		esc_n(f, fr->function, MAX_LINE);
	else if (fr->pc)
		fprintf(f, "0x%" PRIx64, fr->pc);
	else
		fputs("??", f);
	fputs("</span>", f);
	if (fr->inlined)
		fputs(" <span class=\"loc\">(inlined)</span>", f);
	if (fr->file) {
		fputs(" <span class=\"loc\">", f);
		esc_n(f, fr->file, MAX_PATH);
		if (fr->line)
			fprintf(f, ":%u", fr->line);
		fputs("</span>", f);
	}
	if (fr->module && !py) {
		fputs(" <span class=\"loc\">[", f);
		esc_n(f, fr->module, MAX_SHORT);
		fputs("]</span>", f);
	}
	fputs("</li>", f);
}

/* Native frames, innermost first; `hot` (and the libc/pthread wait under it)
 * highlighted with class hl. */
static void native_list(FILE *f, const struct stack_sample *s, const struct frame *hot,
			const char *hl)
{
	/* the libc/pthread wait itself is highlighted too when the decisive
	 * frame is its caller */
	uint32_t wait_i = UINT32_MAX;
	for (uint32_t i = 0; i < s->n_frames && hot; i++)
		if (&s->frames[i] == hot) {
			for (uint32_t j = 0; j < i; j++)
				if (s->frames[j].function &&
				    (strstr(s->frames[j].function, "pthread_") ||
				     strstr(s->frames[j].function, "sem_") ||
				     strstr(s->frames[j].function, "PyThread_acquire_lock")))
					wait_i = j;
			break;
		}
	fputs("<ol class=\"stack\" start=\"0\">", f);
	for (uint32_t i = 0; i < s->n_frames && i < MAX_STACK_FRAMES; i++)
		frame_li(f, &s->frames[i], &s->frames[i] == hot || i == wait_i ? hl : NULL, false);
	fputs("</ol>", f);
	if (s->n_frames > MAX_STACK_FRAMES)
		fprintf(f, "<div class=\"muted small\">… %u more frames</div>",
			s->n_frames - MAX_STACK_FRAMES);
}

static void stack_group(FILE *f, const struct analysis *an, const struct process *p,
			const struct thread *rep, const struct stack_sample *s, const size_t *members,
			size_t n_members)
{
	char buf[256];
	struct site site;
	classify_sample(s, &site, buf, sizeof(buf));
	const struct thread_note *nt = classify_note(an, rep);
	const struct frame *hot = nt && nt->sample == s ? nt->frame : site.frame;
	const char *hl = rep->state == THR_STUCK ? "hot" : "site";
	/* the blocking native call too: the innermost frame of a lock wait */
	fprintf(f, "<div class=\"group\"><b>%zu thread%s</b> · <span class=\"st st-%s\">%s</span>",
		n_members, n_members == 1 ? "" : "s",
		rep->state == THR_STUCK ? "stuck" : rep->state == THR_RUNNING ? "busy" : "idle",
		thread_state_label(rep->state));
	if (site.what) {
		fputs(" · ", f);
		esc_n(f, site.what, MAX_LINE);
	}
	fputs("<div class=\"who\">", f);
	for (size_t m = 0; m < n_members && m < 40; m++) {
		const struct thread *t = &p->threads.v[members[m]];
		fprintf(f, "%s%d", m ? ", " : "", t->tid);
		if (t->comm) {
			fputs(" (", f);
			esc_n(f, t->comm, MAX_SHORT);
			fputs(")", f);
		}
	}
	if (n_members > 40)
		fprintf(f, ", " UTF8_ELLIPSIS " %zu more", n_members - 40);
	fprintf(f, " · sample %u", s->sample_no);
	if (s->src.file) {
		fputs(" from <code>", f);
		esc_n(f, s->src.file, MAX_PATH);
		if (s->src.line)
			fprintf(f, ":%u", s->src.line);
		fputs("</code>", f);
	}
	fputs("</div>", f);
	if (s->n_py_frames) {
		fputs("<div class=\"small\">Python frames (innermost first)</div><ol class=\"stack\" "
		      "start=\"0\">", f);
		for (uint32_t i = 0; i < s->n_py_frames && i < MAX_STACK_FRAMES; i++)
			frame_li(f, &s->py_frames[i], &s->py_frames[i] == hot ? hl : NULL, true);
		fputs("</ol>", f);
	}
	if (s->n_frames) {
		if (s->n_py_frames)
			fputs("<div class=\"small\">Native frames (innermost first)</div>", f);
		native_list(f, s, hot, hl);
	} else if (s->n_py_frames) {
		/* a py-bt-only sample: the same thread's latest native stack
		 * shows how it waits in the kernel's terms */
		const struct stack_sample *ns = NULL;
		for (size_t k = rep->samples.n; k-- > 0 && !ns;)
			if (rep->samples.v[k].n_frames)
				ns = &rep->samples.v[k];
		if (ns) {
			char nbuf[256];
			struct site nsite;
			classify_sample(ns, &nsite, nbuf, sizeof(nbuf));
			fprintf(f, "<details><summary class=\"small\">Native frames of tid %d, sample %u",
				rep->tid, ns->sample_no);
			if (ns->src.file) {
				fputs(" from <code>", f);
				esc_n(f, ns->src.file, MAX_PATH);
				if (ns->src.line)
					fprintf(f, ":%u", ns->src.line);
				fputs("</code>", f);
			}
			fputs("</summary>", f);
			native_list(f, ns, nsite.frame, hl);
			fputs("</details>", f);
		}
	}
	fputs("</div>\n", f);
}

static void stacks(FILE *f, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	fputs("<section id=\"stacks\"><h2>Stacks</h2>\n", f);
	bool any = false;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		size_t nt = p->threads.n;
		if (!nt)
			continue;
		const struct stack_sample **shown = calloc(nt, sizeof(*shown));
		size_t *group = calloc(nt, sizeof(*group)), *members = calloc(nt, sizeof(*members));
		if (!shown || !group || !members) {
			free(shown);
			free(group);
			free(members);
			continue;
		}
		size_t n_with = 0, n_groups = 0;
		bool hot = p->state == PST_STUCK || p->state == PST_BUSY;
		for (size_t k = 0; k < nt; k++) {
			shown[k] = shown_sample(an, &p->threads.v[k]);
			group[k] = SIZE_MAX;
			if (shown[k])
				n_with++;
			if (p->threads.v[k].state == THR_STUCK)
				hot = true;
		}
		if (!n_with) {
			free(shown);
			free(group);
			free(members);
			continue;
		}
		/* group identical stacks of the same state */
		for (size_t k = 0; k < nt; k++) {
			if (!shown[k] || group[k] != SIZE_MAX)
				continue;
			group[k] = n_groups;
			for (size_t j = k + 1; j < nt; j++)
				if (shown[j] && group[j] == SIZE_MAX &&
				    p->threads.v[j].state == p->threads.v[k].state &&
				    same_stack(shown[k], shown[j]))
					group[j] = n_groups;
			n_groups++;
		}
		any = true;
		fprintf(f, "<details id=\"stacks-%d\" data-pid=\"%d\"%s><summary>pid %d <code>",
			p->pid, p->pid, hot ? " open" : "", p->pid);
		esc_n(f, p->comm, MAX_SHORT);
		fprintf(f, "</code> · <span class=\"st st-%s\">%s</span> · %zu thread%s with stacks, "
			   "%zu distinct</summary>\n",
			proc_state_name(p->state), proc_state_name(p->state), n_with,
			n_with == 1 ? "" : "s", n_groups);
		/* stuck groups first, then in thread order */
		for (int pass = 0; pass < 2; pass++)
			for (size_t g = 0; g < n_groups; g++) {
				size_t nm = 0, rep = SIZE_MAX;
				for (size_t k = 0; k < nt; k++)
					if (group[k] == g) {
						if (rep == SIZE_MAX)
							rep = k;
						members[nm++] = k;
					}
				if (rep == SIZE_MAX)
					continue;
				bool stuck = p->threads.v[rep].state == THR_STUCK;
				if ((pass == 0) != stuck)
					continue;
				stack_group(f, an, p, &p->threads.v[rep], shown[rep], members, nm);
			}
		fputs("</details>\n", f);
		free(shown);
		free(group);
		free(members);
	}
	if (!any)
		fputs("<p class=\"muted\">No stack dump among the inputs (gdb, eu-stack, pstack, "
		      "py-bt, /proc/PID/task).</p>\n", f);
	fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ wait-for graph */

struct wf_node {
	int32_t tid, pid;
	const char *comm;
	int32_t owner;	/* lock_owner_tid, -1 none */
	bool in_cycle;
};

static size_t wf_find(const struct wf_node *v, size_t n, int32_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].tid == tid)
			return i;
	return SIZE_MAX;
}

static void waitfor(FILE *f, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	enum { MAX_NODES = 40 };
	struct wf_node v[MAX_NODES];
	size_t n = 0, edges = 0;
	bool truncated = false;
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		for (size_t k = 0; k < p->threads.n; k++) {
			const struct thread *t = &p->threads.v[k];
			if (t->lock_owner_tid < 0)
				continue;
			edges++;
			int32_t ends[2] = { t->tid, t->lock_owner_tid };
			for (int e = 0; e < 2; e++) {
				size_t at = wf_find(v, n, ends[e]);
				if (at == SIZE_MAX) {
					if (n == MAX_NODES) {
						truncated = true;
						continue;
					}
					at = n++;
					memset(&v[at], 0, sizeof(v[at]));
					v[at].tid = ends[e];
					v[at].owner = -1;
					v[at].pid = -1;
				}
				if (e == 0) {
					v[at].owner = t->lock_owner_tid;
					v[at].pid = p->pid;
					v[at].comm = t->comm;
				}
			}
		}
	}
	if (!edges)
		return;
	/* names of owners that are not waiting themselves */
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t k = 0; k < inc->processes.v[i]->threads.n; k++) {
			const struct thread *t = &inc->processes.v[i]->threads.v[k];
			size_t at = wf_find(v, n, t->tid);
			if (at != SIZE_MAX && v[at].pid < 0) {
				v[at].pid = inc->processes.v[i]->pid;
				v[at].comm = t->comm;
			}
		}
	/* cycles: each node waits on at most one owner; walk at most n steps */
	for (size_t i = 0; i < n; i++) {
		size_t cur = i;
		for (size_t step = 0; step < n && cur != SIZE_MAX; step++) {
			cur = v[cur].owner >= 0 ? wf_find(v, n, v[cur].owner) : SIZE_MAX;
			if (cur == i) {
				v[i].in_cycle = true;
				break;
			}
		}
	}
	const double W = 640, H = n > 8 ? 520 : 360, cx = W / 2, cy = H / 2;
	const double R = n > 1 ? (n == 2 ? 150 : H / 2 - 40) : 0;
	fprintf(f, "<section id=\"waitfor\"><h2>Wait-for graph (mutex owners)</h2><p class=\"small "
		   "muted\">An arrow goes from a blocked thread to the thread that owns the mutex it "
		   "waits for; red arrows close a cycle (a deadlock).</p><div class=\"chart\">"
		   "<svg data-chart=\"waitfor\" viewBox=\"0 0 "
		   "%.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"wait-for "
		   "graph\"><defs><marker id=\"wf-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
		   "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" "
		   "fill=\"#555\"/></marker><marker id=\"wf-arrow-red\" viewBox=\"0 0 10 10\" "
		   "refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">"
		   "<path d=\"M0,0L10,5L0,10z\" fill=\"#d62728\"/></marker></defs>",
		W, H, W, H);
	double px[MAX_NODES], py[MAX_NODES];
	for (size_t i = 0; i < n; i++) {
		double a = 2 * M_PI * (double)i / (double)n - M_PI / 2;
		px[i] = cx + R * cos(a);
		py[i] = cy + R * sin(a);
	}
	/* nodes are boxes; an edge leaves and enters at the box border, bent a
	 * little so that the two edges of a 2-cycle do not overlap */
	const double hw = 56, hh = 24;
	for (size_t i = 0; i < n; i++) {
		size_t o = v[i].owner >= 0 ? wf_find(v, n, v[i].owner) : SIZE_MAX;
		if (o == SIZE_MAX || o == i)
			continue;
		double dx = px[o] - px[i], dy = py[o] - py[i], d = sqrt(dx * dx + dy * dy);
		if (d < 1)
			continue;
		double ux = dx / d, uy = dy / d;
		double cut = fmin(fabs(ux) > 1e-9 ? hw / fabs(ux) : INFINITY,
				  fabs(uy) > 1e-9 ? hh / fabs(uy) : INFINITY) + 6;
		double mx = (px[i] + px[o]) / 2 - uy * 22, my = (py[i] + py[o]) / 2 + ux * 22;
		bool red = v[i].in_cycle && v[o].in_cycle;
		fprintf(f, "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
			   "stroke-width=\"%s\" marker-end=\"url(#%s)\"><title>%d waits for %d</title>"
			   "</path>",
			px[i] + ux * cut - uy * 8, py[i] + uy * cut + ux * 8, mx, my,
			px[o] - ux * cut - uy * 8, py[o] - uy * cut + ux * 8,
			red ? "#d62728" : "#555", red ? "2.5" : "1.5",
			red ? "wf-arrow-red" : "wf-arrow", v[i].tid, v[o].tid);
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" rx=\"6\" "
			   "fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/><text x=\"%.1f\" "
			   "y=\"%.1f\" font-size=\"11.5\" font-weight=\"600\" text-anchor=\"middle\">"
			   "tid %d</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
			   "text-anchor=\"middle\" fill=\"#333\">",
			px[i] - hw, py[i] - hh, 2 * hw, 2 * hh, v[i].in_cycle ? "#fde0e0" : "#f5f7f9",
			v[i].in_cycle ? "#d62728" : "#78848f", px[i], py[i] - 6, v[i].tid, px[i],
			py[i] + 7);
		esc_n(f, v[i].comm, 16);
		fputs("</text>", f);
		if (v[i].pid >= 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" "
				   "fill=\"#5f6b76\">pid %d</text>", px[i], py[i] + 18, v[i].pid);
	}
	fputs("</svg></div>", f);
	if (truncated)
		fprintf(f, "<p class=\"muted small\">Only the first %d threads are drawn.</p>",
			MAX_NODES);
	fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ lists and tables */

static void listing(FILE *f, const char *id, const char *cls, const char *title,
		    const char *const *items, size_t n, const char *empty)
{
	fprintf(f, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
	if (!n) {
		fprintf(f, "<p class=\"muted\">%s</p></section>\n", empty);
		return;
	}
	fprintf(f, "<ul class=\"%s\">", cls);
	for (size_t i = 0; i < n; i++) {
		fputs("<li>", f);
		esc(f, items[i]);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

static void listeners_counters(FILE *f, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	fputs("<section id=\"listeners\"><h2>Listeners and counters</h2>\n", f);
	if (inc->listeners.n) {
		fputs("<table><tr><th>address</th><th class=\"n\">backlog</th>"
		      "<th class=\"n\">deepest accept queue</th><th class=\"n\">full snapshots</th>"
		      "<th>SO_REUSEPORT</th><th>pids</th><th>capture</th></tr>\n", f);
		for (size_t i = 0; i < inc->listeners.n; i++) {
			const struct listener *l = inc->listeners.v[i];
			fputs("<tr data-listener=\"", f);
			esc_n(f, l->name, MAX_SHORT);
			fputs("\"><td><code>", f);
			esc_n(f, l->name, MAX_SHORT);
			fputs("</code></td><td class=\"n\" data-field=\"backlog\">", f);
			if (l->backlog >= 0)
				fprintf(f, "%" PRId64, l->backlog);
			else
				fputs("unknown", f);
			fputs("</td><td class=\"n\" data-field=\"max_accept_queue\">", f);
			if (l->max_recv_q >= 0)
				fprintf(f, "%" PRId64, l->max_recv_q);
			else
				fputs("unknown", f);
			fprintf(f, "</td><td class=\"n\">%u of %u</td><td>%s</td><td class=\"small\">",
				l->n_full_snapshots, l->n_snapshots,
				l->reuseport ? "yes" : "no");
			for (size_t k = 0; k < l->pids.n && k < 64; k++)
				fprintf(f, "%s%d", k ? " " : "", l->pids.v[k]);
			fputs("</td><td class=\"small\">", f);
			if (l->capture)
				fprintf(f, "%" PRIu64 " SYNs, %" PRIu64 " unanswered, %" PRIu64
					   " handshakes, %" PRIu64 " requests unanswered",
					l->capture->syn_packets, l->capture->syn_unanswered_packets,
					l->capture->handshakes_completed, l->capture->requests_unanswered);
			else
				fputs("none", f);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	} else {
		fputs("<p class=\"muted\">No listening socket seen.</p>\n", f);
	}
	bool any = false;
	for (size_t i = 0; report_counters[i]; i++) {
		struct counter_span sp;
		if (!incident_counter_span(inc, report_counters[i], &sp))
			continue;
		if (!any)
			fputs("<table id=\"counters\"><tr><th>kernel counter</th><th class=\"n\">first"
			      "</th><th class=\"n\">last</th><th class=\"n\">increase</th>"
			      "<th class=\"n\">snapshots</th></tr>\n", f);
		any = true;
		fprintf(f, "<tr data-counter=\"%s\"><td>%s</td><td class=\"n\">%" PRId64 "</td>"
			   "<td class=\"n\">%" PRId64 "</td><td class=\"n\" data-field=\"delta\">%"
			   PRId64 "%s</td><td class=\"n\">%u</td></tr>\n",
			report_counters[i], report_counters[i], sp.first, sp.last,
			sp.went_backwards ? 0 : sp.delta,
			sp.went_backwards ? " (went backwards)"
			: sp.from_increments ? " (nstat increments)" : "",
			sp.n);
	}
	if (any)
		fputs("</table>\n", f);
	else
		fputs("<p class=\"muted\">No kernel counter snapshot (netstat -s, nstat, "
		      "/proc/net/netstat).</p>\n", f);
	fputs("</section>\n", f);
}

static void input_messages(FILE *f, const struct analysis *an, size_t i, size_t max)
{
	const struct input *in = &an->inputs.v[i];
	size_t shown = 0, total = 0;
	if (in->summary && !in->fmt) {
		esc_n(f, in->summary, MAX_LINE);
		fputs("<br>", f);
	}
	for (size_t d = 0; d < an->diags.list.n; d++) {
		const struct diag *dg = &an->diags.list.v[d];
		if (dg->input != (int)i)
			continue;
		total++;
		if (shown >= max)
			continue;
		char buf[1024];
		diag_format(dg, buf, sizeof(buf));
		esc_n(f, buf, MAX_LINE);
		fputs("<br>", f);
		shown++;
	}
	if (total > shown)
		fprintf(f, "<span class=\"muted\">… %zu more (the JSON report lists all)</span>",
			total - shown);
}

static bool input_has_messages(const struct analysis *an, size_t i)
{
	for (size_t d = 0; d < an->diags.list.n; d++)
		if (an->diags.list.v[d].input == (int)i)
			return true;
	return false;
}

static void input_row(FILE *f, const struct analysis *an, size_t i, bool all)
{
	const struct input *in = &an->inputs.v[i];
	if (all)
		fprintf(f, "<tr data-status=\"%s\">", input_status_name(in->status));
	else
		fputs("<tr>", f);
	fputs("<td><code>", f);
	esc_n(f, in->display, MAX_PATH);
	fprintf(f, "</code></td><td>%s</td><td class=\"in-%s\">%s</td><td class=\"small\">",
		input_kind_label(in), input_status_name(in->status), input_status_name(in->status));
	if (timed(in->at_src, in->at)) {
		char a[32];
		fputs(hms(in->at, a, sizeof(a)), f);
	}
	fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"small\">", in->records);
	input_messages(f, an, i, all ? 3 : MAX_MESSAGES);
	fputs("</td></tr>\n", f);
}

static const char input_head[] =
	"<table><tr><th>path</th><th>kind</th><th>status</th><th>time</th>"
	"<th class=\"n\">records</th><th>messages</th></tr>\n";

static void inputs(FILE *f, const struct analysis *an)
{
	size_t n_bad = 0, by_status[3] = { 0 };
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		by_status[(unsigned)in->status < 3 ? in->status : 2]++;
		if (in->status != INPUT_OK || input_has_messages(an, i))
			n_bad++;
	}
	fprintf(f, "<section id=\"inputs\"><h2>Inputs</h2>\n<p>%zu input%s: %zu read, %zu partly "
		   "read, %zu unreadable.</p>\n",
		an->inputs.n, an->inputs.n == 1 ? "" : "s", by_status[INPUT_OK],
		by_status[INPUT_PARTIAL], by_status[INPUT_ERROR]);
	size_t n_global = 0;
	for (size_t d = 0; d < an->diags.list.n; d++)
		if (an->diags.list.v[d].input < 0)
			n_global++;
	if (n_bad || n_global) {
		fputs("<h3 id=\"unreadable\">Not (fully) read, or with messages</h3>\n", f);
		fputs(input_head, f);
		for (size_t i = 0; i < an->inputs.n; i++)
			if (an->inputs.v[i].status != INPUT_OK || input_has_messages(an, i))
				input_row(f, an, i, false);
		for (size_t d = 0; d < an->diags.list.n; d++) {
			const struct diag *dg = &an->diags.list.v[d];
			if (dg->input >= 0)
				continue;
			char buf[1024];
			diag_format(dg, buf, sizeof(buf));
			fputs("<tr><td colspan=\"5\" class=\"muted\">(no single input)</td>"
			      "<td class=\"small\">", f);
			esc_n(f, buf, MAX_LINE);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
		if (an->diags.suppressed)
			fprintf(f, "<p class=\"muted small\">%zu further messages suppressed.</p>\n",
				an->diags.suppressed);
	}
	fprintf(f, "<details%s><summary>All %zu inputs</summary>\n", an->inputs.n <= 12 ? " open" : "",
		an->inputs.n);
	fputs(input_head, f);
	for (size_t i = 0; i < an->inputs.n; i++)
		input_row(f, an, i, true);
	fputs("</table>\n</details>\n</section>\n", f);
}

/* ------------------------------------------------------------------ page */

void report_html_write(FILE *f, const struct analysis *an)
{
	/* No script at all, and a Content-Security-Policy that forbids any
	 * script and any request: even a string that escaped esc() could
	 * neither run nor fetch anything. */
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"stuckscope ", f);
	fputs(STUCKSCOPE_VERSION, f);
	fputs("\">\n<title>stuckscope: ", f);
	fputs(verdict_name(an->verdict), f);
	if (an->root) {
		fputs(" — ", f);
		esc_n(f, an->root->title, 160);
	}
	fputs("</title>\n<style>", f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n", f);
	if (an->trigger && an->trigger->fired.n) {
		const struct trigger_fired *tf = &an->trigger->fired.v[0];
		char at[40];
		fputs("<div class=\"watch-trigger\" style=\"border:2px solid #b00;padding:.5em 1em;"
		      "margin:.5em 0\"><strong>stuckscope watch</strong>: triggered at ", f);
		esc(f, time_format(an->trigger->at, at, sizeof(at)));
		fputs(" by <code>", f);
		esc(f, tf->trigger);
		fputs("</code>: ", f);
		esc(f, tf->detail);
		fputs("</div>\n", f);
	}
	header(f, an);
	verdict(f, an);
	chain(f, an);
	timeline(f, an);
	findings_table(f, an);
	evidence(f, an);
	workers(f, an);
	stacks(f, an);
	waitfor(f, an);
	/* the order the snapshots were put in (derive/order.c), when decided */
	const char *order[2];
	size_t n_order = 0;
	if (an->inc.sock_order.why)
		order[n_order++] = an->inc.sock_order.why;
	if (an->inc.counter_order.why)
		order[n_order++] = an->inc.counter_order.why;
	if (n_order)
		listing(f, "order", "notes", "Snapshot order", order, n_order, "");
	listing(f, "notes", "notes", "Where the sources agree or not",
		(const char *const *)an->notes.v, an->notes.n, "No cross-check to report.");
	listing(f, "checked", "checked", "Checked and fine", (const char *const *)an->checked.v,
		an->checked.n, "Nothing was found fine: see the findings.");
	listeners_counters(f, an);
	inputs(f, an);
	fprintf(f, "<footer class=\"muted small\"><p>Generated by stuckscope %s from the inputs "
		   "listed above; the same inputs give the same page. Machine-readable: "
		   "<code>stuckscope analyze --format json</code>.</p></footer>\n",
		STUCKSCOPE_VERSION);
	fputs("</body></html>\n", f);
}
