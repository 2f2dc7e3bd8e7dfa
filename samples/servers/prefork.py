#!/usr/bin/python3
"""prefork.py -- a pre-forking Python HTTP server with a thread pool per worker, and the bug
of the motivating incident (a lost condition-variable notification) behind a switch.

    /usr/bin/python3 prefork.py [--host 127.0.0.1] [--port 8000] [--backlog 8]
        [--workers 4] [--threads 4] [--queue 4] [--work-ms 50]
        [--stuck-workers K] [--pidfile FILE]

Shape (the common "gunicorn sync + threads" / home-grown pre-fork design):
  parent   opens ONE listening socket, listen(fd, --backlog), forks --workers workers that all
           inherit it (same socket inode in every worker's fd table), then only waits.
  worker   thread "acceptor": accept() on the shared socket, put the connection into a
           bounded queue (--queue); it blocks when the queue is full.
           threads "handler-N" (--threads): take a connection, read the request, do --work-ms
           of work, ask the "backend" thread to render the reply, wait for it on a
           threading.Condition, send it, close.
           thread "backend": renders replies and notifies the waiting handler.

The bug (--stuck-workers K, injected into workers 0..K-1): those workers run with the reply
cache on, so the backend answers at once, and their handlers wait with

        with slot.cond:
            slot.cond.wait()                  # no predicate

after logging the request. The backend's notify() comes while the handler is still logging,
before it waits: the notification is lost and the handler waits forever. Every handler of a
buggy worker ends up like that after its first request; then the queue fills and the acceptor
blocks in queue.put() -- the worker stops calling accept(). The connections it already took
stay open: when their clients give up and close, they sit in CLOSE_WAIT, owned by that worker.
The other workers keep serving until the load is more than they alone can carry, and then the
shared accept queue overflows. The fix (what healthy workers run) is the predicate loop:

        with slot.cond:
            slot.cond.wait_for(lambda: slot.done)

Threads get OS names (prctl PR_SET_NAME) so /proc/PID/task/TID/comm shows their role.
Prints one line per process and per thread with pids and tids ("prefork.py: ..."), and the same
lines to --pidfile.
"""
import argparse
import ctypes
import os
import queue
import signal
import socket
import sys
import threading
import time

LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15


def set_thread_name(name):
    LIBC.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def say(args, line):
    line = "prefork.py: " + line
    print(line, flush=True)
    if args.pidfile:
        with open(args.pidfile, "a") as f:
            f.write(line + "\n")


class Slot:
    """One pending reply: the handler waits on cond until the backend has filled body."""

    def __init__(self):
        self.cond = threading.Condition()
        self.done = False
        self.body = None


class Worker:
    def __init__(self, args, lsock, index, buggy):
        self.args = args
        self.lsock = lsock
        self.index = index
        self.buggy = buggy
        self.conns = queue.Queue(maxsize=args.queue)
        self.backend_q = queue.Queue()
        self.cache = {} if buggy else None      # the reply cache: on in the buggy workers
        self.served = 0

    def run(self):
        pid = os.getpid()
        say(self.args, f"worker {self.index} pid={pid} ppid={os.getppid()} "
                       f"{'BUGGY (lost notify, will get stuck)' if self.buggy else 'healthy'}")
        threads = [threading.Thread(target=self.backend, name="backend", daemon=True)]
        for i in range(self.args.threads):
            threads.append(threading.Thread(target=self.handler, name=f"handler-{i}", daemon=True))
        threads.append(threading.Thread(target=self.acceptor, name="acceptor", daemon=True))
        for t in threads:
            t.start()
        time.sleep(0.2)
        say(self.args, f"worker {self.index} pid={pid} thread main tid={threading.get_native_id()}")
        for t in threads:
            say(self.args, f"worker {self.index} pid={pid} thread {t.name} tid={t.native_id}")
        signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
        while True:
            time.sleep(3600)

    def acceptor(self):
        set_thread_name("acceptor")
        while True:
            conn, _ = self.lsock.accept()
            self.conns.put(conn)                # blocks while the queue is full

    def handler(self):
        set_thread_name(threading.current_thread().name)
        while True:
            conn = self.conns.get()
            try:
                self.handle(conn)
            except OSError:
                pass
            finally:
                conn.close()

    def handle(self, conn):
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            d = conn.recv(4096)
            if not d:
                return
            data += d
        path = data.split(b" ", 2)[1] if data.count(b" ") >= 2 else b"/"
        time.sleep(self.args.work_ms / 1000.0)         # the request's real work
        slot = Slot()
        self.backend_q.put((path, slot))
        self.log_request(path)
        with slot.cond:
            if self.buggy:
                slot.cond.wait()                        # BUG: no predicate, notify may be gone
            else:
                slot.cond.wait_for(lambda: slot.done)   # the fix
        conn.sendall(slot.body)
        self.served += 1

    def log_request(self, path):
        time.sleep(0.005)                               # formatting + writing an access log line

    def backend(self):
        set_thread_name("backend")
        while True:
            path, slot = self.backend_q.get()
            body = self.cache.get(path) if self.cache is not None else None
            if body is None:
                text = f"hello from worker {self.index} pid {os.getpid()}\n".encode()
                body = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                        + str(len(text)).encode() + b"\r\n\r\n" + text)
                if self.cache is not None:
                    self.cache[path] = body
            with slot.cond:
                slot.body = body
                slot.done = True
                slot.cond.notify()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--backlog", type=int, default=8)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--queue", type=int, default=4)
    ap.add_argument("--work-ms", type=float, default=50)
    ap.add_argument("--stuck-workers", type=int, default=0)
    ap.add_argument("--pidfile")
    args = ap.parse_args()
    if args.pidfile:
        open(args.pidfile, "w").close()
    fam = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    lsock = socket.socket(fam, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(args.backlog)
    say(args, f"parent pid={os.getpid()} listening {args.host}:{args.port} backlog={args.backlog} "
              f"workers={args.workers} threads={args.threads} queue={args.queue} "
              f"work_ms={args.work_ms:g} stuck_workers={args.stuck_workers}")
    children = []
    for i in range(args.workers):
        pid = os.fork()
        if pid == 0:
            try:
                Worker(args, lsock, i, i < args.stuck_workers).run()
            finally:
                os._exit(0)
        children.append(pid)

    def stop(*_):
        for c in children:
            try:
                os.kill(c, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
