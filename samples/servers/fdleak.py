#!/usr/bin/python3
"""fdleak.py -- leaks the sockets of failed requests until accept() fails with EMFILE.

    /usr/bin/python3 fdleak.py [--host 127.0.0.1] [--port 8000] [--backlog 16]
        [--nofile 64] [--leak-path /leak]

Sets its own RLIMIT_NOFILE soft limit to --nofile (a low container / systemd LimitNOFILE),
then serves single-threaded from a select() loop. The bug: a request for --leak-path takes an
error path that forgets the socket -- it is kept in a list and never closed. Each such client
eventually gives up and closes: CLOSE_WAIT, one descriptor leaked. When the process reaches
its descriptor limit, accept() fails with EMFILE; the loop logs it and goes round again: select()
still reports the listening socket readable (its accept queue is not empty), so the process
spins at 100% CPU without accepting anything, the accept queue fills and overflows, and every
client -- also the ones asking for healthy paths -- times out.
Prints "fdleak.py: pid=PID ..." and one line per 1000 EMFILE errors.
"""
import argparse
import errno
import os
import resource
import select
import socket
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--backlog", type=int, default=16)
    ap.add_argument("--nofile", type=int, default=64)
    ap.add_argument("--leak-path", default="/leak")
    a = ap.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (a.nofile, hard))
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(a.backlog)
    ls.setblocking(False)
    print(f"fdleak.py: pid={os.getpid()} listening {a.host}:{a.port} backlog={a.backlog} "
          f"RLIMIT_NOFILE={a.nofile} leak_path={a.leak_path}", flush=True)
    pending = {}
    leaked = []
    emfile = 0
    while True:
        r, _, _ = select.select([ls] + list(pending), [], [], 1.0)
        for s in r:
            if s is ls:
                try:
                    c, _ = ls.accept()
                except OSError as e:
                    if e.errno in (errno.EMFILE, errno.ENFILE):
                        emfile += 1
                        if emfile == 1 or emfile % 100000 == 0:
                            print(f"fdleak.py: accept: {os.strerror(e.errno)} (EMFILE #{emfile}, "
                                  f"{len(leaked)} leaked sockets)", flush=True)
                        continue                      # and select() says readable again at once
                    if e.errno == errno.EAGAIN:
                        continue
                    raise
                c.setblocking(False)
                pending[c] = b""
                continue
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            pending[s] += d
            if b"\r\n\r\n" not in pending[s] and d:
                continue
            req = pending.pop(s)
            path = req.split(b" ", 2)[1].decode(errors="replace") if req.count(b" ") >= 2 else "/"
            if path.startswith(a.leak_path):
                leaked.append(s)                      # BUG: error path forgets to close
                continue
            try:
                s.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            except OSError:
                pass
            s.close()


if __name__ == "__main__":
    sys.exit(main())
