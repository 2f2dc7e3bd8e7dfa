/* parse_stack_eu.c — elfutils `eu-stack -p PID` (and `--core`), every flag.
 *
 * The format is print_frame() and friends in elfutils src/stack.c:
 *
 *   PID 169385 - process                    ("- core" for --core)
 *   TID 169385:
 *   #0  0x00007f04a98adbd7 clock_nanosleep@GLIBC_2.2.5      "#%-2u 0x%0*x" then " %s" symbol
 *   #1  0x00007f4e271ecf16 - 1 __futex_abstimed_wait_common - /usr/lib/x86_64-linux-gnu/libc.so.6
 *           -a prints "%4s" of "- 1" (a return address) or "" (an activation);
 *           -m appends " - MODULE" (the module's name, a path or "[vdso: N]")
 *       [9d7ee4eb...]@0x7f4e27165000+0x87f16                 -b: build id, module start, offset
 *       ./nptl/futex-internal.c:57:12                        -s: file:line[:column]
 *   #3  0x0000561e7fdd9c05                                   -q, or no symbol: the pc alone
 *   eu-stack: dwfl_thread_getframes tid 1235 at 0x.. in libc.so.6: No DWARF information found
 *
 * -v is -a -s -m -d -i together. -i (inlines) prints one frame per inlined
 * scope, all with the pc of the real frame (print_inline_frames()): a frame
 * whose successor has the same pc and another function was inlined into it
 * (a recursive call repeats the pc with the same function, and is not).
 * -M first lists the module map ("PID n - process module memory map", then
 * "0x..-0x.. name" rows with indented build id and file lines): skipped.
 * The corpus example is corpus/stacks/elfutils-eu-stack-p-sleep.txt; every
 * flag's output recorded here is under tests/data/stacks/eu-stack-*.txt. */
#include <string.h>

#include "parsers.h"
#include "stack_model.h"
#include "format.h"

struct eu_reader {
	struct analysis *an;
	struct input *in;
	int32_t pid;
	bool module_map;	/* inside -M's module list */
	struct stack_thread th;
	uint32_t threads;
};

/* -i: frames of one pc, innermost first; all but the last were inlined. */
static void eu_mark_inlined(struct stack_thread *th)
{
	for (size_t i = 0; i + 1 < th->frames.n; i++) {
		struct frame *f = &th->frames.v[i], *g = &th->frames.v[i + 1];
		if (f->pc && f->pc == g->pc && f->function && g->function &&
		    strcmp(f->function, g->function) != 0)
			f->inlined = true;
	}
}

static void eu_commit(struct eu_reader *r)
{
	if (!r->th.open)
		return;
	eu_mark_inlined(&r->th);
	if (!r->pid) {
		/* `eu-stack -1 -p TID` prints no PID line */
		r->pid = r->th.tid;
		diag_add(&r->an->diags, DIAG_NOTE, r->in->display, r->th.line, -1,
			 "no \"PID n - process\" line: pid %d taken from the first thread",
			 (int)r->pid);
	}
	stack_thread_commit(r->an, r->in, r->pid, &r->th);
	r->threads++;
}

/* " file.c:57:12" under a frame (-s): file, line, column. */
static void eu_source(struct analysis *an, struct frame *f, struct span t)
{
	uint32_t num[2];
	int k = 0;
	while (k < 2) {
		size_t colon = t.n;
		while (colon > 0 && t.p[colon - 1] != ':')
			colon--;
		if (colon < 2 || !span_u32(span_make(t.p + colon, t.n - colon), &num[k]))
			break;
		t.n = colon - 1;
		k++;
	}
	f->file = stack_span_dup(an, t);
	/* "file:line:col" gives k == 2 with the line second; "file:line" k == 1 */
	f->line = k == 2 ? num[1] : k == 1 ? num[0] : 0;
}

static bool eu_frame(struct eu_reader *r, struct span t, uint32_t lineno)
{
	struct span rest = span_make(t.p + 1, t.n - 1), tok;
	int32_t n;
	if (!stack_take_i32(&rest, &n) || !span_token(&rest, &tok) || !span_starts(tok, "0x"))
		return false;
	struct frame f;
	memset(&f, 0, sizeof(f));
	if (!span_hex_u64(tok, &f.pc)) {
		diag_add(&r->an->diags, DIAG_BAD_ADDRESS, r->in->display, lineno, -1,
			 "frame address '%.*s'", (int)(tok.n < 40 ? tok.n : 40), tok.p);
		return true;
	}
	rest = span_trim(rest);
	/* -a: "- 1" marks a return address (the call is at pc - 1) */
	if (span_starts(rest, "- 1") && (rest.n == 3 || rest.p[3] == ' '))
		rest = span_trim(span_make(rest.p + 3, rest.n - 3));
	struct span sym = rest, mod = { NULL, 0 };
	if (span_starts(rest, "- ")) {
		sym.n = 0;	/* no symbol, module only */
		mod = span_trim(span_make(rest.p + 2, rest.n - 2));
	} else {
		/* the module is after the last " - " (a C++ symbol may hold "-",
		 * "operator-", but not " - "; module names hold no " - ") */
		for (size_t i = rest.n; i >= 3; i--)
			if (memcmp(rest.p + i - 3, " - ", 3) == 0) {
				sym = span_trim(span_make(rest.p, i - 3));
				mod = span_trim(span_make(rest.p + i, rest.n - i));
				break;
			}
	}
	if (sym.n && !span_eq(sym, "??"))
		f.function = stack_span_dup(r->an, sym);
	if (mod.n)
		f.module = mod.p[0] == '[' ? stack_span_dup(r->an, mod)	/* "[vdso: 1234]" */
					   : stack_basename_dup(r->an, mod);
	if (!r->th.open) {
		/* frames before any "TID n:" line: the process's only thread */
		stack_thread_begin(r->an, &r->th, r->pid, NULL, lineno, t);
	}
	*VEC_PUSH(&r->an->arena, &r->th.frames) = f;
	r->th.parts |= SAMPLE_NATIVE;
	return true;
}

