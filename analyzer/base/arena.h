/* arena.h — one bump allocator per analysis: everything built while
 * analyzing (rows, strings copied from input, findings) dies with it. */
#ifndef STUCKSCOPE_ARENA_H
#define STUCKSCOPE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t bytes;			/* total allocated, for -v statistics */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Zeroed memory, aligned for any type. Aborts only on out-of-memory, which
 * is the one condition no caller can report usefully. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* A growable array living in the arena: grow() doubles capacity, copying
 * into a fresh block (the old block is simply left to the arena). */
#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_PUSH(ar, vec) \
	(((vec)->n == (vec)->cap ? arena_vec_grow((ar), (void **)&(vec)->v, &(vec)->cap, \
						  sizeof(*(vec)->v)) : (void)0), \
	 &(vec)->v[(vec)->n++])
void arena_vec_grow(struct arena *a, void **v, size_t *cap, size_t elem);

#endif
