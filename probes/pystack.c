/* pystack.c — see pystack.h.
 *
 * The structures followed, CPython 3.11 (the v3.11.2 tag):
 *   Include/internal/pycore_runtime.h  _PyRuntimeState (struct pyruntimestate):
 *                                      interpreters.head
 *   Include/internal/pycore_interp.h   struct _is: next, threads.head
 *   Include/cpython/pystate.h          struct _ts: next, cframe, native_thread_id;
 *                                      _PyCFrame: current_frame
 *   Include/internal/pycore_frame.h    _PyInterpreterFrame: f_code, previous,
 *                                      prev_instr, owner; _PyFrame_IsIncomplete()
 *   Include/cpython/code.h             PyCodeObject: co_firstlineno, co_filename,
 *                                      co_name, co_linetable, _co_firsttraceable,
 *                                      co_code_adaptive (the bytecode)
 *   Include/cpython/unicodeobject.h    PyASCIIObject / PyCompactUnicodeObject
 *   Include/cpython/bytesobject.h      PyBytesObject.ob_sval
 *   Objects/locations.md, Objects/codeobject.c (_PyLineTable_NextAddressRange,
 *                                      get_line_delta): the location table
 * The built-in table below holds the x86_64 offsets of those members for
 * CPython 3.11.x; they were checked against the DWARF of Debian 12's
 * python3.11 3.11.2-6 (python3.11-dbg, `gdb -batch -ex 'ptype /o struct _ts'
 * /usr/bin/python3.11` and friends). When the interpreter has DWARF, the offsets
 * are taken from it by member name instead, and the note says whether they
 * matched the table. */
#include "pystack.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "base/utf8.h"

#define PY_MAX_INTERPS 64
#define PY_MAX_TSTATES 8192
#define PY_MAX_STEPS 1024		/* frames walked per thread, incomplete ones included */
#define PY_MAX_STR 1024			/* bytes of a name or file name kept */
#define PY_MAX_LINETABLE (1u << 20)

struct py_offsets {
	int64_t runtime_interp_head;
	int64_t interp_next, interp_threads_head;
	int64_t ts_next, ts_cframe, ts_native_thread_id;
	int64_t cframe_current_frame;
	int64_t frame_code, frame_previous, frame_prev_instr, frame_owner;
	int64_t code_firstlineno, code_filename, code_name, code_linetable;
	int64_t code_firsttraceable, code_adaptive;
	int64_t obj_type, var_size;
	int64_t str_length, str_state, ascii_size, compact_size;
	int64_t bytes_sval;
};

#define NOFF (sizeof(struct py_offsets) / sizeof(int64_t))

/* CPython 3.11.x, x86_64, release build (not Py_DEBUG); see the header comment */
static const struct py_offsets offsets_311 = {
	.runtime_interp_head = 40,
	.interp_next = 0, .interp_threads_head = 16,
	.ts_next = 8, .ts_cframe = 56, .ts_native_thread_id = 160,
	.cframe_current_frame = 8,
	.frame_code = 32, .frame_previous = 48, .frame_prev_instr = 56, .frame_owner = 69,
	.code_firstlineno = 72, .code_filename = 112, .code_name = 120, .code_linetable = 136,
	.code_firsttraceable = 168, .code_adaptive = 184,
	.obj_type = 8, .var_size = 16,
	.str_length = 16, .str_state = 32, .ascii_size = 48, .compact_size = 72,
	.bytes_sval = 32,
};

/* FRAME_OWNED_BY_GENERATOR (pycore_frame.h) */
#define PY_FRAME_OWNED_BY_GENERATOR 1

struct code_ent {
	uint64_t addr;			/* 0 empty */
	uint64_t name_p, file_p, lt_p;
	int32_t firstlineno, firsttraceable;
	const char *name, *file;	/* interned */
	uint8_t *lt;
	size_t lt_n;
};

struct tstate_ent {
	pid_t tid;
	uint64_t addr, cframe;
};

struct py_reader {
	pid_t pid;
	struct py_offsets o;
	uint64_t runtime, code_type, unicode_type, bytes_type;
	size_t code_read;		/* bytes of a code object read per frame */
	size_t ts_read;
	struct code_ent *codes;
	size_t codes_cap, codes_used;
	char **strs;			/* interned strings, open addressing */
	size_t strs_cap, strs_used;
	struct tstate_ent *ts;
	size_t n_ts, cap_ts;
};

