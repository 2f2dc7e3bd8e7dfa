#!/usr/bin/python3
"""closewait.py -- a server that accepts, reads the request, and never closes the socket.

    /usr/bin/python3 closewait.py [--host 127.0.0.1] [--port 8000] [--backlog 128]
                                  [--answer-every N]

The bug: the handler reads the request, drops the reply on an error path, and keeps the
socket object in a list forever (it is never closed). When the client gives up and closes,
the server side stays in CLOSE_WAIT (the kernel never times CLOSE_WAIT out), all owned by
this one process. With --answer-every N every Nth connection is answered and closed properly
(the healthy path), so the process is alive and partly working.
Single-threaded, select-based. Prints "closewait.py: pid=PID listening HOST:PORT backlog=N".
"""
import argparse
import os
import select
import socket
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--backlog", type=int, default=128)
    ap.add_argument("--answer-every", type=int, default=0)
    a = ap.parse_args()
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(a.backlog)
    print(f"closewait.py: pid={os.getpid()} listening {a.host}:{a.port} backlog={a.backlog}", flush=True)
    pending = {}      # sock -> bytes read so far
    leaked = []       # sockets read and then forgotten (never closed)
    n = 0
    while True:
        r, _, _ = select.select([ls] + list(pending), [], [])
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                pending[c] = b""
                continue
            data = s.recv(65536)
            pending[s] += data
            if b"\r\n\r\n" in pending[s] or not data:
                del pending[s]
                n += 1
                if a.answer_every and n % a.answer_every == 0:
                    s.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
                    s.close()
                else:
                    leaked.append(s)      # BUG: reply lost, socket never closed


if __name__ == "__main__":
    sys.exit(main())
