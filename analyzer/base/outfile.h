/* outfile.h — every file stuckscope writes, written one safe way (issue 16).
 *
 * stuckscope runs as root on production hosts, often from /tmp or a shared
 * directory, at the worst moment. Nothing it writes may land in a file
 * another user chose:
 *  - bundle and watch directories are created 0700 by stuckscope itself, or
 *    are existing directories that are empty (a new bundle) or trusted (the
 *    watch --dir): owned by the caller, not writable by group or others, not
 *    a symlink;
 *  - the directory is opened once (O_DIRECTORY|O_NOFOLLOW) and every file in
 *    it is created through that descriptor with openat(O_CREAT|O_EXCL|
 *    O_NOFOLLOW), mode 0600: a symlink or file planted in it makes the write
 *    fail, and renaming the directory away sends nothing elsewhere;
 *  - a file that is rewritten (manifest.json) is written to a new temporary
 *    name and renamed over the old one inside the same directory;
 *  - a report the user names (-o FILE) is written to a new temporary file
 *    beside FILE and renamed over it at the end: a symlink planted at FILE is
 *    replaced, never followed, and a reader never sees half a report.
 * Errors are strings for the caller to print as "stuckscope: ...". */
#ifndef STUCKSCOPE_BASE_OUTFILE_H
#define STUCKSCOPE_BASE_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct outdir {
	int fd;			/* O_DIRECTORY, -1 closed */
	char path[4096];	/* as shown in messages */
};

enum outdir_mode {
	OUTDIR_NEW,		/* create it; an existing path is refused */
	OUTDIR_NEW_OR_EMPTY,	/* create it, or use an existing empty one we own */
	OUTDIR_TRUSTED,		/* create it, or use an existing one we own that others cannot write */
};

int outdir_open(struct outdir *d, const char *path, enum outdir_mode mode, char *err,
		size_t errsz);
/* NAME (no '/') inside d: created 0700 (OUTDIR_NEW), or as `mode` says. */
int outdir_sub(struct outdir *parent, const char *name, enum outdir_mode mode,
	       struct outdir *sub, char *err, size_t errsz);
/* Adopt an open directory descriptor (dup'ed). */
int outdir_adopt(struct outdir *d, int dirfd, const char *path);
void outdir_close(struct outdir *d);

/* A new file NAME (no '/') in d, 0600; NULL with errno set (EEXIST when
 * anything, a symlink too, is already there). */
FILE *outdir_fopen(struct outdir *d, const char *name);
int outdir_openat(struct outdir *d, const char *name);	/* the same as a descriptor */

/* Rewrite NAME in d: the new content goes to a temporary file, renamed over
 * NAME when outdir_replace_commit() succeeds. */
struct outreplace {
	struct outdir *d;
	char name[256], tmp[300];
	FILE *f;
};
int outdir_replace_begin(struct outdir *d, const char *name, struct outreplace *r);
int outdir_replace_commit(struct outreplace *r);	/* closes r->f; -1 on error */
void outdir_replace_abort(struct outreplace *r);

/* A report at a path the user named: temporary file beside it, renamed over
 * it by outfile_commit(). */
struct outfile {
	int dirfd;
	char base[256], tmp[300], path[4096];
	FILE *f;
};
int outfile_begin(struct outfile *o, const char *path, char *err, size_t errsz);
int outfile_commit(struct outfile *o, char *err, size_t errsz);
void outfile_abort(struct outfile *o);

/* True when PATH exists and is the same file as (dev, ino). */
bool outfile_same_file(const char *path, dev_t dev, ino_t ino);

#endif