/* ---- memory */

static bool plausible(uint64_t addr)
{
	return addr >= 4096 && addr < 0x800000000000ull;
}

static int rd(const struct py_reader *r, uint64_t addr, void *buf, size_t n)
{
	if (!plausible(addr) || addr + n < addr || !plausible(addr + n - 1))
		return -1;
	struct iovec local = { buf, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t got = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);
	return got == (ssize_t)n ? 0 : -1;
}

static uint64_t u64_at(const uint8_t *b, int64_t off)
{
	uint64_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static int32_t i32_at(const uint8_t *b, int64_t off)
{
	int32_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* ---- interned strings: stable until pyr_close() */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

static const char *intern(struct py_reader *r, const char *s, size_t n)
{
	if ((r->strs_used + 1) * 2 > r->strs_cap) {
		size_t cap = r->strs_cap ? r->strs_cap * 2 : 256;
		char **v = calloc(cap, sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = 0; i < r->strs_cap; i++)
			if (r->strs[i]) {
				size_t j = hash_bytes(r->strs[i], strlen(r->strs[i])) & (cap - 1);
				while (v[j])
					j = (j + 1) & (cap - 1);
				v[j] = r->strs[i];
			}
		free(r->strs);
		r->strs = v;
		r->strs_cap = cap;
	}
	size_t j = hash_bytes(s, n) & (r->strs_cap - 1);
	while (r->strs[j]) {
		if (strlen(r->strs[j]) == n && memcmp(r->strs[j], s, n) == 0)
			return r->strs[j];
		j = (j + 1) & (r->strs_cap - 1);
	}
	char *c = malloc(n + 1);
	if (!c)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	r->strs[j] = c;
	r->strs_used++;
	return c;
}

/* A str object (compact: its characters follow the header) as interned
 * UTF-8; NULL when it is not a readable compact str. */
static const char *read_str(struct py_reader *r, uint64_t addr)
{
	uint8_t h[128];
	if (r->o.compact_size > (int64_t)sizeof(h) || rd(r, addr, h, (size_t)r->o.compact_size) < 0)
		return NULL;
	if (r->unicode_type && u64_at(h, r->o.obj_type) != r->unicode_type)
		return NULL;
	int64_t len = (int64_t)u64_at(h, r->o.str_length);
	uint32_t state;
	memcpy(&state, h + r->o.str_state, sizeof(state));
	/* state bit-fields (little endian): interned:2 kind:3 compact:1 ascii:1 ready:1 */
	unsigned kind = (state >> 2) & 7, compact = (state >> 5) & 1, ascii = (state >> 6) & 1;
	if (!compact || len < 0 || (kind != 1 && kind != 2 && kind != 4))
		return NULL;
	if (len > PY_MAX_STR)
		len = PY_MAX_STR;
	uint8_t data[PY_MAX_STR * 4];
	uint64_t at = addr + (uint64_t)(ascii ? r->o.ascii_size : r->o.compact_size);
	size_t nb = (size_t)len * (ascii ? 1 : kind);
	if (nb && rd(r, at, data, nb) < 0)
		return NULL;
	if (ascii)
		return intern(r, (const char *)data, nb);
	char out[PY_MAX_STR * 4 + 4];
	size_t n = 0;
	for (int64_t i = 0; i < len && n + UTF8_MAX <= sizeof(out) - 1; i++) {
		uint32_t cp;
		if (kind == 1) {
			cp = data[i];
		} else if (kind == 2) {
			uint16_t v;
			memcpy(&v, data + 2 * i, 2);
			cp = v;
		} else {
			memcpy(&cp, data + 4 * i, 4);
		}
		n += utf8_encode(cp, out + n);
	}
	return intern(r, out, n);
}

/* ---- the location table (Objects/locations.md, 3.11) */

static bool lt_varint(const uint8_t *t, size_t n, size_t *i, uint32_t *out)
{
	uint32_t v = 0;
	unsigned shift = 0;
	for (;;) {
		if (*i >= n || shift > 28)
			return false;
		uint8_t b = t[(*i)++];
		v |= (uint32_t)(b & 63) << shift;
		if (!(b & 64))
			break;
		shift += 6;
	}
	*out = v;
	return true;
}

static bool lt_svarint(const uint8_t *t, size_t n, size_t *i, int32_t *out)
{
	uint32_t u;
	if (!lt_varint(t, n, i, &u))
		return false;
	*out = (u & 1) ? -(int32_t)(u >> 1) : (int32_t)(u >> 1);
	return true;
}

int pyr_addr2line(const uint8_t *t, size_t n, int firstlineno, int addrq)
{
	if (addrq < 0)
		return firstlineno;	/* before the first instruction (PyCode_Addr2Line) */
	int line = firstlineno;
	int addr = 0;
	size_t i = 0;
	while (i < n) {
		uint8_t b = t[i++];
		if (!(b & 0x80))
			return -1;	/* not the first byte of an entry: corrupt */
		int code = (b >> 3) & 15, len = (b & 7) + 1;
		int32_t delta = 0;
		uint32_t skip;
		switch (code) {
		case 15:	/* no location */
			break;
		case 14:	/* long form: line delta, end line delta, column, end column */
			if (!lt_svarint(t, n, &i, &delta) || !lt_varint(t, n, &i, &skip) ||
			    !lt_varint(t, n, &i, &skip) || !lt_varint(t, n, &i, &skip))
				return -1;
			break;
		case 13:	/* no column: line delta */
			if (!lt_svarint(t, n, &i, &delta))
				return -1;
			break;
		case 10: case 11: case 12:	/* one-line form: columns in two bytes */
			delta = code - 10;
			i += 2;
			break;
		default:	/* short form: same line, one byte of columns */
			i += 1;
			break;
		}
		line += delta;
		int end = addr + len * 2;
		if (addrq >= addr && addrq < end)
			return code == 15 ? -1 : line;
		addr = end;
	}
	return -1;
}

/* ---- code objects */

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static struct code_ent *code_slot(struct py_reader *r, uint64_t addr)
{
	if ((r->codes_used + 1) * 2 > r->codes_cap) {
		size_t cap = r->codes_cap ? r->codes_cap * 2 : 256;
		struct code_ent *v = calloc(cap, sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = 0; i < r->codes_cap; i++)
			if (r->codes[i].addr) {
				size_t j = hash64(r->codes[i].addr) & (cap - 1);
				while (v[j].addr)
					j = (j + 1) & (cap - 1);
				v[j] = r->codes[i];
			}
		free(r->codes);
		r->codes = v;
		r->codes_cap = cap;
	}
	size_t j = hash64(addr) & (r->codes_cap - 1);
	while (r->codes[j].addr && r->codes[j].addr != addr)
		j = (j + 1) & (r->codes_cap - 1);
	return &r->codes[j];
}

/* The code object at `addr`, read now (its fields are re-read every time and
 * compared with the cached entry, so a freed and reused address is noticed). */
static const struct code_ent *code_get(struct py_reader *r, uint64_t addr, char *err, size_t errsz)
{
	uint8_t h[256];
	if ((addr & 7) || rd(r, addr, h, r->code_read) < 0) {
		snprintf(err, errsz, "unreadable code object at 0x%llx", (unsigned long long)addr);
		return NULL;
	}
	if (r->code_type && u64_at(h, r->o.obj_type) != r->code_type) {
		snprintf(err, errsz, "0x%llx is not a code object", (unsigned long long)addr);
		return NULL;
	}
	uint64_t name_p = u64_at(h, r->o.code_name), file_p = u64_at(h, r->o.code_filename);
	uint64_t lt_p = u64_at(h, r->o.code_linetable);
	int32_t first = i32_at(h, r->o.code_firstlineno);
	int32_t ftr = i32_at(h, r->o.code_firsttraceable);
	struct code_ent *e = code_slot(r, addr);
	if (!e) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (e->addr == addr && e->name_p == name_p && e->file_p == file_p && e->lt_p == lt_p &&
	    e->firstlineno == first && e->firsttraceable == ftr && (e->name || e->file))
		return e;
	if (e->addr == 0)
		r->codes_used++;
	free(e->lt);
	memset(e, 0, sizeof(*e));
	/* the slot stays taken (addr set) even when the strings cannot be read,
	 * so no hole opens in the probe sequence */
	e->addr = addr;
	e->name_p = name_p;
	e->file_p = file_p;
	e->lt_p = lt_p;
	e->firstlineno = first;
	e->firsttraceable = ftr;
	e->name = read_str(r, name_p);
	e->file = read_str(r, file_p);
	if (!e->name && !e->file) {
		snprintf(err, errsz, "code object at 0x%llx: unreadable name and file",
			 (unsigned long long)addr);
		return NULL;
	}
	uint8_t bh[64];
	if (rd(r, lt_p, bh, (size_t)r->o.bytes_sval) == 0 &&
	    (!r->bytes_type || u64_at(bh, r->o.obj_type) == r->bytes_type)) {
		int64_t n = (int64_t)u64_at(bh, r->o.var_size);
		if (n > 0 && n <= (int64_t)PY_MAX_LINETABLE) {
			e->lt = malloc((size_t)n);
			if (e->lt && rd(r, lt_p + (uint64_t)r->o.bytes_sval, e->lt, (size_t)n) == 0) {
				e->lt_n = (size_t)n;
			} else {
				free(e->lt);
				e->lt = NULL;
			}
		}
	}
	return e;
}

/* ---- thread states */

int pyr_snapshot(struct py_reader *r, char *err, size_t errsz)
{
	r->n_ts = 0;
	uint64_t interp;
	if (rd(r, r->runtime + (uint64_t)r->o.runtime_interp_head, &interp, 8) < 0) {
		snprintf(err, errsz, "cannot read _PyRuntime.interpreters.head");
		return -1;
	}
	uint8_t ts[512];
	for (int ni = 0; interp && ni < PY_MAX_INTERPS; ni++) {
		uint64_t t, next_interp;
		if (rd(r, interp + (uint64_t)r->o.interp_threads_head, &t, 8) < 0 ||
		    rd(r, interp + (uint64_t)r->o.interp_next, &next_interp, 8) < 0) {
			snprintf(err, errsz, "unreadable interpreter state at 0x%llx",
				 (unsigned long long)interp);
			return -1;
		}
		for (size_t k = 0; t && k < PY_MAX_TSTATES; k++) {
			if (rd(r, t, ts, r->ts_read) < 0) {
				snprintf(err, errsz, "unreadable thread state at 0x%llx",
					 (unsigned long long)t);
				return -1;
			}
			if (r->n_ts == r->cap_ts) {
				size_t cap = r->cap_ts ? r->cap_ts * 2 : 64;
				struct tstate_ent *v = realloc(r->ts, cap * sizeof(*v));
				if (!v) {
					snprintf(err, errsz, "out of memory");
					return -1;
				}
				r->ts = v;
				r->cap_ts = cap;
			}
			struct tstate_ent *e = &r->ts[r->n_ts++];
			e->addr = t;
			e->tid = (pid_t)u64_at(ts, r->o.ts_native_thread_id);
			e->cframe = u64_at(ts, r->o.ts_cframe);
			t = u64_at(ts, r->o.ts_next);
		}
		interp = next_interp;
	}
	return 0;
}

int pyr_frames(struct py_reader *r, pid_t tid, struct py_frame_out *out, uint32_t max,
	       uint32_t *n_read, char *err, size_t errsz)
{
	*n_read = 0;
	const struct tstate_ent *e = NULL;
	for (size_t i = 0; i < r->n_ts; i++)
		if (r->ts[i].tid == tid) {
			e = &r->ts[i];
			break;
		}
	if (!e || !e->cframe)
		return 0;
	uint64_t fa;
	if (rd(r, e->cframe + (uint64_t)r->o.cframe_current_frame, &fa, 8) < 0) {
		snprintf(err, errsz, "unreadable _PyCFrame at 0x%llx", (unsigned long long)e->cframe);
		return -1;
	}
	size_t fsize = (size_t)r->o.frame_owner + 1;
	int64_t m = r->o.frame_code > r->o.frame_previous ? r->o.frame_code : r->o.frame_previous;
	if (r->o.frame_prev_instr > m)
		m = r->o.frame_prev_instr;
	if ((size_t)m + 8 > fsize)
		fsize = (size_t)m + 8;
	uint8_t f[256];
	if (fsize > sizeof(f)) {
		snprintf(err, errsz, "frame layout too large");
		return -1;
	}
	uint32_t n = 0;
	for (int steps = 0; fa && n < max; steps++) {
		if (steps == PY_MAX_STEPS) {
			snprintf(err, errsz, "more than %d frames: a loop in the frame chain?",
				 PY_MAX_STEPS);
			return -1;
		}
		if ((fa & 7) || rd(r, fa, f, fsize) < 0) {
			snprintf(err, errsz, "unreadable frame at 0x%llx", (unsigned long long)fa);
			return -1;
		}
		uint64_t code = u64_at(f, r->o.frame_code), prev = u64_at(f, r->o.frame_previous);
		uint64_t pi = u64_at(f, r->o.frame_prev_instr);
		int owner = (int8_t)f[r->o.frame_owner];
		const struct code_ent *c = code_get(r, code, err, errsz);
		if (!c)
			return -1;
		uint64_t start = code + (uint64_t)r->o.code_adaptive;
		/* _PyFrame_IsIncomplete(): a frame being set up has not run its
		 * first traceable instruction; the interpreter skips it too */
		if (owner != PY_FRAME_OWNED_BY_GENERATOR &&
		    pi < start + (uint64_t)c->firsttraceable * 2) {
			fa = prev;
			continue;
		}
		int64_t addrq = (int64_t)(pi - start);
		int line = c->lt && addrq < (1 << 30) ?
			pyr_addr2line(c->lt, c->lt_n, c->firstlineno, (int)addrq) : -1;
		out[n].function = c->name;
		out[n].file = c->file;
		out[n].line = line > 0 ? (uint32_t)line : 0;
		n++;
		*n_read = n;
		fa = prev;
	}
	return (int)n;
}

/* ---- finding the interpreter */

struct find_ctx {
	Dwfl_Module *mod;
	const char *modname;
	uint64_t runtime, version, code_type, unicode_type, bytes_type;
	bool debug_build, python_module;
};

static int find_syms(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
	(void)ud;
	(void)start;
	struct find_ctx *c = arg;
	const char *b = name ? strrchr(name, '/') : NULL;
	b = b ? b + 1 : name;
	if (!b || !strstr(b, "python"))
		return DWARF_CB_OK;
	c->python_module = true;
	int n = dwfl_module_getsymtab(mod);
	uint64_t runtime = 0, version = 0, code = 0, uni = 0, bytes = 0;
	bool dbg = false;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!s || s[0] == '\0' || sym.st_shndx == SHN_UNDEF)
			continue;
		if (strcmp(s, "_PyRuntime") == 0)
			runtime = addr;
		else if (strcmp(s, "Py_Version") == 0)
			version = addr;
		else if (strcmp(s, "PyCode_Type") == 0)
			code = addr;
		else if (strcmp(s, "PyUnicode_Type") == 0)
			uni = addr;
		else if (strcmp(s, "PyBytes_Type") == 0)
			bytes = addr;
		else if (strcmp(s, "_Py_RefTotal") == 0)
			dbg = true;
	}
	if (!runtime)
		return DWARF_CB_OK;
	c->mod = mod;
	c->modname = b;
	c->runtime = runtime;
	c->version = version;
	c->code_type = code;
	c->unicode_type = uni;
	c->bytes_type = bytes;
	c->debug_build = dbg;
	return DWARF_CB_ABORT;
}

