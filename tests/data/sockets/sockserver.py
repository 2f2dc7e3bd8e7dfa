#!/usr/bin/env python3
"""Socket-table fixture server for tests/data/sockets (tests/test_parse_*.c).

Listens on 127.0.0.1:PORT (backlog 4) and [::1]:PORT (backlog 3), forks three
workers that share the IPv4 listener (pre-fork: one socket, several owners in
`ss -p`) and renames them with hostile comm strings (spaces, quotes, parens,
commas, non-ASCII, even '",pid=7,fd=8)'), then holds still so that a client
can leave connections queued (LISTEN Recv-Q), unread (ESTAB Recv-Q) and
half-closed (CLOSE-WAIT). Stops by itself after LIFETIME seconds.
"""
import ctypes
import os
import signal
import socket
import sys
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18765
LIFETIME = 120
NAMES = ["w\u00f6rker (1)".encode(), b'a",pid=7,fd=8)', b'w "2"),("x']


def set_comm(name):
    libc = ctypes.CDLL(None)
    libc.prctl(15, ctypes.c_char_p(name[:15]), 0, 0, 0)  # PR_SET_NAME


l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l4.bind(("127.0.0.1", PORT))
l4.listen(4)
l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
l6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l6.bind(("::1", PORT))
l6.listen(3)

kids = []
for i, name in enumerate(NAMES):
    pid = os.fork()
    if pid == 0:
        set_comm(name)
        l6.close()
        held = []
        if i < 2:  # workers 0 and 1 accept one connection each, never read
            l4.settimeout(LIFETIME)
            try:
                held.append(l4.accept()[0])
            except OSError:
                pass
        time.sleep(LIFETIME)
        os._exit(0)
    kids.append(pid)



def stop(signum, frame):
    for k in kids:
        os.kill(k, signal.SIGTERM)
    os._exit(0)


signal.signal(signal.SIGTERM, stop)
l6.settimeout(LIFETIME)
try:
    c6 = l6.accept()[0]  # the parent accepts one IPv6 connection, never reads
except OSError:
    c6 = None
print("ready", flush=True)
time.sleep(LIFETIME)
