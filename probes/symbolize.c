/* symbolize.c — see symbolize.h. Follows elfutils src/stack.c: return
 * addresses are looked up at pc - 1 (pc_adjusted), inlined frames come from
 * the DWARF scopes holding that address (print_inline_frames), the outer
 * function's name from the symbol table (dwfl_module_addrinfo). */
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYM_MAX_INLINE 16

struct sym_entry {
	uint64_t key;		/* (pc << 1 | is_return) + 1, 0 empty */
	uint32_t n;
	struct sym_frame *frames;
};

struct symbolizer {
	pid_t pid;
	Dwfl *dwfl;
	char *debuginfo_path;
	Dwfl_Callbacks cb;
	struct sym_entry *tab;
	size_t cap, used;
	const char **nodebug;
	size_t n_nodebug, cap_nodebug;
	bool rescan_allowed;
};

/* userdata marks on a module, set once it was checked for DWARF */
static char mark_debug, mark_nodebug;

static int report(struct symbolizer *s, bool add)
{
	if (add)
		dwfl_report_begin_add(s->dwfl);
	else
		dwfl_report_begin(s->dwfl);
	int rc = dwfl_linux_proc_report(s->dwfl, s->pid);
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0)
		rc = -1;
	return rc;
}

struct symbolizer *sym_open(pid_t pid, char *err, size_t errsz)
{
	struct symbolizer *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->pid = pid;
	s->cb.find_elf = dwfl_linux_proc_find_elf;
	s->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	/* NULL path: the default ":.debug:/usr/lib/debug" — build-id links under
	 * /usr/lib/debug/.build-id, .gnu_debuglink beside the binary, in .debug/
	 * and mirrored under /usr/lib/debug */
	s->cb.debuginfo_path = &s->debuginfo_path;
	s->dwfl = dwfl_begin(&s->cb);
	if (!s->dwfl) {
		snprintf(err, errsz, "dwfl_begin: %s", dwfl_errmsg(-1));
		free(s);
		return NULL;
	}
	int rc = report(s, false);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errsz, "cannot read its memory map: %s", strerror(rc));
		else
			snprintf(err, errsz, "cannot read its memory map: %s", dwfl_errmsg(-1));
		sym_close(s);
		return NULL;
	}
	s->cap = 1024;
	s->tab = calloc(s->cap, sizeof(*s->tab));
	if (!s->tab) {
		snprintf(err, errsz, "out of memory");
		sym_close(s);
		return NULL;
	}
	return s;
}

void sym_allow_rescan(struct symbolizer *s)
{
	s->rescan_allowed = true;
}

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static struct sym_entry *slot(struct symbolizer *s, uint64_t key)
{
	size_t i = hash64(key) & (s->cap - 1);
	while (s->tab[i].key && s->tab[i].key != key)
		i = (i + 1) & (s->cap - 1);
	return &s->tab[i];
}

static int grow(struct symbolizer *s)
{
	size_t cap = s->cap * 2;
	struct sym_entry *old = s->tab, *tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -1;
	size_t ocap = s->cap;
	s->tab = tab;
	s->cap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key)
			*slot(s, old[i].key) = old[i];
	free(old);
	return 0;
}

static const char *base(const char *p)
{
	const char *sl = p ? strrchr(p, '/') : NULL;
	return sl ? sl + 1 : p;
}

