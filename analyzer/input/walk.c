/* walk.c — the input driver: walk the paths the user gave, read each file
 * (read(), never mmap: issue 16), ask the format table which format it holds
 * (format.h), hand it to that format's parser, and record what could not be
 * read. A bad input adds diagnostics and never stops the loop. */
#include "model/analysis.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"
#include "base/readfile.h"
#include "format.h"
#include "noise.h"

#define MAX_INPUTS 200000
#define MAX_DEPTH 32

/* Text evidence is read whole: a larger file is read up to here and the
 * rest named as not read (a million socket rows of `ss -tanpie` are about
 * 300 MB; INPUT_RECORDS_MAX stops the parsers long before). */

void input_textcur(const struct input *in, struct textcur *c)
{
	textcur_init(c, in->buf, in->len, in->display);
	struct span skip;
	for (uint32_t i = 0; i < in->skip_lines; i++)
		textcur_next(c, &skip);
}

const char *evidence_text(struct arena *a, struct span line)
{
	line = span_trim(line);
	if (line.n > EVIDENCE_TEXT_MAX) {
		size_t n = EVIDENCE_TEXT_MAX;
		while (n > 0 && ((unsigned char)line.p[n] & 0xC0) == 0x80)
			n--;
		line.n = n;
	}
	return arena_strndup(a, line.p, line.n);
}

bool input_line_ok(struct analysis *an, const struct input *in, const struct textcur *c,
		   struct span line)
{
	if (c->cut)
		diag_add(&an->diags, DIAG_LONG_LINE, in->display, c->line, textcur_offset(c, &line),
			 "%zu bytes kept", line.n);
	if (c->has_nul) {
		diag_add(&an->diags, DIAG_BAD_LINE, in->display, c->line, textcur_offset(c, &line),
			 "NUL byte in line");
		return false;
	}
	return true;
}

bool input_records_full(struct analysis *an, const struct input *in, const struct textcur *c,
			struct span line, uint64_t records, const char *what)
{
	if (records < INPUT_RECORDS_MAX)
		return false;
	diag_add(&an->diags, DIAG_LIMIT, in->display, c->line, textcur_offset(c, &line),
		 "more than %d %s: the rest of the file (%zu of %zu bytes) is not read",
		 INPUT_RECORDS_MAX, what, (size_t)(c->end - line.p), (size_t)(c->end - c->base));
	return true;
}

static struct input *input_new(struct analysis *an, const char *path, const char *display)
{
	struct input *in = VEC_PUSH(&an->arena, &an->inputs);
	memset(in, 0, sizeof(*in));
	in->path = arena_strdup(&an->arena, path);
	in->display = arena_strdup(&an->arena, display);
	in->index = (int)(an->inputs.n - 1);
	in->at = NAN;
	in->kind = "unknown";
	return in;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct visited {
	dev_t dev;
	ino_t ino;
};

static void walk_dir(struct analysis *an, const char *path, const char *display, int depth,
		     struct visited *seen, int nseen)
{
	if (depth > MAX_DEPTH) {
		diag_add(&an->diags, DIAG_LIMIT, display, 0, -1,
			 "directories nested deeper than %d levels", MAX_DEPTH);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		struct input *in = input_new(an, path, display);
		in->status = INPUT_ERROR;
		an->diags.cur_input = in->index;
		diag_add(&an->diags, DIAG_UNREADABLE, display, 0, -1, "%s", strerror(errno));
		an->diags.cur_input = -1;
		return;
	}
	VEC(char *) names = { 0 };
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		*VEC_PUSH(&an->arena, &names) = arena_strdup(&an->arena, e->d_name);
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(names.v[0]), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		if (an->inputs.n >= MAX_INPUTS) {
			diag_add(&an->diags, DIAG_LIMIT, display, 0, -1,
				 "more than %d files; the rest of the directory is not read",
				 MAX_INPUTS);
			return;
		}
		char *child = arena_printf(&an->arena, "%s/%s", path, names.v[i]);
		char *child_display = arena_printf(&an->arena, "%s/%s",
						   strcmp(display, ".") == 0 ? "." : display,
						   names.v[i]);
		if (strcmp(display, ".") == 0)
			child_display += 2;
		struct stat st;
		if (stat(child, &st) != 0) {
			struct input *in = input_new(an, child, child_display);
			in->status = INPUT_ERROR;
			an->diags.cur_input = in->index;
			diag_add(&an->diags, DIAG_UNREADABLE, child_display, 0, -1, "%s",
				 strerror(errno));
			an->diags.cur_input = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			bool loop = false;
			for (int k = 0; k < nseen; k++)
				if (seen[k].dev == st.st_dev && seen[k].ino == st.st_ino)
					loop = true;
			if (loop) {
				diag_add(&an->diags, DIAG_SKIPPED, child_display, 0, -1,
					 "directory already visited (symlink loop)");
				continue;
			}
			seen[nseen].dev = st.st_dev;
			seen[nseen].ino = st.st_ino;
			walk_dir(an, child, child_display, depth + 1, seen, nseen + 1);
		} else {
			input_new(an, child, child_display);
		}
	}
}

