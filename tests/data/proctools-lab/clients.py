#!/usr/bin/python3
"""clients.py get N CONC TIMEOUT [PATH] | leak N"""
import socket, sys, threading, time
def one(path, timeout, hold):
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect(("127.0.0.1", 8000))
        s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
        if hold:
            time.sleep(hold)
        else:
            s.recv(100)
        return "ok"
    except Exception as e:
        return type(e).__name__
    finally:
        s.close()
def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    conc = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 3
    path = sys.argv[5] if len(sys.argv) > 5 else "/"
    res = {}
    lock = threading.Lock()
    sem = threading.Semaphore(conc)
    def run():
        try:
            r = one("/leak" if mode == "leak" else path, timeout, 0.5 if mode == "leak" else 0)
            with lock:
                res[r] = res.get(r, 0) + 1
        finally:
            sem.release()
    ts = []
    for _ in range(n):
        sem.acquire()
        t = threading.Thread(target=run)
        t.start()
        ts.append(t)
    for t in ts:
        t.join()
    print("clients.py %s: %d connections: %s" % (mode, n, res))
main()
