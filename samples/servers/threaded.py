#!/usr/bin/python3
"""threaded.py -- healthy control: a threaded HTTP server with a big listen backlog.

    /usr/bin/python3 threaded.py [--host 127.0.0.1] [--port 8000] [--backlog 1024]

http.server.ThreadingHTTPServer (one thread per connection) with request_queue_size set to
--backlog (socketserver's default is 5). Answers every GET with a short text body.
Prints "threaded.py: pid=PID listening HOST:PORT backlog=N".
"""
import argparse
import http.server
import os
import socket
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok from threaded.py\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--backlog", type=int, default=1024)
    a = ap.parse_args()

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = a.backlog
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in a.host else socket.AF_INET

    srv = Server((a.host, a.port), Handler)
    print(f"threaded.py: pid={os.getpid()} listening {a.host}:{a.port} backlog={a.backlog}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
