/* unpack.c — see unpack.h. */
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

bool archive_is(const char *buf, size_t len)
{
	const unsigned char *m = (const unsigned char *)buf;
	if (len >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return true;					/* gzip */
	if (len >= 3 && memcmp(m, "BZh", 3) == 0)
		return true;					/* bzip2 */
	if (len >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0)
		return true;					/* xz */
	if (len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return true;					/* zstd */
	return len >= 262 && memcmp(m + 257, "ustar", 5) == 0;	/* POSIX tar */
}

/* A member's content, whole up to INPUT_TEXT_MAX. */
static int read_member(struct archive *ar, struct filebuf *out)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -1;
	for (;;) {
		if (len == cap) {
			if (cap >= INPUT_TEXT_MAX) {
				out->cut = true;
				break;
			}
			size_t ncap = cap * 2 > INPUT_TEXT_MAX ? INPUT_TEXT_MAX : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap = ncap;
		}
		la_ssize_t r = archive_read_data(ar, buf + len, cap - len);
		if (r < 0) {
			out->shrank = true;	/* damaged or cut: keep what came */
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	out->p = buf;
	out->len = len;
	out->size = (off_t)len;
	return 0;
}

void archive_read_members(struct analysis *an, size_t parent, const struct filebuf *fb)
{
	struct archive *ar = archive_read_new();
	archive_read_support_filter_all(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_gnutar(ar);
	/* a compressed single file has no members: "raw" makes it one */
	archive_read_support_format_raw(ar);
	struct input *pin = &an->inputs.v[parent];
	pin->kind = "archive";
	pin->cls = EV_BUNDLE;
	if (archive_read_open_memory(ar, fb->p, fb->len) != ARCHIVE_OK) {
		diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, pin->display, 0, 0, "archive: %s",
			 archive_error_string(ar));
		pin->status = INPUT_ERROR;
		archive_read_free(ar);
		return;
	}
	size_t members = 0, skipped = 0;
	bool damaged = false;
	struct archive_entry *e;
	int rc;
	while ((rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		if (archive_format(ar) == ARCHIVE_FORMAT_RAW) {
			/* the file's own name, less the compression suffix */
			const char *pd = an->inputs.v[parent].display;
			const char *base = strrchr(pd, '/');
			base = base ? base + 1 : pd;
			const char *dot = strrchr(base, '.');
			name = arena_strndup(&an->arena, base, dot && dot != base ? (size_t)(dot - base)
										    : strlen(base));
		}
		if (archive_entry_filetype(e) != AE_IFREG && archive_format(ar) != ARCHIVE_FORMAT_RAW) {
			if (archive_entry_filetype(e) != AE_IFDIR)
				skipped++;	/* links, devices: never followed */
			continue;
		}
		double mtime = archive_entry_mtime_is_set(e)
				       ? (double)archive_entry_mtime(e) +
						 archive_entry_mtime_nsec(e) / 1e9
				       : an->inputs.v[parent].mtime;
		struct filebuf mb;
		if (read_member(ar, &mb) != 0) {
			damaged = true;
			break;
		}
		struct input *in = input_add_member(an, parent, name ? name : "?", mtime);
		size_t idx = (size_t)in->index;
		input_read_member(an, idx, &mb);
		filebuf_release(&mb);
		members++;
		if (mb.shrank)
			damaged = true;
	}
	pin = &an->inputs.v[parent];
	an->diags.cur_input = pin->index;
	if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK)
		damaged = true;
	if (damaged)
		diag_add(&an->diags, DIAG_TRUNCATED, pin->display, 0, -1,
			 "archive damaged or cut after %zu members: %s", members,
			 archive_error_string(ar) ? archive_error_string(ar) : "read error");
	pin->status = damaged ? (members ? INPUT_PARTIAL : INPUT_ERROR) : INPUT_OK;
	pin->summary = arena_printf(&an->arena, "archive: %zu member%s read%s", members,
				    members == 1 ? "" : "s",
				    skipped ? arena_printf(&an->arena, ", %zu links or devices "
						"not followed", skipped) : "");
	archive_read_free(ar);
}
