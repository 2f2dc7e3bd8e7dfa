#!/usr/bin/env python3
"""Clients for sockserver.py: 5 connections to 127.0.0.1:PORT (2 accepted by
workers, 3 left in the accept queue), 2 to [::1]:PORT (1 accepted, 1 queued).
Sends 100 bytes on every connection (never read by the server: Recv-Q), then
closes the first IPv4 one (server side CLOSE-WAIT, client side FIN-WAIT-2)
and the second IPv6 one (queued, so it becomes CLOSE-WAIT in the accept
queue). Stops by itself after LIFETIME seconds."""
import socket
import sys
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18765
LIFETIME = 120
conns = []
for _ in range(5):
    s = socket.create_connection(("127.0.0.1", PORT))
    conns.append(s)
for _ in range(2):
    s = socket.create_connection(("::1", PORT))
    conns.append(s)
for s in conns:
    s.sendall(b"x" * 100)
time.sleep(0.5)
conns[0].close()
conns[6].close()
print("ready", flush=True)
time.sleep(LIFETIME)
