#!/usr/bin/python3
"""clients.py -- small, bounded load clients for the incident lab.

    /usr/bin/python3 clients.py MODE --host H --port P [--count N] [--concurrency C]
                                [--timeout S] [--wait S] [--body BYTES] [--duration S]

MODE
  send-close   open N connections (C at a time), send one GET, wait up to --wait s for an
               answer, then close (the "client gives up" of a CLOSE_WAIT incident)
  get          N plain GET requests, C in parallel, each with a --timeout (connect+answer);
               prints one summary line: ok / timeout / refused / reset / other counts
  post-body    C connections that each POST a --body byte body as fast as the server lets
               them (non-blocking sends), for --duration s; then close (slow reader)
  hold         open N connections, send a GET, keep them open for --duration s, then close

Everything is bounded: --count, --duration, --timeout. Prints a one-line summary per phase.
"""
import argparse
import collections
import concurrent.futures
import errno
import select
import socket
import sys
import time


def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def req(host, port, path="/"):
    return (f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nUser-Agent: stk-lab-clients\r\n\r\n").encode()


def one_get(a, i):
    s = socket.socket(fam(a.host), socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    t0 = time.time()
    try:
        s.connect((a.host, a.port))
        s.sendall(req(a.host, a.port, a.path))
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        return ("ok" if data.startswith(b"HTTP/") else "empty"), time.time() - t0
    except socket.timeout:
        return "timeout", time.time() - t0
    except ConnectionRefusedError:
        return "refused", time.time() - t0
    except ConnectionResetError:
        return "reset", time.time() - t0
    except OSError as e:
        return "error-" + errno.errorcode.get(e.errno, str(e.errno)), time.time() - t0
    finally:
        s.close()


def send_close(a, i):
    s = socket.socket(fam(a.host), socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        s.connect((a.host, a.port))
        s.sendall(req(a.host, a.port, a.path))
        s.settimeout(a.wait)
        try:
            d = s.recv(65536)
            return "answered" if d else "closed-by-server"
        except socket.timeout:
            return "no-answer"
    except socket.timeout:
        return "connect-timeout"
    except OSError as e:
        return "error-" + errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def post_body(a):
    socks = []
    for i in range(a.concurrency):
        s = socket.socket(fam(a.host), socket.SOCK_STREAM)
        s.settimeout(a.timeout)
        s.connect((a.host, a.port))
        s.sendall((f"POST /upload HTTP/1.1\r\nHost: {a.host}\r\nContent-Length: {a.body}\r\n\r\n").encode())
        s.setblocking(False)
        socks.append([s, 0])
    chunk = b"x" * 65536
    end = time.time() + a.duration
    while time.time() < end:
        w = [s for s, n in socks if n < a.body]
        if not w:
            break
        _, ww, _ = select.select([], w, [], 0.2)
        for e in socks:
            if e[0] in ww:
                try:
                    e[1] += e[0].send(chunk[: min(len(chunk), a.body - e[1])])
                except BlockingIOError:
                    pass
    sent = [n for _, n in socks]
    print(f"clients.py post-body: {len(socks)} connections, bytes sent each: {sent}", flush=True)
    if a.hold:
        time.sleep(a.hold)
    for s, _ in socks:
        s.close()


def hold(a):
    socks = []
    for i in range(a.count):
        s = socket.socket(fam(a.host), socket.SOCK_STREAM)
        s.settimeout(a.timeout)
        try:
            s.connect((a.host, a.port))
            s.sendall(req(a.host, a.port, a.path))
            socks.append(s)
        except OSError as e:
            print(f"clients.py hold: connection {i}: {e}", flush=True)
    print(f"clients.py hold: {len(socks)} connections open", flush=True)
    time.sleep(a.duration)
    for s in socks:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["send-close", "get", "post-body", "hold"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--path", default="/")
    ap.add_argument("--count", type=int, default=30)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--wait", type=float, default=1.0)
    ap.add_argument("--body", type=int, default=8 << 20)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--hold", type=float, default=0.0)
    a = ap.parse_args()
    t0 = time.time()
    if a.mode in ("get", "send-close"):
        fn = one_get if a.mode == "get" else send_close
        res = collections.Counter()
        times = []
        with concurrent.futures.ThreadPoolExecutor(a.concurrency) as ex:
            for r in ex.map(lambda i: fn(a, i), range(a.count)):
                if isinstance(r, tuple):
                    res[r[0]] += 1
                    times.append(r[1])
                else:
                    res[r] += 1
        extra = ""
        if times:
            times.sort()
            extra = f" time_s min={times[0]:.3f} median={times[len(times)//2]:.3f} max={times[-1]:.3f}"
        print(f"clients.py {a.mode}: {a.count} connections to {a.host}:{a.port}, concurrency {a.concurrency}: "
              + " ".join(f"{k}={v}" for k, v in sorted(res.items())) + extra
              + f" elapsed={time.time()-t0:.1f}s", flush=True)
    elif a.mode == "post-body":
        post_body(a)
    else:
        hold(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
