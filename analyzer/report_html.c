/* report_html.c — one self-contained HTML page (inline CSS, no script, no
 * external resource) for the post-mortem. Every string from the evidence is
 * escaped (&lt; &gt; &amp; &quot; &#39;, control bytes as U+FFFD), so a
 * hostile process name cannot inject markup. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "rule.h"

static void esc(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (*p < 0x20 && *p != '\n' && *p != '\t')
				fputs("&#xfffd;", f);
			else
				fputc(*p, f);
		}
	}
}

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:2em}"
	".verdict{font-size:1.2em;padding:.6em 1em;border-radius:6px}"
	".healthy{background:#e3f6e3}.degraded{background:#fff1d6}.outage{background:#fde0e0}"
	".inconclusive{background:#eee}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;"
	"text-align:left;vertical-align:top}th{background:#f4f4f4}"
	".critical{color:#b00}.warning{color:#a60}.info{color:#070}"
	"code,pre{font:12px ui-monospace,monospace}pre{background:#f7f7f7;padding:.4em;"
	"white-space:pre-wrap}.finding{border-left:4px solid #ccc;padding-left:1em;margin:1em 0}"
	".muted{color:#777}";

static void chain_li(FILE *f, const struct analysis *an, const struct finding *x, int depth)
{
	if (depth > 8)
		return;
	fprintf(f, "<li><a href=\"#%s\">%s</a> <b>", x->id, x->id);
	esc(f, x->rule->id);
	fputs("</b>: ", f);
	esc(f, x->title);
	bool open = false;
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *c = an->findings.v[i];
		for (size_t k = 0; k < c->caused_by.n; k++)
			if (c->caused_by.v[k] == x) {
				if (!open)
					fputs("<ul>", f);
				open = true;
				chain_li(f, an, c, depth + 1);
			}
	}
	if (open)
		fputs("</ul>", f);
	fputs("</li>\n", f);
}

void report_html_write(FILE *f, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	char a[40], b[40];
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<title>stuckscope report</title><style>", f);
	fputs(css, f);
	fputs("</style></head><body>\n<h1>stuckscope report</h1>\n", f);
	fprintf(f, "<p class=\"muted\">stuckscope %s · window %s – %s</p>\n", STUCKSCOPE_VERSION,
		time_format(inc->t_first, a, sizeof(a)), time_format(inc->t_last, b, sizeof(b)));
	fprintf(f, "<div id=\"verdict\" class=\"verdict %s\"><b>%s</b> — ",
		verdict_name(an->verdict), verdict_name(an->verdict));
	esc(f, an->root ? an->root->title : an->findings.n ? an->findings.v[0]->title
							: "not enough evidence to diagnose");
	fputs("</div>\n", f);
	if (an->root) {
		fputs("<h2 id=\"chain\">Causal chain</h2><ul>", f);
		chain_li(f, an, an->root, 0);
		fputs("</ul>\n", f);
	}
	fputs("<h2 id=\"findings\">Findings</h2>\n", f);
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *x = an->findings.v[i];
		fprintf(f, "<div class=\"finding\" id=\"%s\"><h3>%s <span class=\"%s\">%s</span> ",
			x->id, x->id, severity_name(x->severity), severity_name(x->severity));
		esc(f, x->rule->id);
		fprintf(f, " <span class=\"muted\">confidence %.2f</span></h3><p><b>", x->confidence);
		esc(f, x->title);
		fputs("</b></p>", f);
		if (x->detail) {
			fputs("<p>", f);
			esc(f, x->detail);
			fputs("</p>", f);
		}
		if (x->evidence.n) {
			fputs("<table><tr><th>file</th><th>where</th><th>evidence</th></tr>", f);
			for (size_t e = 0; e < x->evidence.n; e++) {
				fputs("<tr><td><code>", f);
				esc(f, x->evidence.v[e].file);
				fputs("</code></td><td>", f);
				esc(f, x->evidence.v[e].where);
				fputs("</td><td><code>", f);
				esc(f, x->evidence.v[e].text);
				fputs("</code></td></tr>", f);
			}
			fputs("</table>", f);
		}
		if (x->advice) {
			fputs("<p><b>Advice:</b> ", f);
			esc(f, x->advice);
			fputs("</p>", f);
		}
		fputs("</div>\n", f);
	}
	if (inc->listeners.n) {
		fputs("<h2 id=\"listeners\">Listeners</h2><table><tr><th>address</th><th>backlog</th>"
		      "<th>max accept queue</th><th>full snapshots</th><th>pids</th></tr>", f);
		for (size_t i = 0; i < inc->listeners.n; i++) {
			const struct listener *l = inc->listeners.v[i];
			fputs("<tr><td>", f);
			esc(f, l->name);
			fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%u of %u</td><td>",
				(long long)l->backlog, (long long)l->max_recv_q, l->n_full_snapshots,
				l->n_snapshots);
			for (size_t k = 0; k < l->pids.n; k++)
				fprintf(f, "%s%d", k ? " " : "", l->pids.v[k]);
			fputs("</td></tr>", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<h2 id=\"counters\">Counters</h2><table><tr><th>counter</th><th>first</th>"
	      "<th>last</th><th>delta</th></tr>", f);
	for (size_t i = 0; report_counters[i]; i++) {
		struct counter_span sp;
		if (!incident_counter_span(inc, report_counters[i], &sp))
			continue;
		fprintf(f, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>",
			report_counters[i], (long long)sp.first, (long long)sp.last,
			(long long)sp.delta);
	}
	fputs("</table>\n", f);
	if (inc->processes.n) {
		fputs("<h2 id=\"processes\">Processes</h2><table><tr><th>pid</th><th>comm</th>"
		      "<th>role</th><th>state</th><th>CLOSE-WAIT</th><th>unread bytes</th>"
		      "<th>threads</th></tr>", f);
		for (size_t i = 0; i < inc->processes.n; i++) {
			const struct process *p = inc->processes.v[i];
			fprintf(f, "<tr><td>%d</td><td>", p->pid);
			esc(f, p->comm);
			fprintf(f, "</td><td>%s</td><td>%s</td><td>%u</td><td>%" PRIu64
				"</td><td>%zu</td></tr>",
				role_name(p->role), proc_state_name(p->state), p->close_wait,
				p->unread_bytes, p->threads.n);
		}
		fputs("</table>\n", f);
	}
	if (an->checked.n) {
		fputs("<h2 id=\"checked\">Checked and fine</h2><ul>", f);
		for (size_t i = 0; i < an->checked.n; i++) {
			fputs("<li>", f);
			esc(f, an->checked.v[i]);
			fputs("</li>", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("<h2 id=\"inputs\">Inputs</h2><table><tr><th>path</th><th>kind</th><th>status</th>"
	      "<th>messages</th></tr>", f);
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		fputs("<tr><td><code>", f);
		esc(f, in->display);
		fprintf(f, "</code></td><td>%s</td><td>%s</td><td>", input_kind_name(in->kind),
			input_status_name(in->status));
		size_t shown = 0;
		for (size_t d = 0; d < an->diags.list.n && shown < 20; d++) {
			const struct diag *dg = &an->diags.list.v[d];
			if (dg->input != (int)i)
				continue;
			char buf[1024];
			diag_format(dg, buf, sizeof(buf));
			esc(f, buf);
			fputs("<br>", f);
			shown++;
		}
		fputs("</td></tr>", f);
	}
	fputs("</table>\n</body></html>\n", f);
}
