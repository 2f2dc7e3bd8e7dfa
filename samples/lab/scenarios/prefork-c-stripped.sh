# desc: same C stuck-worker bug, stripped binary with .gnu_debuglink to a separate .debug file (3 workers, 1 stuck)
source "$LAB_DIR/prefork-c.sh"
PREFORK_C_TEXT='## Root cause

As in prefork-c-stuck: the worker with the bug has every handler blocked in `pthread_cond_wait`
without a predicate (lost signal) and its acceptor blocked in `pthread_cond_wait(not_full)`; it stops
accepting and its connections end in CLOSE-WAIT.

## What is different here: symbols

The running binary is `samples/servers/build/prefork-stripped`: `objcopy --strip-all` (no .symtab, no
DWARF) plus `objcopy --add-gnu-debuglink=prefork-stripped.debug`; the debug information lives in
`build/prefork-stripped.debug` (`objcopy --only-keep-debug`) beside it. eu-stack and gdb found it through
the debuglink (same directory), so function names and file:line are present although the binary has
none. An analyzer symbolizing the live process itself must follow .gnu_debuglink too
(libdwfl: dwfl_standard_find_debuginfo). binary-info.txt: `file`, build ids, the debuglink section, and the count of .symtab/.debug_info sections left in the stripped binary (0).'
prefork_c_scenario prefork-c-stripped prefork-stripped 3 8 "--stuck 1" 400 60 \
	"prefork-c-stripped: C pre-fork server, stripped binary + .gnu_debuglink, 1 of 3 workers stuck"