int eu_stack_parse(struct analysis *an, struct input *in)
{
	struct eu_reader r;
	memset(&r, 0, sizeof(r));
	r.an = an;
	r.in = in;
	struct textcur c;
	struct span line;
	uint64_t skipped = 0;
	uint32_t skipped_line = 0;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		uint32_t lineno = c.line;
		if (c.has_nul) {
			diag_add(&an->diags, DIAG_BINARY, in->display, lineno, textcur_offset(&c, &line),
				 "NUL byte in a text line");
			continue;
		}
		if (c.cut)
			diag_add(&an->diags, DIAG_LONG_LINE, in->display, lineno, -1,
				 "%zu bytes kept", line.n);
		struct span t = span_trim(line);
		if (t.n == 0)
			continue;
		if (span_starts(t, "PID ")) {
			struct span d = span_make(t.p + 4, t.n - 4);
			int32_t pid;
			if (!stack_take_i32(&d, &pid) || !span_starts(d, " - ")) {
				diag_add(&an->diags, DIAG_BAD_LINE, in->display, lineno, -1,
					 "'%.*s'", (int)(t.n < 80 ? t.n : 80), t.p);
				continue;
			}
			eu_commit(&r);
			r.pid = pid;
			r.module_map = span_contains(d, "module memory map");
			continue;
		}
		if (span_starts(t, "TID ") && t.p[t.n - 1] == ':') {
			struct span d = span_make(t.p + 4, t.n - 5);
			int32_t tid;
			if (!stack_take_i32(&d, &tid) || d.n) {
				diag_add(&an->diags, DIAG_BAD_LINE, in->display, lineno, -1,
					 "thread id in '%.*s'", (int)(t.n < 80 ? t.n : 80), t.p);
				continue;
			}
			eu_commit(&r);
			r.module_map = false;
			stack_thread_begin(an, &r.th, tid, NULL, lineno, t);
			continue;
		}
		if (r.module_map)
			continue;	/* -M rows */
		if (t.p[0] == '#' && t.n > 1 && span_is_digit(t.p[1])) {
			if (!eu_frame(&r, t, lineno))
				diag_add(&an->diags, DIAG_BAD_LINE, in->display, lineno, -1,
					 "frame '%.*s'", (int)(t.n < 80 ? t.n : 80), t.p);
			continue;
		}
		if (span_starts(line, "    ") && r.th.open && r.th.frames.n) {
			struct frame *f = &r.th.frames.v[r.th.frames.n - 1];
			if (t.p[0] != '[')	/* -b "[build-id]@0x..+0x..": not kept */
				eu_source(an, f, t);
			continue;
		}
		if (span_starts(t, "eu-stack: ")) {
			/* its stderr, when saved with 2>&1: why a stack is short */
			diag_add(&an->diags, DIAG_NOTE, in->display, lineno, -1, "%.*s",
				 (int)(t.n < 200 ? t.n : 200), t.p);
			continue;
		}
		if (!skipped++)
			skipped_line = lineno;
	}
	eu_commit(&r);
	if (skipped)
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, skipped_line, -1,
			 "%llu line(s) that are not eu-stack output, this is the first",
			 (unsigned long long)skipped);
	if (!r.threads)
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no \"TID n:\" or frame line found");
	return 0;
}

/* eu-stack: "PID n - process", "TID n:" */
static int eu_stack_sniff(const struct sniff_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		if (span_starts(l->t, "PID ") && span_contains(l->t, " - process"))
			return SNIFF_ROWS_EU_STACK;
		if (l->ntok >= 2 && span_eq(l->tok[0], "TID") && l->tok[1].n > 1 &&
		    l->tok[1].p[l->tok[1].n - 1] == ':')
			return SNIFF_ROWS_EU_STACK;
	}
	return 0;
}

const struct format format_eu_stack = {
	.name = "eu-stack", .cls = EV_STACKS, .sniff = eu_stack_sniff, .parse = eu_stack_parse,
};
