"""The site's icon: an SVG for browsers that take one, and the same drawing as ``favicon.ico`` for those that
ask for that path whatever the page says.

The ICO is drawn here, pixel by pixel, from the same shapes as the SVG, so that it is made the same on every
build without an image library or a binary file in the repository: a 32×32 PNG inside an ICO container.
"""

from __future__ import annotations

import functools
import math
import struct
import zlib
from collections.abc import Callable, Mapping
from types import MappingProxyType

#: The icon's size in pixels and its colours: the pages' accent on which a small graph is drawn in white.
SIZE = 32
ACCENT = (0x0B, 0x5C, 0xAD)
#: The graph: three nodes, each joined to the others.
NODES = ((16.0, 8.5), (8.0, 22.5), (24.0, 22.5))
NODE_RADIUS = 4.0
EDGE_WIDTH = 2.5
CORNER = 6.0

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    f'<rect width="32" height="32" rx="{CORNER:g}" fill="#{bytes(ACCENT).hex()}"/>'
    f'<g stroke="#fff" stroke-width="{EDGE_WIDTH:g}">'
    + "".join(
        f'<line x1="{a[0]:g}" y1="{a[1]:g}" x2="{b[0]:g}" y2="{b[1]:g}"/>'
        for i, a in enumerate(NODES)
        for b in NODES[i + 1 :]
    )
    + '</g><g fill="#fff">'
    + "".join(f'<circle cx="{x:g}" cy="{y:g}" r="{NODE_RADIUS:g}"/>' for x, y in NODES)
    + "</g></svg>\n"
)


def _inside_background(x: float, y: float) -> bool:
    """Whether (X, Y) lies in the rounded square."""
    cx = min(max(x, CORNER), SIZE - CORNER)
    cy = min(max(y, CORNER), SIZE - CORNER)
    return math.hypot(x - cx, y - cy) <= CORNER


def _on_graph(x: float, y: float) -> bool:
    """Whether (X, Y) lies on a node or an edge of the graph."""
    if any(math.hypot(x - nx, y - ny) <= NODE_RADIUS for nx, ny in NODES):
        return True
    for i, (ax, ay) in enumerate(NODES):
        for bx, by in NODES[i + 1 :]:
            dx, dy = bx - ax, by - ay
            t = min(max(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0), 1.0)
            if math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= EDGE_WIDTH / 2:
                return True
    return False


def _pixels(samples: int = 4) -> bytes:
    """The icon as rows of RGBA pixels, each the average of SAMPLES × SAMPLES points, so edges are smooth."""
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)  # PNG filter type: none
        for px in range(SIZE):
            red = green = blue = alpha = 0
            for sy in range(samples):
                for sx in range(samples):
                    x, y = px + (sx + 0.5) / samples, py + (sy + 0.5) / samples
                    if not _inside_background(x, y):
                        continue
                    colour = (255, 255, 255) if _on_graph(x, y) else ACCENT
                    red, green, blue, alpha = red + colour[0], green + colour[1], blue + colour[2], alpha + 1
            n = samples * samples
            rows += bytes((red // alpha, green // alpha, blue // alpha, 255 * alpha // n)) if alpha else bytes(4)
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """The icon as a PNG: 32×32, 8-bit RGBA."""
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(_pixels(), 9))
        + _chunk(b"IEND", b"")
    )


@functools.cache
def ico() -> bytes:
    """The icon as ``favicon.ico``: an ICO holding one PNG image (which every browser of the last decade reads);
    drawn once per process, where it is first asked for (a worker writing the site's files, say)."""
    image = png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), len(directory) + 16)
    return directory + entry + image


def svg() -> bytes:
    return SVG.encode("utf-8")


#: What the site writes and the server answers, by file name: media type, and what gives the bytes.
MADE: Mapping[str, tuple[str, Callable[[], bytes]]] = MappingProxyType(
    {"favicon.svg": ("image/svg+xml", svg), "favicon.ico": ("image/x-icon", ico)}
)
