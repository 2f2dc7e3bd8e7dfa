#!/usr/bin/python3
"""slowreader.py -- accepts uploads, then stops reading the request bodies.

    /usr/bin/python3 slowreader.py [--host 127.0.0.1] [--port 8000] [--backlog 128]
        [--rcvbuf BYTES]

One thread per connection reads the request headers, then "hands the body to a storage
backend that has hung": it never reads another byte (blocks on a threading.Event that is
never set). The kernel buffers what the client sends until the socket's receive buffer is
full: ESTAB Recv-Q grows to the buffer size, the advertised window drops to zero, the client's
Send-Q grows and it sends zero-window probes. --rcvbuf sets SO_RCVBUF on the listening socket
(inherited by accepted sockets) so the numbers are small and reproducible; 0 keeps the default.
Prints "slowreader.py: pid=PID ..." and one line per connection with the handling thread's tid.
"""
import argparse
import os
import socket
import sys
import threading


def handle(c, addr):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(4096)
        if not d:
            return
        data += d
    print(f"slowreader.py: connection from {addr[0]}:{addr[1]} headers read, thread tid={threading.get_native_id()} "
          f"now waits for the storage backend (never)", flush=True)
    threading.Event().wait()        # BUG: the backend never answers; the body is never read


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--backlog", type=int, default=128)
    ap.add_argument("--rcvbuf", type=int, default=0)
    a = ap.parse_args()
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    ls.bind((a.host, a.port))
    ls.listen(a.backlog)
    print(f"slowreader.py: pid={os.getpid()} listening {a.host}:{a.port} backlog={a.backlog} "
          f"SO_RCVBUF={ls.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)}", flush=True)
    while True:
        c, addr = ls.accept()
        threading.Thread(target=handle, args=(c, addr), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
