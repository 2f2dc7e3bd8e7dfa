/* driver.c — replays inputs through a libFuzzer harness without libFuzzer,
 * so CI (gcc + ASan/UBSan) runs every harness over its seeds and kept
 * crashers: `fuzz_x FILE|DIR...`. Prints nothing on success. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long replayed;

static int replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return -1;
		struct dirent *e;
		int rc = 0;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char child[4096];
			snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
			if (replay(child) < 0)
				rc = -1;
		}
		closedir(d);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (64 << 20))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* a copy of exactly n bytes: ASan sees any read past the end */
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	replayed++;
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++)
		if (replay(argv[i]) < 0)
			rc = 1;
	fprintf(stderr, "%ld inputs replayed\n", replayed);
	return rc;
}
