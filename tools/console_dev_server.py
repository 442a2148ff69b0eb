#!/usr/bin/env python3
"""Console development server: serves web/ from the checkout (edit, reload,
no rebuild) and forwards /api/ and /metrics to a running opensocd, so the
browser sees one origin as it does with the daemon's built-in copy.

  tools/console_dev_server.py --listen 127.0.0.1:8090 --daemon 127.0.0.1:8080

Development only: the daemon serves the compiled-in console itself.
"""
import argparse
import http.client
import http.server
import mimetypes
import os
import socketserver

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web")
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    daemon_addr = ("127.0.0.1", 8080)

    def log_message(self, fmt, *args):
        pass

    def _proxy(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection(*self.daemon_addr, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        res = conn.getresponse()
        data = res.read()
        self.send_response(res.status, res.reason)
        for k, v in res.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length", "trailer"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _static(self):
        path = self.path.split("?", 1)[0]
        if path in ("/", "/console"):
            self.send_response(302)
            self.send_header("Location", "/console/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        rel = path[len("/console/"):] if path.startswith("/console/") else None
        file = None
        if rel is not None and rel.startswith("assets/"):
            candidate = os.path.normpath(os.path.join(ROOT, rel))
            if candidate.startswith(os.path.normpath(ROOT)) and os.path.isfile(candidate):
                file = candidate
        elif rel is not None:
            file = os.path.join(ROOT, "index.html")
        if not file:
            self.send_error(404)
            return
        data = open(file, "rb").read()
        self.send_response(200)
        ext = os.path.splitext(file)[1]
        self.send_header("Content-Type", TYPES.get(ext) or mimetypes.guess_type(file)[0] or "application/octet-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _dispatch(self):
        if self.path.startswith("/api/") or self.path.startswith("/metrics"):
            self._proxy()
        else:
            self._static()

    do_GET = do_HEAD = do_POST = do_PATCH = do_DELETE = do_PUT = _dispatch


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", default="127.0.0.1:8090")
    ap.add_argument("--daemon", default="127.0.0.1:8080")
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    dhost, dport = a.daemon.rsplit(":", 1)
    Handler.daemon_addr = (dhost, int(dport))

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    Server((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