int analysis_add_path(struct analysis *an, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct visited seen[MAX_DEPTH + 2];
		seen[0].dev = st.st_dev;
		seen[0].ino = st.st_ino;
		size_t len = strlen(path);
		char *display = arena_strdup(&an->arena, path);
		while (len > 1 && display[len - 1] == '/')
			display[--len] = '\0';
		walk_dir(an, path, display, 0, seen, 1);
		return 0;
	}
	input_new(an, path, path);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Documentation and source files in an evidence directory (the lab's
 * README.md, a reproduction script) are listed as skipped, never silently
 * dropped. */
static const char *skip_reason(const char *display)
{
	const char *base = strrchr(display, '/');
	base = base ? base + 1 : display;
	if (ends_with(base, ".md") || ends_with(base, ".html") || strncmp(base, "README", 6) == 0)
		return "skipped: documentation, not evidence";
	if (ends_with(base, ".py") || ends_with(base, ".c") || ends_with(base, ".h") ||
	    ends_with(base, ".sh"))
		return "skipped: source code, not evidence";
	return NULL;
}

/* The first line of the output may be the time the snapshot was taken
 * (noise_time_line(): `date`, ISO-8601, an epoch, "# at: ..."), after
 * blank lines and a markdown fence at most. A time line in a zone that
 * cannot be placed is skipped but dates nothing. */
static void input_find_timestamp(struct input *in)
{
	struct textcur c;
	struct span line, cmd;
	struct time_mark m;
	textcur_init(&c, in->buf, in->len, in->display);
	while (textcur_next(&c, &line) && c.line <= 5) {
		struct span t = span_trim(line);
		enum noise_kind k = noise_line(t, &cmd);
		if (k == NOISE_BLANK || k == NOISE_FENCE)
			continue;
		if (!c.has_nul && noise_time_line(t, &m) && isnan(m.tod)) {
			if (!isnan(m.at)) {
				in->at = m.at;
				in->at_src = TIME_CONTENT;
			}
			in->skip_lines = c.line;
		}
		return;
	}
}

static void input_apply_labels(struct analysis *an, struct input *in)
{
	if (in->at_src == TIME_CONTENT)
		return;
	const char *base = strrchr(in->display, '/');
	base = base ? base + 1 : in->display;
	for (size_t i = 0; i < an->opt.at_labels.n; i++) {
		const struct at_label *l = &an->opt.at_labels.v[i];
		if (strcmp(l->label, in->display) == 0 || strcmp(l->label, base) == 0) {
			in->at = l->at;
			in->at_src = TIME_LABEL;
			return;
		}
	}
	if (in->mtime > 0 && in->at_src == TIME_NONE) {
		in->at = in->mtime;
		in->at_src = TIME_MTIME;
	}
}

static void input_set_format(struct input *in, const struct format *fmt)
{
	in->fmt = fmt;
	in->kind = fmt ? fmt->name : "unknown";
	in->cls = fmt ? fmt->cls : EV_NONE;
}

/* An input that was not read adds nothing: its empty snapshots (a header
 * whose rows were all rejected) would read as "no sockets" or "no counters"
 * and let a rule call that fine. */
static void input_drop_empty(struct analysis *an, int index)
{
	struct incident *inc = &an->inc;
	size_t k = 0;
	for (size_t i = 0; i < inc->sock_snaps.n; i++) {
		struct sock_snapshot *s = inc->sock_snaps.v[i];
		if (s->input != index || s->rows.n)
			inc->sock_snaps.v[k++] = s;
	}
	inc->sock_snaps.n = k;
	k = 0;
	for (size_t i = 0; i < inc->counter_snaps.n; i++) {
		struct counter_snapshot *s = inc->counter_snaps.v[i];
		if (s->input != index || s->counters.n)
			inc->counter_snaps.v[k++] = s;
	}
	inc->counter_snaps.n = k;
}

static void input_run_parser(struct analysis *an, struct input *in)
{
	an->diags.cur_input = in->index;
	size_t before = diags_count(&an->diags, in->index, DIAG_SEV_WARN);
	if (in->fmt->parse(an, in) < 0) {
		in->status = INPUT_ERROR;
		if (diags_count(&an->diags, in->index, DIAG_SEV_WARN) == before)
			diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				 "nothing readable as %s", in->kind);
	} else if (in->records == 0 && diags_count(&an->diags, in->index, DIAG_SEV_WARN) > before) {
		/* records were there and none could be read (a header whose every
		 * row was rejected): not read, whatever the parser understood of
		 * the layout (issue 14: a verdict never rests on zero records) */
		in->status = INPUT_ERROR;
		diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
			 "nothing read: not one %s record could be read", in->kind);
	} else {
		in->status = diags_count(&an->diags, in->index, DIAG_SEV_WARN) > before
			     ? INPUT_PARTIAL : INPUT_OK;
	}
	if (in->status == INPUT_ERROR)
		input_drop_empty(an, in->index);
	an->diags.cur_input = -1;
}

