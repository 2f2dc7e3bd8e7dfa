/*
 * prefork.c -- a pre-forking C HTTP server with a thread pool per worker, and two real bugs
 * behind switches. Reproduction server of the stuckscope incident lab (samples/lab).
 *
 *   prefork [--host 127.0.0.1] [--port 8000] [--backlog 8] [--workers 4] [--threads 4]
 *           [--queue 4] [--work-ms 50] [--stuck K] [--deadlock] [--pidfile FILE]
 *
 * Shape: the parent opens ONE listening socket (listen(fd, --backlog)) and forks --workers
 * workers that inherit it. Each worker runs
 *   "acceptor"   accept() on the shared socket, push the fd into a bounded queue (--queue
 *                slots, mutex + two condition variables); waits on not_full when it is full
 *   "handler-N"  (--threads) pop a connection, read the request, --work-ms of work, take the
 *                cache lock then the stats lock to account the hit, hand the reply to the
 *                backend thread and wait on the job's condition variable for it, send, close
 *   "backend"    renders replies, signals the waiting handler
 *   "flusher"    every 200 ms takes the cache lock then the stats lock and flushes statistics
 *
 * --stuck K: workers 0..K-1 run with the reply cache on, so the backend answers at once, and
 *   their handlers wait without a predicate:
 *       pthread_mutex_lock(&job->mu);
 *       pthread_cond_wait(&job->cond, &job->mu);     // no "while (!job->done)"
 *   after logging the request. The backend's pthread_cond_signal() came while the handler was
 *   logging, so nobody will ever signal again: each handler blocks forever in
 *   pthread_cond_wait after its first request, the queue fills, the acceptor blocks in
 *   pthread_cond_wait(not_full): the worker stops calling accept(). Its connections end in
 *   CLOSE_WAIT when the clients give up.
 * --deadlock: worker 0's flusher takes the locks in the opposite order (stats, then cache):
 *   ABBA deadlock between the flusher and the first handler that serves a request (a
 *   pthread barrier makes the interleaving deterministic). The other handlers then block on
 *   the cache mutex held by the deadlocked handler, and the acceptor on the full queue.
 *
 * Prints one line per process and per thread with its pid / tid ("prefork: ..."), also to
 * --pidfile. Build: see Makefile (-g -O0, plus a stripped copy with a .debug file).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct options {
	const char *host;
	int port, backlog, workers, threads, queue, work_ms, stuck;
	bool deadlock;
	const char *pidfile;
};

static struct options opt = {"127.0.0.1", 8000, 8, 4, 4, 4, 50, 0, false, NULL};

struct conn_queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	int *fds;
	int head, count, cap;
};

struct job {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool done;
	char body[256];
	int len;
	struct job *next;
};

struct worker {
	int index;
	bool buggy;        /* lost-notification bug */
	bool deadlock;     /* flusher takes the locks in the wrong order */
	int lfd;
	struct conn_queue q;
	pthread_mutex_t backend_mu;
	pthread_cond_t backend_cond;
	struct job *jobs;
	pthread_mutex_t cache_mu, stats_mu;
	pthread_barrier_t abba;   /* makes the ABBA interleaving deterministic */
	bool abba_armed;
	long hits, served;
};

static struct worker W;

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	printf("prefork: %s\n", line);
	fflush(stdout);
	if (opt.pidfile) {
		FILE *f = fopen(opt.pidfile, "a");
		if (f) {
			fprintf(f, "prefork: %s\n", line);
			fclose(f);
		}
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void queue_push(struct conn_queue *q, int fd)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == q->cap)
		pthread_cond_wait(&q->not_full, &q->mu);      /* acceptor waits here when stuck */
	q->fds[(q->head + q->count) % q->cap] = fd;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

static int queue_pop(struct conn_queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == 0)
		pthread_cond_wait(&q->not_empty, &q->mu);     /* idle handlers wait here */
	int fd = q->fds[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	return fd;
}

static void *acceptor_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "acceptor");
	say("worker %d pid=%d thread acceptor tid=%d", W.index, getpid(), gettid_());
	for (;;) {
		int fd = accept(W.lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("accept");
			sleep_ms(100);
			continue;
		}
		queue_push(&W.q, fd);
	}
	return NULL;
}