/* ---- offsets from DWARF */

enum { T_RUNTIME, T_INTERP, T_TS, T_CFRAME, T_FRAME, T_CODE, T_ASCII, T_COMPACT, T_BYTES,
       T_OBJECT, T_VAROBJECT, N_TYPES };
static const char *const type_names[N_TYPES] = {
	"pyruntimestate", "_is", "_ts", "_PyCFrame", "_PyInterpreterFrame", "PyCodeObject",
	"PyASCIIObject", "PyCompactUnicodeObject", "PyBytesObject", "_object", "PyVarObject",
};

static bool peel(Dwarf_Die *die)
{
	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(die);
		if (tag == DW_TAG_structure_type)
			return dwarf_hasattr(die, DW_AT_declaration) == 0;
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
			return false;
		Dwarf_Attribute a;
		if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, die))
			return false;
	}
	return false;
}

static bool member_off(Dwarf_Die *st, const char *path, int64_t *out)
{
	Dwarf_Die cur = *st;
	int64_t total = 0;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		Dwarf_Die child;
		if (dwarf_child(&cur, &child) != 0)
			return false;
		bool found = false;
		do {
			if (dwarf_tag(&child) != DW_TAG_member)
				continue;
			const char *n = dwarf_diename(&child);
			if (!n || strcmp(n, tok) != 0)
				continue;
			Dwarf_Attribute a;
			Dwarf_Word off;
			if (!dwarf_attr(&child, DW_AT_data_member_location, &a) ||
			    dwarf_formudata(&a, &off) != 0)
				return false;
			total += (int64_t)off;
			if (dwarf_attr_integrate(&child, DW_AT_type, &a) &&
			    dwarf_formref_die(&a, &cur))
				peel(&cur);
			found = true;
			break;
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!found)
			return false;
	}
	*out = total;
	return true;
}

