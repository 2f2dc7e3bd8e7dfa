/* stuckpool.c - lab server for stuckscope's proctools recordings.
 * Parent listens, forks NW workers sharing the socket. Each worker: main
 * thread accepts and queues fds; NH handler threads pop and answer.
 * Worker 0 (when --stuck) has a lost wakeup: its handlers wait on a condvar
 * nobody signals after their first request, so its acceptor keeps
 * accepting into a queue nobody drains (CLOSE-WAIT when clients give up).
 * --spin adds a thread to worker 1 that burns CPU. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define QMAX 256
static int q[QMAX], qn;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int buggy, wid;

static void *handler(void *arg)
{
	(void)arg;
	printf("worker %d pid=%d handler tid=%ld\n", wid, getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	int served = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qn == 0)
			pthread_cond_wait(&nonempty, &mu);
		int fd = q[--qn];
		if (buggy && served >= 1) {
			/* the lost wakeup: waits for a signal nobody sends */
			pthread_cond_wait(&never, &mu);
		}
		pthread_mutex_unlock(&mu);
		char buf[2048];
		ssize_t n = read(fd, buf, sizeof(buf));
		(void)n;
		static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
		ssize_t w = write(fd, resp, sizeof(resp) - 1);
		(void)w;
		close(fd);
		served++;
	}
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	printf("worker %d pid=%d spinner tid=%ld\n", wid, getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	volatile unsigned long x = 0;
	for (;;)
		x++;
	return NULL;
}

static void worker(int ls, int nh, int spin)
{
	pthread_t t;
	for (int i = 0; i < nh; i++)
		pthread_create(&t, NULL, handler, NULL);
	if (spin)
		pthread_create(&t, NULL, spinner, NULL);
	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&mu);
		if (qn < QMAX)
			q[qn++] = fd;
		else
			close(fd);
		pthread_cond_signal(&nonempty);
		pthread_mutex_unlock(&mu);
	}
}

int main(int argc, char **argv)
{
	int port = 8000, nw = 2, nh = 3, stuck = 0, spin = 0, backlog = 8;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stuck")) stuck = 1;
		else if (!strcmp(argv[i], "--spin")) spin = 1;
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc) nw = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--handlers") && i + 1 < argc) nh = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--backlog") && i + 1 < argc) backlog = atoi(argv[++i]);
	}
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, backlog)) {
		perror("bind/listen");
		return 1;
	}
	printf("parent pid=%d port=%d workers=%d\n", getpid(), port, nw);
	fflush(stdout);
	for (int w = 0; w < nw; w++) {
		pid_t p = fork();
		if (p == 0) {
			wid = w;
			buggy = stuck && w == 0;
			printf("worker %d pid=%d %s\n", w, getpid(), buggy ? "BUGGY" : "healthy");
			fflush(stdout);
			worker(ls, nh, spin && w == 1);
		}
	}
	for (;;)
		pause();
}
