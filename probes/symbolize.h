/* symbolize.h — program counters of a live process to "function (module)
 * file:line", with inlined frames, through libdwfl (elfutils).
 *
 * One Dwfl per process, kept across samples; every PC looked up is cached,
 * so a second sample of the same threads costs a hash look-up per frame.
 * Debug info is found the standard way (dwfl_standard_find_debuginfo):
 * build-id under /usr/lib/debug/.build-id, then .gnu_debuglink next to the
 * binary, in its .debug/ and under /usr/lib/debug. A module without DWARF
 * still gets function names from .symtab or .dynsym, and is listed by
 * sym_modules_without_debuginfo(). */
#ifndef STUCKSCOPE_SYMBOLIZE_H
#define STUCKSCOPE_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sym_frame {
	uint64_t pc;		/* as sampled (not adjusted) */
	const char *function;	/* NULL unknown */
	const char *module;	/* basename, NULL unknown */
	const char *file;	/* NULL unknown */
	uint32_t line;		/* 0 unknown */
	bool inlined;		/* an inlined call inside the next frame */
};

struct symbolizer;

struct symbolizer *sym_open(pid_t pid, char *err, size_t errsz);
/* Frames for one PC, innermost first: inlined calls, then the function
 * holding the code. `is_return`: pc is a return address, look up pc - 1
 * (the call instruction). Returns the count (>= 1); *out points into the
 * cache and stays valid until sym_close(). */
size_t sym_lookup(struct symbolizer *s, uint64_t pc, bool is_return,
		  const struct sym_frame **out);
/* Modules seen in a look-up that had no DWARF (no file:line): names into
 * *names (owned by the symbolizer), returns how many. */
size_t sym_modules_without_debuginfo(struct symbolizer *s, const char *const **names);
/* Report the process's modules again (after a dlopen): done on demand when
 * a PC falls outside every known module, at most once per call of this. */
void sym_allow_rescan(struct symbolizer *s);
void sym_close(struct symbolizer *s);

#endif
