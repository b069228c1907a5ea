"""Dumps assembled from pieces, one per unit, so that a build after a change renders only its pieces.

A dump is a header, one piece per unit (the triples about the resources
that unit alone describes; for TriG its whole graph), one piece for the
resources several units describe, and a footer. Each piece is rendered once,
with its gzip member, and kept in the cache under the key of what it holds:
a gzip file may be several members one after the other (RFC 1952), which
every gzip reader joins. The bytes depend on the input only, never on what
the cache held, and the order is that of the units (reference files, then
announcements), subjects sorted within each piece.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from rit_graph.corpus.load import Corpus, Unit
from rit_graph.output.catalog import Download, media_type
from rit_graph.rdf.jsonld import dumps_texts, node_id
from rit_graph.rdf.ntriples import ntriples, triple_order
from rit_graph.runtime.cache import Cache, key, union
from rit_graph.runtime.forking import forked_map
from rit_graph.runtime.progress import Progress


@dataclass(frozen=True)
class Piece:
    """Triples rendered together; KEY stands for them, so that their rendering can be cached."""

    key: str
    triples: Callable[[], list[ox.Triple]]
    #: Written as this named graph (TriG); None for the default graph.
    graph: ox.NamedNode | None = None


@dataclass(frozen=True)
class Layout:
    """How a dump is written: a header, its pieces, what goes between two of them, and a footer."""

    name: str
    header: bytes
    render: Callable[[Piece], bytes]
    footer: bytes = b""
    separator: bytes = b""
    compress: bool = True


def data_pieces(corpus: Corpus, cache: Cache) -> tuple[list[Piece], list[Piece], list[ox.Triple]]:
    """The pieces of the default-graph dumps, of the TriG dump, and the triples about shared resources.

    A triple stated in several units has a subject they all describe, so the
    default graph's triples are each unit's triples about the subjects it
    alone describes, once each, and the triples about the shared subjects.
    """
    shared = corpus.shared
    pieces = []
    about_shared = []
    for unit in corpus.units:
        mine = sorted(shared.intersection(unit.summary.subjects))
        pieces.append(Piece(key(unit.key, *mine), _alone(unit, shared)))
        if mine:
            about_shared.append((pieces[-1].key, _about(unit, shared)))
    shared_triples = union(cache.within("shared-triples"), about_shared)
    pieces.append(Piece(key(ntriples(shared_triples)), lambda: shared_triples))
    references = corpus.reference_units
    graphs = []
    if references:  # one named graph, written from all reference files
        graphs.append(
            Piece(
                key("reference", *(u.key for u in references)),
                lambda: list(dict.fromkeys(t for u in references for t in u.triples)),
                references[0].graph,
            )
        )
    graphs += [Piece(key("graph", u.key), lambda u=u: u.triples, u.graph) for u in corpus.units if u.announcement]  # type: ignore[misc]
    return pieces, graphs, shared_triples


def _alone(unit: Unit, shared: set[str]) -> Callable[[], list[ox.Triple]]:
    return lambda: [t for t in unit.triples if str(t.subject) not in shared]


def _about(unit: Unit, shared: set[str]) -> Callable[[], list[ox.Triple]]:
    return lambda: [t for t in unit.triples if str(t.subject) in shared]


def rdf_layout(name: str, rdf_format: ox.RdfFormat, prefixes: dict[str, str]) -> Layout:
    """Turtle, N-Triples or TriG with PREFIXES declared once, in the header."""
    header = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes.items()).encode("utf-8")

    def render(piece: Piece) -> bytes:
        triples = sorted(piece.triples(), key=triple_order)
        data: list[ox.Triple] | list[ox.Quad] = triples
        if piece.graph is not None:
            data = [ox.Quad(t.subject, t.predicate, t.object, piece.graph) for t in triples]
        text = ox.serialize(data, format=rdf_format, prefixes=prefixes) or b""
        lines = text.split(b"\n")
        start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
        return b"\n".join(lines[start:])

    has_prefixes = rdf_format != ox.RdfFormat.N_TRIPLES
    return Layout(name, header if has_prefixes else b"", render)


def jsonld_layout(
    name: str,
    context: dict[str, Any],
    compact: Callable[[list[ox.Triple]], dict[str, Any]],
    texts_only: bool,
    compress: bool,
) -> Layout:
    """A JSON-LD document whose "@graph" holds each piece's nodes, compacted with CONTEXT by COMPACT.

    TEXTS_ONLY: the nodes hold no numbers, so orjson may write them (ten times
    faster than json, and the same bytes for strings).
    """

    def dumps(value: Any) -> bytes:
        if texts_only:
            return dumps_texts(value)
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    def render(piece: Piece) -> bytes:
        triples = sorted(piece.triples(), key=lambda t: (node_id(t.subject), str(t.predicate), str(t.object)))
        if not triples:
            return b""
        document = compact(triples)
        document.pop("@context", None)
        nodes = document.pop("@graph", [document] if document else [])
        return b",\n".join(_indented(dumps(node), 4) for node in nodes)

    header = b'{\n  "@context": ' + _indented(dumps(context["@context"]), 2)[2:] + b',\n  "@graph": [\n'
    return Layout(name, header, render, b"\n  ]\n}\n", b",\n", compress)


def _indented(text: bytes, spaces: int) -> bytes:
    pad = b" " * spaces
    return b"\n".join(pad + line for line in text.split(b"\n"))


def _member(data: bytes) -> bytes:
    """DATA as one gzip member, the same bytes on every run (no time, no file name)."""
    return gzip.compress(data, compresslevel=6, mtime=0) if data else b""


def render_all(
    jobs: list[tuple[Layout, list[Piece]]], cache: Cache, workers: int, progress: Progress
) -> list[list[tuple[bytes, bytes]]]:
    """Each layout's pieces rendered (with gzip members): from CACHE, or on WORKERS forked processes."""
    settings = {layout.name: key(layout.name, layout.header, layout.footer) for layout, _ in jobs}
    keys = [[key(settings[layout.name], p.key) for p in pieces] for layout, pieces in jobs]
    done: dict[tuple[int, int], tuple[bytes, bytes]] = {}
    todo = []
    for j, (layout, pieces) in enumerate(jobs):
        for i in range(len(pieces)):
            data = cache.get_bytes(keys[j][i], ".data")
            member = cache.get_bytes(keys[j][i], ".gz") if layout.compress else b""
            if data is not None and member is not None:
                done[(j, i)] = (data, member)
            else:
                todo.append((j, i))
    task = "rendering dumps"
    progress.start(task, len(todo))

    def render(n: int) -> tuple[bytes, bytes]:
        j, i = todo[n]
        layout, pieces = jobs[j]
        data = layout.render(pieces[i])
        return data, _member(data) if layout.compress else b""

    # One piece is rendered here: a fork would cost more than it.
    for n, (data, member) in enumerate(forked_map(render, range(len(todo)), workers if len(todo) > 1 else 1, task)):
        j, i = todo[n]
        done[(j, i)] = (data, member)
        cache.put_bytes(keys[j][i], data, ".data")
        if jobs[j][0].compress:
            cache.put_bytes(keys[j][i], member, ".gz")
        progress.advance()
    progress.finish()
    cache.keep_only(k for row in keys for k in row)
    return [[done[(j, i)] for i in range(len(pieces))] for j, (_, pieces) in enumerate(jobs)]


def write(folder: Path, layout: Layout, rendered: list[tuple[bytes, bytes]]) -> list[Download]:
    """The dump of LAYOUT from its RENDERED pieces, and its gzip version, described as written."""
    path = folder / layout.name
    parts = [layout.header]
    members = [_member(layout.header)]
    for data, member in rendered:
        if not data:
            continue
        if len(parts) > 1 and layout.separator:
            parts.append(layout.separator)
            members.append(_member(layout.separator))
        parts.append(data)
        members.append(member)
    parts.append(layout.footer)
    members.append(_member(layout.footer))
    downloads = [_write(path, parts)]
    if layout.compress:
        downloads.append(_write(path.with_name(path.name + ".gz"), members))
    return downloads


def _write(path: Path, parts: list[bytes]) -> Download:
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for part in parts:
            out.write(part)
            digest.update(part)
            size += len(part)
    return Download(path.name, media_type(path), size, digest.hexdigest(), path.suffix == ".gz")
