/* pystack.h — the Python-level frames of a live CPython 3.11 process
 * (issue 6; DESIGN.md "Domain facts": native stacks cannot tell a stuck
 * Python worker from an idle one, the interpreter's frame chain can).
 *
 * pyr_open() finds the interpreter through its symbols (libdwfl over the
 * process's modules: `_PyRuntime`, `Py_Version`, `PyCode_Type`, ... in the
 * .dynsym/.symtab of python3.11 or libpython3.11.so), checks the version,
 * and takes the structure offsets from the interpreter's DWARF when it has
 * any (python3.11-dbg's /usr/lib/debug/.build-id file), else from a table
 * for CPython 3.11.x on x86_64 (pystack.c cites where the numbers come from).
 *
 * While every thread is stopped (ptrace_sample.c), pyr_snapshot() walks
 * _PyRuntime.interpreters.head -> PyInterpreterState.threads.head ->
 * PyThreadState (native_thread_id = the kernel tid) and pyr_frames() follows
 * one thread's cframe->current_frame -> _PyInterpreterFrame.previous chain,
 * naming each frame from its PyCodeObject (co_name, co_filename, the line of
 * prev_instr from co_linetable). Every read is bounded and checked: a torn or
 * garbage pointer is an error for that thread, never a crash or a hang.
 * Code objects are cached across samples (keyed by address, checked against
 * the fields re-read each time), so a second sample reads one small block per
 * frame. */
#ifndef STUCKSCOPE_PYSTACK_H
#define STUCKSCOPE_PYSTACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct py_reader;

struct py_frame_out {
	const char *function;	/* co_name; owned by the reader, valid until pyr_close() */
	const char *file;	/* co_filename */
	uint32_t line;		/* the line of the current instruction, 0 unknown */
};

/* NULL when the process holds no CPython interpreter, or one this reader
 * cannot follow; then `note` says why when it is worth saying (a python
 * module of another version, symbols missing), and is "" for a process with
 * no Python at all. On success `note` describes what was found ("CPython
 * 3.11.2 (python3.11): offsets from DWARF"). */
struct py_reader *pyr_open(pid_t pid, char *note, size_t notesz);

/* With the process's threads stopped: read the list of thread states.
 * 0 ok, -1 with err (then pyr_frames() finds no thread). */
int pyr_snapshot(struct py_reader *r, char *err, size_t errsz);

/* Frames of thread `tid`, innermost first, at most `max`: the count (0 for
 * a thread that runs no Python code), or -1 with err when its chain could
 * not be read (what was read before the bad pointer is in out[], *n_read). */
int pyr_frames(struct py_reader *r, pid_t tid, struct py_frame_out *out, uint32_t max,
	       uint32_t *n_read, char *err, size_t errsz);

void pyr_close(struct py_reader *r);

/* Exposed for the unit tests: the line of byte offset `addrq` in a CPython
 * 3.11 location table (Objects/locations.md), -1 when it has none. */
int pyr_addr2line(const uint8_t *table, size_t n, int firstlineno, int addrq);

#endif