static void log_request(const char *req)
{
	(void)req;
	sleep_ms(5);   /* formatting and writing an access log line */
}

static void account_hit(void)
{
	pthread_mutex_lock(&W.cache_mu);
	if (W.abba_armed) {
		W.abba_armed = false;
		pthread_barrier_wait(&W.abba);   /* flusher now holds stats_mu */
	}
	pthread_mutex_lock(&W.stats_mu);     /* deadlock mode: waits for the flusher forever */
	W.hits++;
	pthread_mutex_unlock(&W.stats_mu);
	pthread_mutex_unlock(&W.cache_mu);
}

static void submit(struct job *j)
{
	pthread_mutex_lock(&W.backend_mu);
	j->next = W.jobs;
	W.jobs = j;
	pthread_cond_signal(&W.backend_cond);
	pthread_mutex_unlock(&W.backend_mu);
}

static void handle(int fd)
{
	char req[4096];
	size_t n = 0;
	struct timeval tv = {10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (n < sizeof req - 1) {
		ssize_t r = read(fd, req + n, sizeof req - 1 - n);
		if (r <= 0)
			return;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	sleep_ms(opt.work_ms);              /* the request's real work */
	account_hit();

	struct job j;
	memset(&j, 0, sizeof j);
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cond, NULL);
	submit(&j);
	log_request(req);
	pthread_mutex_lock(&j.mu);
	if (W.buggy)
		pthread_cond_wait(&j.cond, &j.mu);       /* BUG: no predicate, the signal is gone */
	else
		while (!j.done)
			pthread_cond_wait(&j.cond, &j.mu);   /* the fix */
	pthread_mutex_unlock(&j.mu);
	if (write(fd, j.body, (size_t)j.len) < 0)
		return;
	__atomic_add_fetch(&W.served, 1, __ATOMIC_RELAXED);
}

static void *handler_main(void *arg)
{
	char name[16];
	snprintf(name, sizeof name, "handler-%d", (int)(long)arg);
	pthread_setname_np(pthread_self(), name);
	say("worker %d pid=%d thread %s tid=%d", W.index, getpid(), name, gettid_());
	for (;;) {
		int fd = queue_pop(&W.q);
		handle(fd);
		close(fd);
	}
	return NULL;
}

static void *backend_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "backend");
	say("worker %d pid=%d thread backend tid=%d", W.index, getpid(), gettid_());
	for (;;) {
		pthread_mutex_lock(&W.backend_mu);
		while (!W.jobs)
			pthread_cond_wait(&W.backend_cond, &W.backend_mu);
		struct job *j = W.jobs;
		W.jobs = j->next;
		pthread_mutex_unlock(&W.backend_mu);
		if (!W.buggy)
			sleep_ms(1);   /* render; the buggy workers answer from their reply cache at once */
		char text[96];
		int tl = snprintf(text, sizeof text, "hello from C worker %d pid %d\n", W.index, getpid());
		pthread_mutex_lock(&j->mu);
		j->len = snprintf(j->body, sizeof j->body,
				  "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", tl, text);
		j->done = true;
		pthread_cond_signal(&j->cond);
		pthread_mutex_unlock(&j->mu);
	}
	return NULL;
}

