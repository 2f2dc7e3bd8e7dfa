/* fuzz_order.c — libFuzzer harness for derive/order.c and the rules that
 * count looks: several inputs with arbitrary names, mtimes and contents,
 * in the layout `head` prints for several files (issue 14):
 *
 *	==> ss-before.txt <== 1764061200.5
 *	State Recv-Q ...
 *	==> netstat-s-after.txt <==
 *	...
 *
 * The number after "<==" is the file's mtime (none: no mtime). Each part is
 * sniffed and parsed as `analyze` would, then ordered, grouped into moments,
 * diagnosed and written in the three formats (to /dev/null). The seeds
 * (tests/fuzz/SEEDS) are such files built from tests/field/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis.h"
#include "input/format.h"
#include "input/parsers.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PARTS_MAX 64

static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

static bool is_header(const char *p, const char *end)
{
	return end - p >= 4 && memcmp(p, "==> ", 4) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analysis an;
	analysis_init(&an);
	const char *p = (const char *)data, *end = p + size;
	int parts = 0;
	while (p < end && parts < PARTS_MAX) {
		char name[128] = "part";
		double mtime = 0;
		if (is_header(p, end)) {
			const char *nl = next_line(p, end);
			const char *q = p + 4, *close = NULL;
			for (const char *s = q; s + 3 <= nl; s++)
				if (memcmp(s, "<==", 3) == 0) {
					close = s;
					break;
				}
			size_t n = close ? (size_t)(close - q) : (size_t)(nl - q);
			while (n && (q[n - 1] == ' ' || q[n - 1] == '\n'))
				n--;
			snprintf(name, sizeof(name), "case/%.*s", (int)(n < 100 ? n : 100), q);
			if (close) {
				char num[32];
				size_t m = (size_t)(nl - (close + 3));
				snprintf(num, sizeof(num), "%.*s", (int)(m < 31 ? m : 31), close + 3);
				mtime = strtod(num, NULL);
				if (!(mtime > 0 && mtime < 1e12))
					mtime = 0;
			}
			p = nl;
		}
		const char *body = p;
		while (p < end && !is_header(p, end))
			p = next_line(p, end);
		size_t len = (size_t)(p - body);
		const struct format *f = format_sniff(body, len);
		if (f && !f->streamed && len) {
			analysis_parse_buffer(&an, name, f->name, body, len);
			struct input *in = &an.inputs.v[an.inputs.n - 1];
			in->mtime = mtime;
			if (in->at_src == TIME_NONE && mtime > 0) {
				in->at = mtime;
				in->at_src = TIME_MTIME;
			}
		}
		parts++;
	}
	analysis_diagnose(&an);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		report_json_write(null, &an);
		report_text_write(null, &an, false);
		report_html_write(null, &an);
		fclose(null);
	}
	analysis_release(&an);
	return 0;
}
