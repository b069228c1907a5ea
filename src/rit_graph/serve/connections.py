"""What one connection may cost the server before the app sees a request: bytes of head, and seconds.

uvicorn's httptools protocol buffers a request line and headers of any size
and waits for them for ever, and a response that its client does not read
stays in the server's memory for good. This protocol, otherwise uvicorn's,
answers 414 to a URL over ``Limits.max_url_bytes``, 431 to headers over
``Limits.max_header_bytes``, 408 to a head that has not arrived within
``Limits.read_timeout``, and closes a connection whose client has not read
its response for ``Limits.send_timeout``.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from rit_graph.query.sparql import Limits

#: What a request line holds besides its URL: a method, two spaces and the HTTP version, at most.
_METHOD_AND_VERSION = 32


def guarded_protocol(limits: Limits) -> type[HttpToolsProtocol]:
    """uvicorn's HTTP protocol class bounded by LIMITS (give it to uvicorn as ``http=``)."""

    class Guarded(_GuardedProtocol):
        pass

    Guarded.limits = limits
    return Guarded


class _GuardedProtocol(HttpToolsProtocol):
    limits: Limits

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._reading_head = True
        #: Bytes of the request line seen so far, and whether its end was seen.
        self._line_bytes = 0
        self._line_ended = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        limits = self.limits
        if self._reading_head:
            self._head_bytes += len(data)
            if not self._line_ended:
                # Checked before parsing: a request line that arrives whole is parsed at once, and uvicorn
                # would answer a URL too long for its parser with 400 before the check after parsing.
                end = data.find(b"\n")
                self._line_ended = end != -1
                self._line_bytes += end if self._line_ended else len(data)
                if self._line_bytes > limits.max_url_bytes + _METHOD_AND_VERSION:
                    self._refuse(414, f"The URL is longer than {limits.max_url_bytes} bytes; POST long queries.")
                    return
        super().data_received(data)
        if not self._reading_head or self.transport.is_closing():
            return
        if len(getattr(self, "url", b"")) > limits.max_url_bytes:
            self._refuse(414, f"The URL is longer than {limits.max_url_bytes} bytes; POST long queries.")
        elif self._head_bytes > limits.max_url_bytes + limits.max_header_bytes:
            self._refuse(431, f"The request headers are larger than {limits.max_header_bytes} bytes.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._head_bytes = self._line_bytes = 0
        self._line_ended = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_headers_complete()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.limits.send_timeout, self._drop)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _drop(self) -> None:
        """Reset the connection of a client that stopped reading: the kernel's send buffer (megabytes on
        loopback) is dropped with it, where a close would go on sending it."""
        self._send_timer = None
        connection = self.transport.get_extra_info("socket")
        if connection is not None:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def _start_head(self) -> None:
        self._reading_head = True
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits.read_timeout, self._head_too_slow)

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._reading_head and not self.transport.is_closing():
            self._refuse(408, f"The request head did not arrive within {self.limits.read_timeout:g} s.")

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode("ascii")
        reason = {408: "Request Timeout", 414: "URI Too Long", 431: "Request Header Fields Too Large"}[status]
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode("ascii")
            + body
        )
        self.transport.close()
        self._cancel_timers()

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._send_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._send_timer = None
