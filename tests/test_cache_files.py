"""Files kept in the cache (the site's pages, the search shards): linked, not copied, whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from rit_graph.runtime.cache import Cache

KEY = "ab" + "0" * 62


def written(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def test_a_kept_file_is_a_link_to_the_written_one_and_taken_back_whole(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    page = written(tmp_path, "page.html", b"<p>Kitakyushu</p>")
    cache.keep_file(KEY, ".site", page)
    kept = tmp_path / "cache" / KEY[:2] / (KEY + ".site")
    assert os.path.samefile(kept, page)
    assert cache.take_file(KEY, ".site", tmp_path / "again.html")
    assert (tmp_path / "again.html").read_bytes() == b"<p>Kitakyushu</p>"


def test_keeping_a_file_under_a_key_already_kept_replaces_it_whole(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.keep_file(KEY, ".site", written(tmp_path, "old.html", b"old"))
    cache.keep_file(KEY, ".site", written(tmp_path, "new.html", b"new"))
    assert cache.take_file(KEY, ".site", tmp_path / "taken.html")
    assert (tmp_path / "taken.html").read_bytes() == b"new"
    assert not [p for p in (tmp_path / "cache" / KEY[:2]).iterdir() if p.name.startswith(".")], "a temporary left"


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    """A file where the key's folder should be: nothing can be kept there, whoever runs the build."""
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / KEY[:2]).write_bytes(b"in the way")
    cache = Cache(folder)
    cache.keep_file(KEY, ".site", written(tmp_path, "page.html", b"x"))
    assert cache.counts["unwritable"] == 1
