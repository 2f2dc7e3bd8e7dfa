/* diag.h — the diagnostic list: parsers never stop on bad input; they append
 * a diagnostic naming the file and position and go on with the next record.
 * main() maps the list to the exit status (DESIGN.md "Contracts"). */
#ifndef STUCKSCOPE_DIAG_H
#define STUCKSCOPE_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

enum diag_severity { DIAG_SEV_INFO, DIAG_SEV_WARN, DIAG_SEV_ERROR };

/* code, default severity, what it means */
#define DIAG_CODES(X) \
	X(UNREADABLE,     ERROR, "cannot read file") \
	X(UNKNOWN_FORMAT, ERROR, "not a recognised evidence format") \
	X(EMPTY,          ERROR, "file is empty") \
	X(TRUNCATED,      WARN,  "input ends inside a record") \
	X(BAD_NUMBER,     WARN,  "not a number") \
	X(BAD_ADDRESS,    WARN,  "not an address") \
	X(BAD_LINE,       WARN,  "line not understood") \
	X(UNKNOWN_STATE,  WARN,  "unknown socket state, kept as raw text") \
	X(UNKNOWN_FIELD,  INFO,  "unknown field, kept raw") \
	X(LONG_LINE,      WARN,  "line too long, cut") \
	X(BINARY,         ERROR, "binary data in a text format") \
	X(BAD_PACKET,     WARN,  "packet not understood") \
	X(LINKTYPE,       ERROR, "link type not supported") \
	X(SKIPPED_RECORD, WARN,  "capture record skipped") \
	X(BAD_BLOCK,      WARN,  "capture block structure broken") \
	X(LIMIT,          WARN,  "limit reached, rest skipped") \
	X(SKIPPED,        INFO,  "skipped") \
	X(USAGE,          ERROR, "usage") \
	X(SYSTEM,         ERROR, "system call failed") \
	X(NOTE,           INFO,  "note")

enum diag_code {
#define X(name, sev, text) DIAG_##name,
	DIAG_CODES(X)
#undef X
	DIAG_N_CODES
};

struct diag {
	enum diag_code code;
	enum diag_severity sev;
	const char *file;	/* input path as given, or NULL */
	uint32_t line;		/* 1-based, 0 = none */
	uint64_t packet;	/* 1-based packet number, 0 = none */
	int64_t offset;		/* byte offset, -1 = none */
	const char *msg;	/* "what is wrong: detail" */
	int input;		/* index into analysis inputs, -1 = none */
};

struct diags {
	struct arena *arena;
	VEC(struct diag) list;
	int cur_input;		/* input being parsed; stamped on new diags */
	size_t per_input_cap;	/* beyond this many per input, count only */
	size_t suppressed;
	int counted_input;	/* cur_count belongs to this input */
	size_t cur_count;
};

void diags_init(struct diags *d, struct arena *a);
/* Append; returns -1 so parsers can `return diag_add(...)`. */
int diag_add(struct diags *d, enum diag_code code, const char *file, uint32_t line,
	     int64_t offset, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int diag_add_packet(struct diags *d, enum diag_code code, const char *file, uint64_t packet,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int diag_vadd(struct diags *d, enum diag_code code, enum diag_severity sev, const char *file,
	      uint32_t line, uint64_t packet, int64_t offset, const char *fmt, va_list ap);
const char *diag_code_text(enum diag_code code);
enum diag_severity diag_code_severity(enum diag_code code);
/* "FILE:LINE: what is wrong: detail" into buf */
void diag_format(const struct diag *dg, char *buf, size_t size);
size_t diags_count(const struct diags *d, int input, enum diag_severity min);

#endif
