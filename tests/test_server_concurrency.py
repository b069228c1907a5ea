"""A freshly started endpoint answers concurrent first queries, and every query after them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from live_server import live_server

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_first_queries_do_not_break_the_query_check() -> None:
    # rdflib's parser (pyparsing) learns each parse action's arity on its first call; two threads
    # doing that at once used to leave it wrong for good, so that every later query got a 500.
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "queries").glob("*.rq"))]
    with live_server("--project", str(ROOT)) as server:

        def status(text: str) -> int:
            headers = {"Content-Type": "application/sparql-query"}
            return httpx.post(server.url, content=text, headers=headers, timeout=60).status_code

        with ThreadPoolExecutor(8) as pool:
            first = list(pool.map(status, texts * 2))
        later = [status(text) for text in texts]
        assert first == [200] * len(first), server.log.read_text()[-2000:]
        assert later == [200] * len(later)
