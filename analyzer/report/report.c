/* report.c — the one dispatcher from a format to its writer. */
#include "report.h"

void report_write(FILE *out, const struct analysis *an, enum report_format fmt, bool color)
{
	switch (fmt) {
	case FMT_JSON:
		report_json_write(out, an);
		break;
	case FMT_HTML:
		report_html_write(out, an);
		break;
	case FMT_TEXT:
		report_text_write(out, an, color);
		break;
	}
}