static void note_module(struct symbolizer *s, Dwfl_Module *m, bool *has_dwarf)
{
	void **ud = NULL;
	const char *name = dwfl_module_info(m, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
	if (ud && *ud == &mark_debug) {
		*has_dwarf = true;
		return;
	}
	if (ud && *ud == &mark_nodebug) {
		*has_dwarf = false;
		return;
	}
	Dwarf_Addr bias;
	*has_dwarf = dwfl_module_getdwarf(m, &bias) != NULL;
	if (ud)
		*ud = *has_dwarf ? &mark_debug : &mark_nodebug;
	if (!*has_dwarf && name) {
		if (s->n_nodebug == s->cap_nodebug) {
			size_t cap = s->cap_nodebug ? s->cap_nodebug * 2 : 8;
			const char **v = realloc(s->nodebug, cap * sizeof(*v));
			if (!v)
				return;
			s->nodebug = v;
			s->cap_nodebug = cap;
		}
		s->nodebug[s->n_nodebug++] = name;
	}
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n = NULL;
	/* integrate: an inlined instance or an out-of-line copy names its
	 * abstract origin / specification */
	if (dwarf_attr_integrate(die, DW_AT_name, &a))
		n = dwarf_formstring(&a);
	if (!n && dwarf_attr_integrate(die, DW_AT_linkage_name, &a))
		n = dwarf_formstring(&a);
	return n;
}

/* The chain of functions and inlined calls holding `pc` under `parent`,
 * outermost first. Written instead of dwarf_getscopes(), which in elfutils
 * 0.188 leaks its scope array when it fails (seen on glibc's semaphore
 * code under a Python target in `make asan`). */
static int scope_chain(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *chain, int n, int max,
		       int depth)
{
	Dwarf_Die child;
	if (depth > 64 || dwarf_child(parent, &child) != 0)
		return n;
	do {
		int tag = dwarf_tag(&child);
		switch (tag) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
			if (dwarf_haspc(&child, pc) == 1) {
				if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
					if (n == max)
						return n;
					chain[n++] = child;
				}
				return scope_chain(&child, pc, chain, n, max, depth + 1);
			}
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type: {
			int m = scope_chain(&child, pc, chain, n, max, depth + 1);
			if (m > n)
				return m;
			break;
		}
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

/* Fill up to `max` frames for address `addr` (already adjusted) in module m. */
static uint32_t resolve(struct symbolizer *s, Dwfl_Module *m, uint64_t pc, Dwarf_Addr addr,
			struct sym_frame *out, uint32_t max)
{
	const char *mainfile = NULL;
	const char *mname = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	const char *module = base(mname && mname[0] == '/' ? mname : mainfile ? mainfile : mname);
	bool has_dwarf;
	note_module(s, m, &has_dwarf);

	GElf_Sym sym;
	GElf_Off off;
	const char *symname = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);

	const char *file = NULL;
	int line = 0;
	if (has_dwarf) {
		Dwfl_Line *l = dwfl_module_getsrc(m, addr);
		if (l)
			file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
	}
	uint32_t n = 0;
	Dwarf_Addr bias = 0;
	Dwarf_Die *cudie = has_dwarf ? dwfl_module_addrdie(m, addr, &bias) : NULL;
	Dwarf_Die chain[SYM_MAX_INLINE + 1];
	int nchain = cudie ? scope_chain(cudie, addr - bias, chain, 0, SYM_MAX_INLINE + 1, 0) : 0;
	/* innermost first, as dwarf_getscopes would give them */
	Dwarf_Die scopes[SYM_MAX_INLINE + 1];
	int nscopes = nchain;
	for (int i = 0; i < nchain; i++)
		scopes[i] = chain[nchain - 1 - i];
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	if (nscopes > 0 && dwarf_getsrcfiles(cudie, &files, &nfiles) != 0)
		files = NULL;
	const char *subprogram = NULL;
	for (int i = 0; i < nscopes && n + 1 < max; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_subprogram) {
			subprogram = die_name(&scopes[i]);
			break;
		}
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		/* an inlined call: this frame is the inlined function at the
		 * current file:line; the caller continues at its call site */
		struct sym_frame *f = &out[n++];
		f->pc = pc;
		f->function = die_name(&scopes[i]);
		f->module = module;
		f->file = file;
		f->line = line > 0 ? (uint32_t)line : 0;
		f->inlined = true;
		Dwarf_Attribute a;
		Dwarf_Word cf = 0, cl = 0;
		file = NULL;
		line = 0;
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &cf) == 0 && files)
			file = dwarf_filesrc(files, cf, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &cl) == 0)
			line = (int)cl;
	}
	struct sym_frame *f = &out[n++];
	f->pc = pc;
	f->function = symname ? symname : subprogram;
	f->module = module;
	f->file = file;
	f->line = line > 0 ? (uint32_t)line : 0;
	f->inlined = false;
	return n;
}

size_t sym_lookup(struct symbolizer *s, uint64_t pc, bool is_return,
		  const struct sym_frame **out)
{
	static struct sym_frame unknown;
	uint64_t key = ((pc << 1) | (is_return ? 1 : 0)) + 1;
	struct sym_entry *e = slot(s, key);
	if (e->key) {
		*out = e->frames;
		return e->n;
	}
	/* a return address points after the call: pc - 1 is inside the call
	 * instruction, so the line (and the inline scope) is the call's */
	Dwarf_Addr addr = is_return && pc ? pc - 1 : pc;
	Dwfl_Module *m = dwfl_addrmodule(s->dwfl, addr);
	if (!m && s->rescan_allowed) {
		s->rescan_allowed = false;
		report(s, true);
		m = dwfl_addrmodule(s->dwfl, addr);
	}
	struct sym_frame tmp[SYM_MAX_INLINE + 1];
	uint32_t n;
	if (m) {
		n = resolve(s, m, pc, addr, tmp, SYM_MAX_INLINE + 1);
	} else {
		memset(tmp, 0, sizeof(tmp[0]));
		tmp[0].pc = pc;
		n = 1;
	}
	if ((s->used + 1) * 4 > s->cap * 3 && grow(s) == 0)
		e = slot(s, key);
	struct sym_frame *frames = malloc(n * sizeof(*frames));
	if (!frames || (s->used + 1) * 8 > s->cap * 7) {
		free(frames);
		unknown.pc = pc;
		*out = &unknown;
		return 1;
	}
	memcpy(frames, tmp, n * sizeof(*frames));
	e->key = key;
	e->n = n;
	e->frames = frames;
	s->used++;
	*out = frames;
	return n;
}

size_t sym_modules_without_debuginfo(struct symbolizer *s, const char *const **names)
{
	*names = s->nodebug;
	return s->n_nodebug;
}

void sym_close(struct symbolizer *s)
{
	if (!s)
		return;
	if (s->tab)
		for (size_t i = 0; i < s->cap; i++)
			free(s->tab[i].frames);
	free(s->tab);
	free(s->nodebug);
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s);
}
