/* sniff.c — what kind of evidence a file holds, from its content alone
 * (DESIGN.md job 1: no naming convention required). This file only builds
 * the view every format's sniffer reads (the first lines, trimmed and
 * tokenised, without blank lines, markdown fences and time lines:
 * noise.h) and asks each format of the table to score it; the marks each
 * tool leaves (headers, section names, the way it spells socket states) are
 * known by the format's own file (format.h). */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "noise.h"

void sniff_view_init(struct sniff_view *v, const char *buf, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->buf = buf;
	v->len = len;
	v->head = span_make(buf, len < SNIFF_HEAD ? len : SNIFF_HEAD);
	/* the first SNIFF_LINES lines, each looked at up to SNIFF_HEAD bytes:
	 * a 10 MB line near the top must not hide the lines after it */
	struct textcur c;
	struct span line;
	textcur_init(&c, buf, len, NULL);
	c.max_line = SNIFF_HEAD;
	int nul_lines = 0;
	bool first = true;
	while (textcur_next(&c, &line) && c.line <= SNIFF_LINES) {
		if (c.has_nul) {
			/* a stray NUL makes one damaged line (the parser names
			 * it); NULs on several lines are binary data */
			if (++nul_lines > 2) {
				v->binary = true;
				v->n = 0;
				return;
			}
			continue;
		}
		struct span t = span_trim(line), cmd;
		struct time_mark m;
		enum noise_kind k = noise_line(t, &cmd);
		if (k == NOISE_BLANK || k == NOISE_FENCE)
			continue;	/* blank lines, markdown fences around a paste */
		if (noise_time_line(t, &m))
			continue;	/* a snapshot's time line, first or between outputs */
		if (first) {
			first = false;
			if (t.p[0] == '{' || (t.n == 1 && t.p[0] == '[') || span_starts(t, "[{") ||
			    span_starts(t, "[\"")) {
				v->json = true;
				return;
			}
		}
		struct sniff_line *l = &v->lines[v->n++];
		l->raw = line;
		l->t = t;
		l->no = c.line;
		l->indented = line.n && (line.p[0] == ' ' || line.p[0] == '\t');
		struct span rest = t;
		while (l->ntok < 3 && span_token(&rest, &l->tok[l->ntok]))
			l->ntok++;
	}
}

const struct format *format_sniff(const char *buf, size_t len)
{
	struct sniff_view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	sniff_view_init(v, buf, len);
	const struct format *best = NULL;
	int best_score = 0;
	for (size_t i = 0; formats[i]; i++) {
		const struct format *f = formats[i];
		if (!f->sniff)
			continue;
		int s = f->sniff(v);
		if (s > best_score) {
			best = f;
			best_score = s;
		}
	}
	free(v);
	return best;
}
