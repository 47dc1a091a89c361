"""A service in another language behind the proxy: answers every request with what it saw
(method, raw path, the X-Tokengate-* headers) as JSON, and prints its port when listening."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    def answer(self):
        seen = {
            "method": self.command,
            "path": self.path,
            "identity": {
                name.lower(): value
                for name, value in self.headers.items()
                if name.lower().startswith("x-tokengate-")
            },
        }
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
