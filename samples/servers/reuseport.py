#!/usr/bin/python3
"""reuseport.py -- pre-forked workers, each with its OWN listening socket (SO_REUSEPORT).

    /usr/bin/python3 reuseport.py [--host 127.0.0.1] [--port 8000] [--backlog 8]
        [--workers 4] [--work-ms 10] [--stuck-worker I] [--stuck-after N] [--pidfile FILE]

Each worker creates a socket, sets SO_REUSEPORT, binds the same address and calls
listen(fd, --backlog): the kernel hashes every incoming connection (by its 4-tuple) to one of
the sockets, so each worker has its own accept queue. Workers are single-threaded:
accept, read the request, --work-ms of work, answer, close.

--stuck-worker I: worker I, after serving --stuck-after requests, takes a request whose
handler waits on a threading.Condition that is never notified (the same lost-notification bug
as prefork.py) and blocks forever: it stops calling accept(). Only ITS queue fills and
overflows; the connections hashed to it time out while the other workers answer everything
else -- a partial failure that looks random to clients. (A retransmitted SYN has the same
4-tuple, so it hashes to the same full queue again.)
Prints "reuseport.py: ..." lines with every pid, also to --pidfile.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time


def say(a, line):
    line = "reuseport.py: " + line
    print(line, flush=True)
    if a.pidfile:
        with open(a.pidfile, "a") as f:
            f.write(line + "\n")


def worker(a, index):
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((a.host, a.port))
    s.listen(a.backlog)
    stuck = index == a.stuck_worker
    say(a, f"worker {index} pid={os.getpid()} ppid={os.getppid()} own listening socket "
           f"{a.host}:{a.port} backlog={a.backlog} {'BUGGY (stops accepting after %d requests)' % a.stuck_after if stuck else 'healthy'}")
    signal.signal(signal.SIGTERM, lambda *x: os._exit(0))
    served = 0
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                d = c.recv(4096)
                if not d:
                    break
                data += d
            time.sleep(a.work_ms / 1000.0)
            if stuck and served >= a.stuck_after:
                done = threading.Condition()
                with done:
                    done.wait()             # BUG: the notify happened elsewhere, before; blocks forever
            body = f"hello from worker {index} pid {os.getpid()}\n".encode()
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            served += 1
        except OSError:
            pass
        finally:
            c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--backlog", type=int, default=8)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--work-ms", type=float, default=10)
    ap.add_argument("--stuck-worker", type=int, default=-1)
    ap.add_argument("--stuck-after", type=int, default=3)
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    if a.pidfile:
        open(a.pidfile, "w").close()
    say(a, f"parent pid={os.getpid()} workers={a.workers} port={a.port} backlog={a.backlog} (SO_REUSEPORT, one socket per worker)")
    kids = []
    for i in range(a.workers):
        pid = os.fork()
        if pid == 0:
            try:
                worker(a, i)
            finally:
                os._exit(0)
        kids.append(pid)

    def stop(*_):
        for k in kids:
            try:
                os.kill(k, signal.SIGTERM)
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
