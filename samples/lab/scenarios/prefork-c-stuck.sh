# desc: C pre-fork thread-pool server (-g -O0), 4 workers, backlog 8, 2 stuck in pthread_cond_wait (lost signal)
source "$LAB_DIR/prefork-c.sh"
PREFORK_C_TEXT='## Root cause

In the workers with the bug every handler thread waits in `pthread_cond_wait(&j.cond, &j.mu)` without
a predicate (prefork.c `handle()`), after the backend already signalled: never woken. Then the queue
fills and the acceptor blocks in `pthread_cond_wait(&q->not_full)` (`queue_push()`): the worker stops
calling accept(). Native stacks are enough here: stuck handlers are in `handle` -> `pthread_cond_wait`,
the stuck acceptor in `queue_push` -> `pthread_cond_wait`; idle handlers of healthy workers are in
`queue_pop` -> `pthread_cond_wait` (waiting for work), healthy acceptors in `accept`. The same frames in
every sample (moments 2 and 3), no CPU time used, and CLOSE-WAIT on those pids mark them stuck.
The healthy workers cannot carry the load alone, so the shared accept queue overflows.'
prefork_c_scenario prefork-c-stuck prefork 4 8 "--stuck 2" 600 100 \
	"prefork-c-stuck: C pre-fork server (-g -O0), 2 of 4 workers stuck in pthread_cond_wait"
