"""A tiny local HTTP listener standing in for a SPARQL store: it records every request it gets.

It keeps graphs sent with PUT and gives them back on GET (Graph Store
Protocol), and answers every query POSTed to it with ``query_status`` and
``query_body``, so tests see exactly what rit-graph sends and how it takes a
store's errors.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TRUE = b'{"head":{},"boolean":true}'


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def params(self) -> dict[str, list[str]]:
        query = parse_qs(urlsplit(self.path).query)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            for key, values in parse_qs(self.body.decode("utf-8")).items():
                query.setdefault(key, []).extend(values)
        return query


@dataclass
class Recorder:
    requests: list[Recorded] = field(default_factory=list)
    graphs: dict[str, bytes] = field(default_factory=dict)
    put_status: int = 204
    query_status: int = 200
    query_body: bytes = TRUE
    query_type: str = "application/sparql-results+json"
    #: Lines left out of every graph read back, to play a store that loses triples.
    drop_lines: int = 0
    #: (user, password) to demand with HTTP digest auth (RFC 7616, MD5, qop=auth), as Virtuoso does.
    digest: tuple[str, str] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _record(self) -> Recorded:
        length = int(self.headers.get("content-length") or 0)
        recorded = Recorded(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
        )
        self.server.recorder.requests.append(recorded)
        return recorded

    def _challenged(self, recorded: Recorded) -> bool:
        """With ``digest`` set, answer 401 with a challenge unless the request proves the password."""
        credentials = self.server.recorder.digest
        if credentials is None or _digest_ok(recorded, *credentials):
            return False
        self.send_response(401)
        self.send_header("WWW-Authenticate", f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _graph(self, recorded: Recorded) -> str:
        return recorded.params.get("graph", [""])[0]

    def do_PUT(self) -> None:
        recorded = self._record()
        if self._challenged(recorded):
            return
        recorder = self.server.recorder
        if recorder.put_status < 300:
            recorder.graphs[self._graph(recorded)] = recorded.body
        self._send(recorder.put_status, b"" if recorder.put_status < 300 else b"not allowed here")

    def do_DELETE(self) -> None:
        recorded = self._record()
        if self._challenged(recorded):
            return
        found = self.server.recorder.graphs.pop(self._graph(recorded), None)
        self._send(204 if found is not None else 404)

    def do_GET(self) -> None:
        recorded = self._record()
        if self._challenged(recorded):
            return
        recorder = self.server.recorder
        if "query" in recorded.params:
            self._send(recorder.query_status, recorder.query_body, recorder.query_type)
            return
        body = recorder.graphs.get(self._graph(recorded))
        if body is None:
            self._send(404, b"no such graph")
            return
        lines = body.splitlines(keepends=True)
        self._send(200, b"".join(lines[recorder.drop_lines :]), "application/n-triples")

    def do_POST(self) -> None:
        if self._challenged(self._record()):
            return
        recorder = self.server.recorder
        self._send(recorder.query_status, recorder.query_body, recorder.query_type)


REALM = "store"
NONCE = "4d6f7265"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _digest_ok(recorded: Recorded, user: str, password: str) -> bool:
    header = recorded.headers.get("authorization", "")
    if not header.startswith("Digest "):
        return False
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[len("Digest ") :]))
    if fields.get("username") != user or fields.get("nonce") != NONCE or fields.get("realm") != REALM:
        return False
    secret = _md5(f"{user}:{REALM}:{password}")
    request = _md5(f"{recorded.method}:{fields.get('uri', '')}")
    expected = _md5(f"{secret}:{NONCE}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{request}")
    return fields.get("response") == expected and fields.get("uri") == recorded.path


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: Recorder


class RecordingStore:
    """Start with ``with RecordingStore() as recorder:``; it listens on a free loopback port until the block ends."""

    def __enter__(self) -> Recorder:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.recorder = Recorder(port=self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self._server.recorder

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
