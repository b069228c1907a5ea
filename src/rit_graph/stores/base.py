"""What every store is: a Backend that answers on the command line and starts a Runner for the server."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from rit_graph.errors import EXIT_INPUT, RitGraphError
from rit_graph.query.sparql import Answer, CheckedQuery, Limits, Request


class StoreOptionError(RitGraphError):
    """A --store value that names no usable store; fixed by the user, like bad input."""

    exit_code = EXIT_INPUT


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


class Runner(ABC):
    """Answers the server's queries; started in the app's lifespan, closed with it.

    CLIENT, the address a request came from, is what the runner shares its
    capacity by.
    """

    @abstractmethod
    async def answer(self, request: Request, client: str) -> Answer: ...

    @abstractmethod
    async def prove_closed(self, query: CheckedQuery, client: str) -> CheckedQuery:
        """QUERY once its parse shows no SERVICE (``querycheck.prove_closed``), in a process under the query limits."""

    @abstractmethod
    async def aclose(self) -> None: ...


class Backend(ABC):
    """A store queries are evaluated on."""

    #: True when the data cannot change while the server runs, so that its answers may be repeated
    #: from the ResultCache; an external store can be changed behind the server's back.
    fixed_data: ClassVar[bool] = False

    @abstractmethod
    def describe(self) -> str:
        """One line for the operator: which store, and for a store on disk whether it was reloaded."""

    @abstractmethod
    def graph_names(self) -> list[str]:
        """The named graphs a query sees, for the service description."""

    @abstractmethod
    def answer(self, request: Request) -> Answer:
        """Answer REQUEST in this process (the command line has no time limit of its own)."""

    @abstractmethod
    def table(self, query: CheckedQuery, base_iri: str | None) -> str:
        """A SELECT or ASK result as a table for people."""

    @abstractmethod
    def start(self, limits: Limits) -> Runner:
        """What answers the server's queries under LIMITS."""

    def check(self) -> None:  # noqa: B027 - a default, not a duty: the embedded stores always can answer
        """Raise StoreError if the store cannot answer; the embedded stores always can."""

    def close(self) -> None:  # noqa: B027 - a default, not a duty: only a store on disk holds anything
        """Let go of what the store holds in this process (a store on disk: its lock)."""