static void *flusher_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "flusher");
	say("worker %d pid=%d thread flusher tid=%d", W.index, getpid(), gettid_());
	for (;;) {
		sleep_ms(200);
		if (W.deadlock) {
			/* BUG: lock order stats -> cache, the handlers use cache -> stats */
			pthread_mutex_lock(&W.stats_mu);
			pthread_barrier_wait(&W.abba);   /* a handler now holds cache_mu */
			pthread_mutex_lock(&W.cache_mu);
		} else {
			pthread_mutex_lock(&W.cache_mu);
			pthread_mutex_lock(&W.stats_mu);
		}
		pthread_mutex_unlock(&W.cache_mu);
		pthread_mutex_unlock(&W.stats_mu);
	}
	return NULL;
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void worker_main(int index, int lfd)
{
	W.index = index;
	W.buggy = index < opt.stuck;
	W.deadlock = opt.deadlock && index == 0;
	W.lfd = lfd;
	W.q.cap = opt.queue;
	W.q.fds = calloc((size_t)opt.queue, sizeof(int));
	pthread_mutex_init(&W.q.mu, NULL);
	pthread_cond_init(&W.q.not_empty, NULL);
	pthread_cond_init(&W.q.not_full, NULL);
	pthread_mutex_init(&W.backend_mu, NULL);
	pthread_cond_init(&W.backend_cond, NULL);
	pthread_mutex_init(&W.cache_mu, NULL);
	pthread_mutex_init(&W.stats_mu, NULL);
	pthread_barrier_init(&W.abba, NULL, 2);
	W.abba_armed = W.deadlock;
	signal(SIGTERM, on_term);
	say("worker %d pid=%d ppid=%d %s", index, getpid(), getppid(),
	    W.deadlock ? "DEADLOCK (ABBA between flusher and a handler)"
	    : W.buggy ? "BUGGY (lost pthread_cond_signal, will get stuck)" : "healthy");
	say("worker %d pid=%d thread main tid=%d", index, getpid(), gettid_());
	pthread_t t;
	pthread_create(&t, NULL, backend_main, NULL);
	pthread_create(&t, NULL, flusher_main, NULL);
	for (long i = 0; i < opt.threads; i++)
		pthread_create(&t, NULL, handler_main, (void *)i);
	sleep_ms(100);
	pthread_create(&t, NULL, acceptor_main, NULL);
	for (;;)
		pause();
}

static pid_t *children;

static void parent_term(int sig)
{
	(void)sig;
	for (int i = 0; i < opt.workers; i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
	_exit(0);
}

static void usage(void)
{
	fprintf(stderr, "usage: prefork [--host ADDR] [--port N] [--backlog N] [--workers N] [--threads N]\n"
			"               [--queue N] [--work-ms N] [--stuck K] [--deadlock] [--pidfile FILE]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define INTOPT(name, field) if (!strcmp(a, name)) { if (!v) usage(); opt.field = atoi(v); i++; continue; }
		INTOPT("--port", port)
		INTOPT("--backlog", backlog)
		INTOPT("--workers", workers)
		INTOPT("--threads", threads)
		INTOPT("--queue", queue)
		INTOPT("--work-ms", work_ms)
		INTOPT("--stuck", stuck)
		if (!strcmp(a, "--host") && v) { opt.host = v; i++; continue; }
		if (!strcmp(a, "--pidfile") && v) { opt.pidfile = v; i++; continue; }
		if (!strcmp(a, "--deadlock")) { opt.deadlock = true; continue; }
		usage();
	}
	if (opt.workers < 1 || opt.threads < 1 || opt.queue < 1)
		usage();
	if (opt.pidfile) {
		FILE *f = fopen(opt.pidfile, "w");
		if (f)
			fclose(f);
	}
	bool v6 = strchr(opt.host, ':') != NULL;
	int lfd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int rc;
	if (v6) {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)opt.port)};
		inet_pton(AF_INET6, opt.host, &sa.sin6_addr);
		rc = bind(lfd, (struct sockaddr *)&sa, sizeof sa);
	} else {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
		inet_pton(AF_INET, opt.host, &sa.sin_addr);
		rc = bind(lfd, (struct sockaddr *)&sa, sizeof sa);
	}
	if (rc < 0 || listen(lfd, opt.backlog) < 0) {
		perror("bind/listen");
		return 1;
	}
	say("parent pid=%d listening %s:%d backlog=%d workers=%d threads=%d queue=%d work_ms=%d stuck=%d deadlock=%d",
	    getpid(), opt.host, opt.port, opt.backlog, opt.workers, opt.threads, opt.queue, opt.work_ms,
	    opt.stuck, opt.deadlock);
	children = calloc((size_t)opt.workers, sizeof(pid_t));
	for (int i = 0; i < opt.workers; i++) {
		pid_t p = fork();
		if (p == 0) {
			worker_main(i, lfd);
			_exit(0);
		}
		children[i] = p;
	}
	signal(SIGTERM, parent_term);
	signal(SIGINT, parent_term);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
