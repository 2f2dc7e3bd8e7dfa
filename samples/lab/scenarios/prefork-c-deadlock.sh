# desc: C pre-fork server, 2 workers, worker 0 has an ABBA mutex deadlock (flusher vs handler); gdb prints mutex owners
source "$LAB_DIR/prefork-c.sh"
PREFORK_C_MUTEX=1
PREFORK_C_TEXT='## Root cause

Worker 0 (pid in "worker(s) with the bug") deadlocks: its flusher thread takes `stats_mu` then
`cache_mu`, its handlers take `cache_mu` then `stats_mu` (prefork.c `flusher_main()` vs
`account_hit()`). The first handler that serves a request holds `cache_mu` and waits for `stats_mu`
(owned by the flusher); the flusher holds `stats_mu` and waits for `cache_mu` (owned by that handler):
a cycle in the wait-for graph. The other handlers then block on `cache_mu` (owner: the deadlocked
handler) and the acceptor on the full queue (`pthread_cond_wait(not_full)`), so the worker stops
accepting and its connections end in CLOSE-WAIT. Worker 1 keeps serving.

Ground truth for the wait-for graph: gdb-mutex-PID.txt prints `W.cache_mu` and `W.stats_mu`
(glibc `__data.__owner` = owner tid, `__lock` = 2 means contended) and `info threads`; in the stacks
the blocked threads are in `pthread_mutex_lock` -> `__lll_lock_wait` (futex wait on the mutex word,
whose address is `&W.cache_mu` / `&W.stats_mu`).'
prefork_c_scenario prefork-c-deadlock prefork 2 8 "--deadlock" 400 30 \
	"prefork-c-deadlock: C pre-fork server, ABBA mutex deadlock in one of 2 workers"