static bool die_size(Dwarf_Die *st, int64_t *out)
{
	int s = dwarf_bytesize(st);
	if (s <= 0)
		return false;
	*out = s;
	return true;
}

/* Offsets by member name from the module's DWARF; false when a type or a
 * member is missing. */
static bool dwarf_offsets(Dwfl_Module *mod, struct py_offsets *o)
{
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	if (!dw)
		return false;
	Dwarf_Die types[N_TYPES];
	bool have[N_TYPES] = { false };
	int found = 0;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (found < N_TYPES && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				int tag = dwarf_tag(&child);
				if (tag != DW_TAG_structure_type && tag != DW_TAG_typedef)
					continue;
				const char *n = dwarf_diename(&child);
				if (!n)
					continue;
				for (int k = 0; k < N_TYPES; k++) {
					if (have[k] || strcmp(n, type_names[k]) != 0)
						continue;
					Dwarf_Die d = child;
					if (peel(&d)) {
						types[k] = d;
						have[k] = true;
						found++;
					}
					break;
				}
			} while (found < N_TYPES && dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
	if (found < N_TYPES)
		return false;
	bool ok = true;
	ok &= member_off(&types[T_RUNTIME], "interpreters.head", &o->runtime_interp_head);
	ok &= member_off(&types[T_INTERP], "next", &o->interp_next);
	ok &= member_off(&types[T_INTERP], "threads.head", &o->interp_threads_head);
	ok &= member_off(&types[T_TS], "next", &o->ts_next);
	ok &= member_off(&types[T_TS], "cframe", &o->ts_cframe);
	ok &= member_off(&types[T_TS], "native_thread_id", &o->ts_native_thread_id);
	ok &= member_off(&types[T_CFRAME], "current_frame", &o->cframe_current_frame);
	ok &= member_off(&types[T_FRAME], "f_code", &o->frame_code);
	ok &= member_off(&types[T_FRAME], "previous", &o->frame_previous);
	ok &= member_off(&types[T_FRAME], "prev_instr", &o->frame_prev_instr);
	ok &= member_off(&types[T_FRAME], "owner", &o->frame_owner);
	ok &= member_off(&types[T_CODE], "co_firstlineno", &o->code_firstlineno);
	ok &= member_off(&types[T_CODE], "co_filename", &o->code_filename);
	ok &= member_off(&types[T_CODE], "co_name", &o->code_name);
	ok &= member_off(&types[T_CODE], "co_linetable", &o->code_linetable);
	ok &= member_off(&types[T_CODE], "_co_firsttraceable", &o->code_firsttraceable);
	ok &= member_off(&types[T_CODE], "co_code_adaptive", &o->code_adaptive);
	ok &= member_off(&types[T_OBJECT], "ob_type", &o->obj_type);
	ok &= member_off(&types[T_VAROBJECT], "ob_size", &o->var_size);
	ok &= member_off(&types[T_ASCII], "length", &o->str_length);
	ok &= member_off(&types[T_ASCII], "state", &o->str_state);
	ok &= die_size(&types[T_ASCII], &o->ascii_size);
	ok &= die_size(&types[T_COMPACT], &o->compact_size);
	ok &= member_off(&types[T_BYTES], "ob_sval", &o->bytes_sval);
	return ok;
}

static int64_t max_of(const int64_t *v, size_t n)
{
	int64_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

struct py_reader *pyr_open(pid_t pid, char *note, size_t notesz)
{
	note[0] = '\0';
	char *dbgpath = NULL;
	Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.debuginfo_path = &dbgpath,
	};
	Dwfl *dwfl = dwfl_begin(&cb);
	if (!dwfl)
		return NULL;
	dwfl_report_begin(dwfl);
	int rc = dwfl_linux_proc_report(dwfl, pid);
	dwfl_report_end(dwfl, NULL, NULL);
	struct py_reader *r = NULL;
	struct find_ctx c;
	memset(&c, 0, sizeof(c));
	if (rc != 0)
		goto out;
	dwfl_getmodules(dwfl, find_syms, &c, 0);
	if (!c.mod) {
		if (c.python_module)
			snprintf(note, notesz, "Python frames not read: a python module is loaded but "
				 "no _PyRuntime symbol was found (not CPython 3.11, or stripped of .dynsym)");
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out;
	r->pid = pid;
	r->runtime = c.runtime;
	r->code_type = c.code_type;
	r->unicode_type = c.unicode_type;
	r->bytes_type = c.bytes_type;
	uint32_t ver = 0;
	if (!c.version || rd(r, c.version, &ver, sizeof(ver)) < 0) {
		snprintf(note, notesz, "Python frames not read: %s has _PyRuntime but no readable "
			 "Py_Version (CPython older than 3.11): only 3.11 is supported", c.modname);
		goto fail;
	}
	unsigned major = ver >> 24, minor = (ver >> 16) & 0xff, micro = (ver >> 8) & 0xff;
	if (major != 3 || minor != 11) {
		snprintf(note, notesz, "Python frames not read: %s is CPython %u.%u.%u; only 3.11 "
			 "is supported", c.modname, major, minor, micro);
		goto fail;
	}
	const char *env = getenv("STUCKSCOPE_PY_OFFSETS");
	bool table_only = env && strcmp(env, "table") == 0;
	const char *how;
	if (!table_only && dwarf_offsets(c.mod, &r->o)) {
		how = memcmp(&r->o, &offsets_311, sizeof(r->o)) == 0 ?
			"struct offsets from DWARF (equal to the built-in 3.11 table)" :
			"struct offsets from DWARF (they differ from the built-in 3.11 table)";
	} else if (c.debug_build) {
		snprintf(note, notesz, "Python frames not read: %s is a Py_DEBUG build of CPython "
			 "%u.%u.%u without debug info, whose layout the built-in table does not "
			 "describe", c.modname, major, minor, micro);
		goto fail;
	} else {
		r->o = offsets_311;
		how = table_only ? "struct offsets from the built-in 3.11 table (forced)" :
			"struct offsets from the built-in 3.11 table (no DWARF for it)";
	}
	int64_t code_fields[] = { r->o.obj_type, r->o.code_firstlineno, r->o.code_filename,
				  r->o.code_name, r->o.code_linetable, r->o.code_firsttraceable };
	r->code_read = (size_t)max_of(code_fields, 6) + 8;
	int64_t ts_fields[] = { r->o.ts_next, r->o.ts_cframe, r->o.ts_native_thread_id };
	r->ts_read = (size_t)max_of(ts_fields, 3) + 8;
	int64_t all[NOFF];
	memcpy(all, &r->o, sizeof(all));
	if (r->code_read > 256 || r->ts_read > 512 || max_of(all, NOFF) > 4096 ||
	    r->o.compact_size > 128 || r->o.bytes_sval > 64 || r->o.frame_owner > 200) {
		snprintf(note, notesz, "Python frames not read: implausible structure offsets");
		goto fail;
	}
	snprintf(note, notesz, "Python frames: CPython %u.%u.%u in %s (_PyRuntime at 0x%llx), %s",
		 major, minor, micro, c.modname, (unsigned long long)c.runtime, how);
	goto out;
fail:
	free(r);
	r = NULL;
out:
	dwfl_end(dwfl);
	return r;
}

void pyr_close(struct py_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->codes_cap; i++)
		free(r->codes[i].lt);
	free(r->codes);
	for (size_t i = 0; i < r->strs_cap; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->ts);
	free(r);
}
