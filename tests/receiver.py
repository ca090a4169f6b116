"""A real HTTP receiver of deliveries on a free port of this machine, for tests: it can fail its first
requests the ways receivers fail (500, a closed connection, no answer in time), then accepts.

What it accepted is kept once per Idempotency-Key, as a receiver that honours the key keeps it;
`attempts` counts every request, `duplicates` the keys it was sent again after accepting them.
"""

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from troubleshoot import destinations


class Receiver:
    def __init__(self, failures: list[str] | None = None, secret: str = "", hang_seconds: float = 3):
        self.failures = list(failures or [])  # "500", "503 retry", "close", "hang": one per request, in order
        self.secret, self.hang_seconds = secret, hang_seconds
        self.attempts: list[dict] = []
        self.accepted: dict[str, dict] = {}  # by Idempotency-Key
        self.duplicates = 0
        self.bad_signatures = 0
        self.down = False  # refuses every request with 503 while True
        self.ticket = 4521  # the ticket id its answers name, as Zendesk's do
        self.lock = threading.Lock()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        request = {"method": handler.command, "path": handler.path, "headers": dict(handler.headers), "body": body}
        with self.lock:
            self.attempts.append(request)
            failure = "503" if self.down else (self.failures.pop(0) if self.failures else "")
        if failure == "close":
            handler.close_connection = True
            return  # no status line at all: the sender sees the connection closed
        if failure == "hang":
            time.sleep(self.hang_seconds)
            return
        if failure:
            status, _, retry = failure.partition(" ")
            handler.send_response(int(status))
            if retry:
                handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "12")
            handler.end_headers()
            handler.wfile.write(b"Server error")
            return
        signature = handler.headers.get(destinations.SIGNATURE_HEADER, "")
        if self.secret and not destinations.verify(body, signature, self.secret):
            with self.lock:
                self.bad_signatures += 1
            handler.send_response(401)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        key = handler.headers.get("Idempotency-Key", "")
        with self.lock:
            if key in self.accepted:
                self.duplicates += 1
            else:
                self.accepted[key] = request | {"json": json.loads(body)}
        answer = json.dumps({"ticket": {"id": self.ticket}}).encode()
        handler.send_response(201)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def packets(self) -> list[dict]:
        with self.lock:
            return [r["json"] for r in self.accepted.values()]


@contextmanager
def receiving(receiver: Receiver):
    """Serve `receiver` on 127.0.0.1; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            receiver.handle(self)

        do_PUT = do_POST

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