/* Our own reports (JSON by its schema_version, text by its first line)
 * next to the evidence, as watch and attach bundles have them. */
static bool is_own_report(struct span head)
{
	return span_contains(head, "\"schema_version\"") ||
	       (span_starts(head, "stuckscope ") && span_contains(head, "\nVERDICT ")) ||
	       span_starts(head, "watch: trigger ");
}

static void input_unknown(struct analysis *an, struct input *in)
{
	struct span head = span_make(in->buf, in->len < 4096 ? in->len : 4096);
	if (is_own_report(head)) {
		in->status = INPUT_OK;
		in->summary = "skipped: a stuckscope report, not evidence";
		return;
	}
	bool binary = memchr(head.p, '\0', head.n) != NULL;
	const uint8_t *m = (const uint8_t *)in->buf;
	if (in->len >= 2 && ((m[0] == 0x1f && m[1] == 0x8b) || (m[0] == 'B' && m[1] == 'Z') ||
			     (in->len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f)))
		diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, 0,
			 "compressed (%s): decompress it first",
			 m[0] == 0x1f ? "gzip" : m[0] == 'B' ? "bzip2" : "zstd");
	else
		diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, binary ? 0 : 1,
			 binary ? 0 : -1,
			 binary ? "binary data, not a capture (unknown magic number)"
				: "no ss, netstat, counter, sysctl, stack or capture "
				  "format matches its first lines");
	in->status = INPUT_ERROR;
}

static void input_fail(struct analysis *an, struct input *in, int fd, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void input_fail(struct analysis *an, struct input *in, int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&an->diags, DIAG_UNREADABLE, diag_code_severity(DIAG_UNREADABLE), in->display,
		  0, 0, -1, fmt, ap);
	va_end(ap);
	in->status = INPUT_ERROR;
	if (fd >= 0)
		close(fd);
	an->diags.cur_input = -1;
}

/* A text (or small capture) already in memory: sniff it, parse it, note
 * how it was cut. `in` is not used after a new input is added. */
static void input_parse_memory(struct analysis *an, struct input *in, const struct filebuf *fb)
{
	in->buf = fb->p;
	in->len = fb->len;
	input_set_format(in, format_sniff(in->buf, in->len));
	if (!in->fmt) {
		input_unknown(an, in);
	} else {
		if (!in->fmt->streamed)
			input_find_timestamp(in);
		input_apply_labels(an, in);
		input_run_parser(an, in);
	}
	an->diags.cur_input = in->index;
	if (fb->shrank)
		diag_add(&an->diags, DIAG_TRUNCATED, in->display, 0, (int64_t)fb->len,
			 "the file shrank while being read: %zu of %lld bytes read", fb->len,
			 (long long)fb->size);
	if (fb->cut)
		diag_add(&an->diags, DIAG_LIMIT, in->display, 0, (int64_t)fb->len,
			 "larger than %zu MiB: the rest of the file is not read", INPUT_TEXT_MAX >> 20);
	if ((fb->shrank || fb->cut) && in->status == INPUT_OK)
		in->status = INPUT_PARTIAL;
	/* the parsers copied what they keep into the arena */
	in->buf = NULL;
	in->len = 0;
	an->diags.cur_input = -1;
}

