/* unpack.h — evidence that arrives packed: a tarball of an incident
 * directory (what scp/kubectl cp/the collector script hand over; tar keeps
 * each file's mtime), or one compressed file (ss.txt.gz). libarchive reads
 * tar, gzip, bzip2, xz and zstd; each member becomes an input of its own,
 * shown as "incident.tar.gz:ss-1.txt", dated by its mtime in the archive. */
#ifndef STUCKSCOPE_INPUT_UNPACK_H
#define STUCKSCOPE_INPUT_UNPACK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/readfile.h"
#include "model/analysis.h"

/* Text evidence is read whole: a larger file or member is read up to here
 * and the rest named as not read (a million socket rows of `ss -tanpie` are
 * about 300 MB; INPUT_RECORDS_MAX stops the parsers long before). */
#define INPUT_TEXT_MAX ((size_t)512 << 20)

/* gzip, bzip2, xz, zstd, or a tar header ("ustar" at 257) */
bool archive_is(const char *buf, size_t len);
/* Every regular member of the archive held by input `parent`, added and
 * read as inputs; the parent is listed with what it held. */
void archive_read_members(struct analysis *an, size_t parent, const struct filebuf *fb);

/* walk.c: a member of `parent` as a new input, and its reading */
struct input *input_add_member(struct analysis *an, size_t parent, const char *name,
			       double mtime);
void input_read_member(struct analysis *an, size_t idx, const struct filebuf *fb);

#endif
