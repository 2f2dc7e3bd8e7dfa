#include "diag.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *text;
	enum diag_severity sev;
} diag_table[] = {
#define X(name, sev, text) { text, DIAG_SEV_##sev },
	DIAG_CODES(X)
#undef X
};

void diags_init(struct diags *d, struct arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	d->cur_input = -1;
	d->per_input_cap = 200;
	d->counted_input = -1;
}

const char *diag_code_text(enum diag_code code)
{
	return (unsigned)code < DIAG_N_CODES ? diag_table[code].text : "?";
}

enum diag_severity diag_code_severity(enum diag_code code)
{
	return (unsigned)code < DIAG_N_CODES ? diag_table[code].sev : DIAG_SEV_ERROR;
}

int diag_vadd(struct diags *d, enum diag_code code, enum diag_severity sev, const char *file,
	      uint32_t line, uint64_t packet, int64_t offset, const char *fmt, va_list ap)
{
	if (d->counted_input != d->cur_input) {
		d->counted_input = d->cur_input;
		d->cur_count = 0;
	}
	if (d->cur_input >= 0 && d->per_input_cap && d->cur_count++ >= d->per_input_cap) {
		/* a 1 GB garbage file must not make a 1 GB report: count the rest */
		d->suppressed++;
		return -1;
	}
	struct diag *dg = VEC_PUSH(d->arena, &d->list);
	dg->code = code;
	dg->sev = sev;
	dg->file = file;
	dg->line = line;
	dg->packet = packet;
	dg->offset = offset;
	dg->input = d->cur_input;
	const char *what = diag_code_text(code);
	if (fmt && *fmt) {
		char *detail = arena_vprintf(d->arena, fmt, ap);
		dg->msg = code == DIAG_NOTE || code == DIAG_SYSTEM || code == DIAG_USAGE
			  ? detail : arena_printf(d->arena, "%s: %s", what, detail);
	} else {
		dg->msg = what;
	}
	return -1;
}

int diag_add(struct diags *d, enum diag_code code, const char *file, uint32_t line,
	     int64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, code, diag_code_severity(code), file, line, 0, offset, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_add_packet(struct diags *d, enum diag_code code, const char *file, uint64_t packet,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, code, diag_code_severity(code), file, 0, packet, -1, fmt, ap);
	va_end(ap);
	return -1;
}

void diag_format(const struct diag *dg, char *buf, size_t size)
{
	if (dg->file && dg->line)
		snprintf(buf, size, "%s:%" PRIu32 ": %s", dg->file, dg->line, dg->msg);
	else if (dg->file && dg->packet)
		snprintf(buf, size, "%s: packet %" PRIu64 ": %s", dg->file, dg->packet, dg->msg);
	else if (dg->file && dg->offset >= 0)
		snprintf(buf, size, "%s: offset %" PRId64 ": %s", dg->file, dg->offset, dg->msg);
	else if (dg->file)
		snprintf(buf, size, "%s: %s", dg->file, dg->msg);
	else
		snprintf(buf, size, "%s", dg->msg);
}

size_t diags_count(const struct diags *d, int input, enum diag_severity min)
{
	size_t n = 0;
	for (size_t i = 0; i < d->list.n; i++)
		if ((input < 0 || d->list.v[i].input == input) && d->list.v[i].sev >= min)
			n++;
	return n;
}
