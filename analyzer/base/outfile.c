/* outfile.c — see outfile.h for the rules every write follows. */
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool bad_name(const char *name)
{
	return !*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* The directory behind fd is one we may write into: a directory owned by
 * us that neither group nor others can write (they could otherwise plant
 * or swap entries between our checks and our writes). */
static int check_dir(int fd, const char *path, char *err, size_t errsz)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "%s: not a directory", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errsz, "%s: owned by uid %u, not by us (uid %u): refusing to write "
			 "into a directory another user controls", path, (unsigned)st.st_uid,
			 (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errsz, "%s: writable by %s (mode %04o): refusing to write into a "
			 "directory others can change", path,
			 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int check_empty(int fd, const char *path, char *err, size_t errsz)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(err, errsz, "%s: not empty (holds '%.200s'): give a new or empty directory",
			 path, e->d_name);
		rc = -1;
		break;
	}
	closedir(d);
	return rc;
}

/* mkdir(at)/open(at) of one directory, then the checks `mode` asks for */
static int open_dir(int at, const char *name, const char *shown, enum outdir_mode mode,
		    struct outdir *d, char *err, size_t errsz)
{
	d->fd = -1;
	snprintf(d->path, sizeof(d->path), "%s", shown);
	bool created = mkdirat(at, name, 0700) == 0;
	if (!created && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (!created && mode == OUTDIR_NEW) {
		snprintf(err, errsz, "%s: already exists: give a new directory", shown);
		errno = EEXIST;
		return -1;
	}
	/* O_NOFOLLOW: a symlink put in the directory's place is refused */
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", shown,
			 errno == ELOOP ? "is a symbolic link: refusing to follow it"
					: strerror(errno));
		return -1;
	}
	if (check_dir(fd, shown, err, errsz) != 0 ||
	    (!created && mode == OUTDIR_NEW_OR_EMPTY && check_empty(fd, shown, err, errsz) != 0)) {
		close(fd);
		return -1;
	}
	d->fd = fd;
	return 0;
}

int outdir_open(struct outdir *d, const char *path, enum outdir_mode mode, char *err,
		size_t errsz)
{
	return open_dir(AT_FDCWD, path, path, mode, d, err, errsz);
}

int outdir_sub(struct outdir *parent, const char *name, enum outdir_mode mode,
	       struct outdir *sub, char *err, size_t errsz)
{
	char shown[4096];
	snprintf(shown, sizeof(shown), "%.3000s/%.1000s", parent->path, name);
	if (bad_name(name)) {
		snprintf(err, errsz, "%s: not a plain name", shown);
		sub->fd = -1;
		return -1;
	}
	return open_dir(parent->fd, name, shown, mode, sub, err, errsz);
}

int outdir_adopt(struct outdir *d, int dirfd, const char *path)
{
	d->fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	snprintf(d->path, sizeof(d->path), "%s", path);
	return d->fd >= 0 ? 0 : -1;
}

void outdir_close(struct outdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int outdir_openat(struct outdir *d, const char *name)
{
	if (d->fd < 0 || bad_name(name)) {
		errno = EINVAL;
		return -1;
	}
	return openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

FILE *outdir_fopen(struct outdir *d, const char *name)
{
	int fd = outdir_openat(d, name);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

/* A name nobody else uses, in a directory we hold: O_EXCL decides. */
static int create_tmp(int dirfd, const char *base, char *tmp, size_t size)
{
	static unsigned counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (int tries = 0; tries < 100; tries++) {
		snprintf(tmp, size, ".%.200s.%d.%lx%u.tmp", base, (int)getpid(),
			 (unsigned long)ts.tv_nsec, counter++);
		int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

int outdir_replace_begin(struct outdir *d, const char *name, struct outreplace *r)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	if (d->fd < 0 || bad_name(name) || strlen(name) >= sizeof(r->name)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	int fd = create_tmp(d->fd, name, r->tmp, sizeof(r->tmp));
	if (fd < 0)
		return -1;
	r->f = fdopen(fd, "w");
	if (!r->f) {
		int e = errno;
		close(fd);
		unlinkat(d->fd, r->tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

int outdir_replace_commit(struct outreplace *r)
{
	int rc = fclose(r->f);
	r->f = NULL;
	if (rc == 0 && renameat(r->d->fd, r->tmp, r->d->fd, r->name) == 0)
		return 0;
	int e = errno;
	unlinkat(r->d->fd, r->tmp, 0);
	errno = e;
	return -1;
}

void outdir_replace_abort(struct outreplace *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
	if (r->d && r->tmp[0])
		unlinkat(r->d->fd, r->tmp, 0);
}

int outfile_begin(struct outfile *o, const char *path, char *err, size_t errsz)
{
	memset(o, 0, sizeof(*o));
	o->dirfd = -1;
	snprintf(o->path, sizeof(o->path), "%s", path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strlen(base) >= sizeof(o->base)) {
		snprintf(err, errsz, "%s: not a file name", path);
		return -1;
	}
	snprintf(o->base, sizeof(o->base), "%s", base);
	char dir[4096];
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "%s: is a directory", path);
		close(o->dirfd);
		o->dirfd = -1;
		return -1;
	}
	int fd = create_tmp(o->dirfd, o->base, o->tmp, sizeof(o->tmp));
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlinkat(o->dirfd, o->tmp, 0);
		}
		close(o->dirfd);
		o->dirfd = -1;
		return -1;
	}
	return 0;
}

int outfile_commit(struct outfile *o, char *err, size_t errsz)
{
	int rc = fclose(o->f);
	o->f = NULL;
	/* rename replaces whatever is at the name, a planted symlink too,
	 * without following it */
	if (rc != 0 || renameat(o->dirfd, o->tmp, o->dirfd, o->base) != 0) {
		snprintf(err, errsz, "%s: %s", o->path, strerror(errno));
		unlinkat(o->dirfd, o->tmp, 0);
		close(o->dirfd);
		o->dirfd = -1;
		return -1;
	}
	close(o->dirfd);
	o->dirfd = -1;
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->dirfd >= 0) {
		unlinkat(o->dirfd, o->tmp, 0);
		close(o->dirfd);
	}
	o->dirfd = -1;
}

bool outfile_same_file(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;
	return lstat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}
