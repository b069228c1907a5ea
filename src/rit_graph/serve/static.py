"""The files the pages load (the query editor's scripts and styles), served from the package at ``/static/``.

They are read once, when the app is made, into a table by name: no request path
is ever looked up on disk. A page links to each file with ``?v=`` and the first
characters of its SHA-256 (``url``); an answer to that exact link may be kept a
year (``immutable``), since another version of the file has another link. Any
other request for the file is revalidated by its ETag. Each file is kept gzipped
too and sent so to clients that accept it: YASGUI's script is 1 MB, 0.28 MB gzipped.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rit_graph.serve import negotiation

#: The folder of the package that holds them, and the path they are served under.
FOLDER = "static"
PREFIX = "/static/"
#: Media types by file extension; a file of another kind in the folder is not served.
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
LONG = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    version: str
    gzipped: bytes

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def _files(folder: Traversable, prefix: str = "") -> dict[str, StaticFile]:
    found: dict[str, StaticFile] = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        name = prefix + item.name
        if item.is_dir():
            found.update(_files(item, name + "/"))
            continue
        extension = "." + item.name.rpartition(".")[2] if "." in item.name else ""
        if extension in MEDIA_TYPES:
            body = item.read_bytes()
            version = hashlib.sha256(body).hexdigest()[:16]
            found[name] = StaticFile(body, MEDIA_TYPES[extension], version, gzip.compress(body, 9, mtime=0))
    return found


class Static:
    """The package's static files by name (``yasgui/yasgui.min.js``), and their handler."""

    def __init__(self) -> None:
        self.files = _files(resources.files("rit_graph").joinpath(FOLDER))

    def url(self, name: str) -> str:
        """The link to NAME from the site's root, versioned by its content; KeyError for a file not shipped."""
        return f"{PREFIX[1:]}{name}?v={self.files[name].version}"

    def handle(self, request: Request) -> Response:
        found = self.files.get(request.path_params["path"])
        if found is None:
            return PlainTextResponse("No such file.\n", status_code=404)
        versioned = request.query_params.get("v") == found.version
        zipped = negotiation.quality(request.headers.get("accept-encoding") or "identity", ("gzip",)) > 0
        headers = {
            # One ETag per representation (RFC 9110, 8.8.3): the gzipped bytes are another.
            "ETag": f'"{found.version}-gzip"' if zipped else found.etag,
            "Cache-Control": LONG if versioned else REVALIDATE,
            "Vary": "Accept-Encoding",
        }
        if headers["ETag"] in {
            t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
        }:
            return Response(status_code=304, headers=headers)
        headers["Content-Type"] = found.media_type
        if zipped:
            return Response(found.gzipped, headers={**headers, "Content-Encoding": "gzip"})
        return Response(found.body, headers=headers)
