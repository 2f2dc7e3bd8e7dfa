#include "json.h"
#include "utf8.h"

#include <math.h>
#include <string.h>

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void indent(struct jw *w)
{
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputc(' ', w->f);
}

/* before a value: comma and newline unless it follows a key */
static void pre(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			fputc(',', w->f);
		indent(w);
	}
	w->need_comma[w->depth] = true;
}

static void open_(struct jw *w, char ch)
{
	pre(w);
	fputc(ch, w->f);
	if (w->depth < 63)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct jw *w, char ch)
{
	bool had = w->need_comma[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		indent(w);
	fputc(ch, w->f);
}

void jw_obj(struct jw *w) { open_(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w) { open_(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_key(struct jw *w, const char *k)
{
	pre(w);
	fputc('"', w->f);
	json_escape(w->f, k);
	fputs("\": ", w->f);
	w->after_key = true;
}

void json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + strlen(str);
	while (*s) {
		unsigned char ch = *s;
		if (ch == '"' || ch == '\\') {
			fputc('\\', f);
			fputc(ch, f);
			s++;
		} else if (ch == '\n') {
			fputs("\\n", f);
			s++;
		} else if (ch == '\t') {
			fputs("\\t", f);
			s++;
		} else if (ch < 0x20 || ch == 0x7f) {
			fprintf(f, "\\u%04x", ch);
			s++;
		} else if (ch < 0x80) {
			fputc(ch, f);
			s++;
		} else {
			uint32_t cp;
			size_t n = utf8_decode(s, (size_t)(end - s), &cp);
			if (n == 0) {
				fprintf(f, "\\u%04x", ch);
				s++;
			} else {
				fwrite(s, 1, n, f);
				s += n;
			}
		}
	}
}

void jw_str(struct jw *w, const char *s)
{
	pre(w);
	if (!s) {
		fputs("null", w->f);
		return;
	}
	fputc('"', w->f);
	json_escape(w->f, s);
	fputc('"', w->f);
}

void jw_int(struct jw *w, int64_t v)
{
	pre(w);
	fprintf(w->f, "%lld", (long long)v);
}

void jw_num(struct jw *w, double v)
{
	pre(w);
	if (isnan(v) || isinf(v)) {
		fputs("null", w->f);
		return;
	}
	char buf[32];
	snprintf(buf, sizeof(buf), "%.6g", v);
	/* keep it a JSON number with a fraction when it is one: "1" stays "1" */
	fputs(buf, w->f);
}

void jw_bool(struct jw *w, bool v)
{
	pre(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	pre(w);
	fputs("null", w->f);
}

void jw_end(struct jw *w)
{
	fputc('\n', w->f);
}