static void input_read(struct analysis *an, size_t idx)
{
	struct input *in = &an->inputs.v[idx];
	an->diags.cur_input = in->index;
	const char *skip = skip_reason(in->display);
	if (skip) {
		in->status = INPUT_OK;
		in->summary = skip;
		an->diags.cur_input = -1;
		return;
	}
	bool is_stdin = strcmp(in->path, "-") == 0;
	/* O_NONBLOCK: a FIFO or device given by mistake must not hang the run */
	int fd = is_stdin ? dup(0) : open(in->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		input_fail(an, in, fd, "%s", strerror(errno));
		return;
	}
	in->size = st.st_size;
	in->mtime = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	if (!S_ISREG(st.st_mode) && !is_stdin) {
		input_fail(an, in, fd, "not a regular file (%s)",
			   S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket"
			   : S_ISDIR(st.st_mode) ? "a directory" : "a device");
		return;
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		diag_add(&an->diags, DIAG_EMPTY, in->display, 0, -1, NULL);
		in->status = INPUT_ERROR;
		close(fd);
		an->diags.cur_input = -1;
		return;
	}
	/* A capture in a file is streamed by its parser: recognise it by its
	 * magic number without reading it, so a multi-gigabyte file costs no
	 * memory (memory must follow concurrent flows, not file size; see the
	 * ulimit -v check in tests/bench-capture.sh). */
	char magic[4];
	if (S_ISREG(st.st_mode) && pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic)) {
		const struct format *f = format_sniff(magic, sizeof(magic));
		if (f && f->streamed) {
			close(fd);
			input_set_format(in, f);
			input_apply_labels(an, in);
			input_run_parser(an, in);
			return;
		}
	}
	/* Text, stdin (any evidence: `ss -tanp | stuckscope analyze -`), and
	 * archives are read whole, bounded */
	struct filebuf fb;
	int rc = readfile_fd(fd, INPUT_TEXT_MAX, &fb);
	int err = errno;
	close(fd);
	if (rc != 0) {
		input_fail(an, in, -1, "read: %s", strerror(err));
		return;
	}
	if (is_stdin && fb.len == 0) {
		diag_add(&an->diags, DIAG_EMPTY, in->display, 0, -1, "nothing on standard input");
		in->status = INPUT_ERROR;
		filebuf_release(&fb);
		an->diags.cur_input = -1;
		return;
	}
	if (archive_is(fb.p, fb.len)) {
		/* a tarball of an incident directory, or one compressed file:
		 * each member becomes an input of its own (archive.c) */
		archive_read_members(an, idx, &fb);
	} else {
		input_parse_memory(an, in, &fb);
	}
	filebuf_release(&fb);
	an->diags.cur_input = -1;
}

struct input *input_add_member(struct analysis *an, size_t parent, const char *name,
			       double mtime)
{
	const char *pd = an->inputs.v[parent].display;
	char *display = arena_printf(&an->arena, "%s:%s", pd, name);
	struct input *in = input_new(an, display, display);
	in->mtime = mtime;
	return in;
}

void input_read_member(struct analysis *an, size_t idx, const struct filebuf *fb)
{
	struct input *in = &an->inputs.v[idx];
	in->size = (off_t)fb->len;
	an->diags.cur_input = in->index;
	const char *skip = skip_reason(in->display);
	if (skip) {
		in->status = INPUT_OK;
		in->summary = skip;
	} else if (fb->len == 0) {
		diag_add(&an->diags, DIAG_EMPTY, in->display, 0, -1, NULL);
		in->status = INPUT_ERROR;
	} else {
		input_parse_memory(an, in, fb);
	}
	an->diags.cur_input = -1;
}

/* An --at label that names no input, or only inputs dated by their own
 * first line, dates nothing: say so (a typo would otherwise leave a snapshot
 * on its mtime without a word). */
static void check_at_labels(struct analysis *an)
{
	for (size_t i = 0; i < an->opt.at_labels.n; i++) {
		const struct at_label *l = &an->opt.at_labels.v[i];
		bool used = false, named = false;
		for (size_t k = 0; k < an->inputs.n && !used; k++) {
			const char *d = an->inputs.v[k].display;
			const char *base = strrchr(d, '/');
			if (strcmp(l->label, d) != 0 && strcmp(l->label, base ? base + 1 : d) != 0)
				continue;
			named = true;
			used = an->inputs.v[k].at_src != TIME_CONTENT;
		}
		if (named && !used) {
			analysis_note(an, "--at %s: the file is dated by its own first line; the "
					  "label is not used", l->label);
		} else if (!used) {
			diag_add(&an->diags, DIAG_USAGE, NULL, 0, -1,
				 "--at %s: no input has this name; the label dates nothing", l->label);
			analysis_note(an, "--at %s: no input has this name; the label dates nothing",
				      l->label);
		}
	}
}

void analysis_read_inputs(struct analysis *an)
{
	/* archives append their members: those are read as they are added */
	size_t listed = an->inputs.n;
	for (size_t i = 0; i < listed; i++) {
		if (an->inputs.v[i].status == INPUT_ERROR)
			continue;	/* already failed while listing */
		input_read(an, i);
	}
	check_at_labels(an);
}

int analysis_parse_buffer(struct analysis *an, const char *display, const char *kind,
			  const char *buf, size_t len)
{
	struct input *in = input_new(an, display, display);
	const struct format *f = format_by_name(kind);
	if (!f) {
		diag_add(&an->diags, DIAG_USAGE, display, 0, -1, "no format named '%s'", kind);
		in->status = INPUT_ERROR;
		return -1;
	}
	input_set_format(in, f);
	in->buf = buf;
	in->len = len;
	in->size = (off_t)len;
	if (!f->streamed)
		input_find_timestamp(in);
	input_run_parser(an, in);
	in->buf = NULL;
	in->len = 0;
	return in->status == INPUT_ERROR ? -1 : 0;
}
