"""What a finding suggests instead: the nearest term or resource ("did you mean"), the passage a misquote misses.

SHACL finds a misspelt class, property or resource and a quote the source
does not contain, but cannot say what was meant: an edit distance or a
search of the source text is not SPARQL. The report adds both when it puts
a finding in words (``validate``); the constraints stay in the shapes,
whose ``shape:suggest`` says which kind of term a constraint's findings are
to be compared with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from rit_graph.rdf.namespaces import OWL, RDF, RDFS

SH = "http://www.w3.org/ns/shacl#"
#: The kinds of term ``shape:suggest`` names.
CLASS, PROPERTY, TERM = OWL + "Class", RDF + "Property", OWL + "Thing"
CHECKED_CLASS, RESOURCE = SH + "NodeShape", SH + "IRI"
#: The kinds that replace a finding's property (its path); the others replace its value.
REPLACING_THE_PATH = frozenset({PROPERTY})
_CLASS_TYPES = {CLASS, RDFS + "Class"}
_PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", PROPERTY}
#: A quote must share at least this many characters with the source for a passage to be shown.
NEAR_ENOUGH = 8
#: Characters of the shared passage and of each side of the difference shown at most.
SHOWN = 60


def edit_distance(a: str, b: str) -> int:
    """The number of characters to insert, delete or replace to make A into B (Levenshtein)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def nearest(wrong: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to WRONG, if it is near enough to be what was meant.

    Near enough: at most a third of WRONG's length apart (at least two
    edits), ignoring case; "EventStatus" is not a misspelt "State".
    """
    best = min(
        ((edit_distance(wrong.casefold(), c.casefold()), edit_distance(wrong, c), c) for c in candidates), default=None
    )
    return best[2] if best is not None and best[0] <= max(2, len(wrong) // 3) else None


def _local(iri: str) -> str:
    """What follows the last '#' or '/' of IRI: the part a person spells."""
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1 :]


@dataclass
class Terms:
    """The terms a finding's "did you mean" is chosen from, by kind."""

    #: The ontology's namespace and the project's base IRI.
    vocabulary: str
    base: str
    #: Terms of the ontology, by kind (``CLASS``, ``PROPERTY``, ``TERM``, ``CHECKED_CLASS``).
    kinds: dict[str, list[str]]
    #: The IRIs the data gives a class, read only if a finding needs them.
    described: Callable[[], Iterable[str]] = field(repr=False)

    @classmethod
    def of(
        cls,
        base: str,
        vocabulary: str,
        ontology: list[ox.Triple],
        checked: Iterable[str],
        described: Callable[[], Iterable[str]],
    ) -> Terms:
        """The terms of ONTOLOGY (namespace VOCABULARY); CHECKED are the classes shapes target."""
        types: dict[str, set[str]] = {}
        parents: dict[str, set[str]] = {}
        for t in ontology:
            if not (isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)):
                continue
            if t.subject.value.startswith(vocabulary) and t.predicate.value == RDF + "type":
                types.setdefault(t.subject.value, set()).add(t.object.value)
            elif t.subject.value.startswith(vocabulary) and t.predicate.value == RDFS + "subClassOf":
                parents.setdefault(t.subject.value, set()).add(t.object.value)
        classes = sorted(term for term, kinds in types.items() if kinds & _CLASS_TYPES)
        targeted = set(checked)

        def is_checked(term: str, seen: frozenset[str] = frozenset()) -> bool:
            return term in targeted or any(is_checked(p, seen | {term}) for p in parents.get(term, set()) - seen)

        return cls(
            vocabulary,
            base,
            {
                CLASS: classes,
                PROPERTY: sorted(term for term, kinds in types.items() if kinds & _PROPERTY_TYPES),
                TERM: sorted(types),
                CHECKED_CLASS: [c for c in classes if is_checked(c)],
            },
            described,
        )

    def suggest(self, kind: str, wrong: str) -> str | None:
        """The IRI of the term of KIND nearest to the IRI WRONG, if one is near enough."""
        if kind == RESOURCE:
            return self._resource(wrong)
        spelt = wrong[len(self.vocabulary) :] if wrong.startswith(self.vocabulary) else _local(wrong)
        by_name = {term[len(self.vocabulary) :]: term for term in self.kinds.get(kind, ())}
        found = nearest(spelt, by_name)
        return None if found is None or by_name[found] == wrong else by_name[found]

    def _resource(self, wrong: str) -> str | None:
        """The described resource nearest to WRONG among those of its kind (the same id/KIND/)."""
        ids = self.base + "id/"
        kind, slash, name = wrong[len(ids) :].partition("/")
        if not wrong.startswith(ids) or not slash:
            return None
        folder = ids + kind + "/"
        found = nearest(name, (r[len(folder) :] for r in self.described() if r.startswith(folder)))
        return None if found is None else folder + found


def misquote(text: str, quote: str) -> str | None:
    """Where QUOTE parts from the passage of TEXT nearest to it, in words; None if no passage is near.

    The nearest passage is the one sharing the longest beginning or end with
    the quote, found by halving (``str.find`` on the source is fast), so a source of
    10,000 characters and a hundred misquotes take milliseconds.
    """
    if not quote or quote in text:
        return None
    start, start_at = _longest(len(quote), lambda n: text.find(quote[:n]))
    end, end_at = _longest(len(quote), lambda n: text.find(quote[len(quote) - n :]))
    if max(start, end) < min(NEAR_ENOUGH, len(quote) // 2 or 1):
        return None
    if start >= end:  # the quote's beginning is in the source: they part after it
        here, there = start, start_at + start
        passage = _shown_end(quote[:start]) + " …"
        ours, theirs = _forward(quote, here), _forward(text, there)
    else:  # its end is: they part before it
        here, there = len(quote) - end - 1, end_at - 1
        passage = "… " + _shown_start(quote[here + 1 :])
        # Where the source begins with the quote's end, its first word is what differs.
        ours, theirs = _backward(quote, here), _backward(text, there) if there >= 0 else text[: _word_end(text, 0)]
    return (
        f"{json.dumps(passage, ensure_ascii=False)} differs from the source at character {here + 1} "
        f"(character {max(there, 0) + 1:,} of source.txt): quote has {json.dumps(ours, ensure_ascii=False)}, "
        f"source has {json.dumps(theirs, ensure_ascii=False)}"
    )


def _longest(limit: int, position: Callable[[int], int]) -> tuple[int, int]:
    """The largest n up to LIMIT whose POSITION(n) is found (not -1), and that position.

    Whether a quote's first n characters occur in a text only gets less
    likely as n grows, so halving finds the largest.
    """
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if position(middle) >= 0:
            low = middle
        else:
            high = middle - 1
    return low, position(low)


def _shown_end(shared: str) -> str:
    """The quote's beginning SHARED with the source, as shown: whole words, its last SHOWN characters at most."""
    words = shared[: _word_start(shared, len(shared))] if shared and not shared[-1].isspace() else shared
    words = words if words.strip() else shared
    shown = words.rstrip()[-SHOWN:]
    whole = shown if len(shown) == len(words.rstrip()) else shown[_word_end(shown, 0) :]
    return ("" if whole == words.rstrip() else "…") + whole.strip()


def _shown_start(shared: str) -> str:
    """The quote's end SHARED with the source, as shown: whole words, its first SHOWN characters at most."""
    words = shared[_word_end(shared, 0) :] if shared and not shared[0].isspace() else shared
    words = words if words.strip() else shared
    shown = words.lstrip()[:SHOWN]
    whole = shown if len(shown) == len(words.lstrip()) else shown[: _word_start(shown, len(shown))]
    return whole.strip() + ("" if whole == words.lstrip() else "…")


def _word_start(text: str, i: int) -> int:
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


def _forward(text: str, i: int) -> str:
    """The words of TEXT around I, where it parts from the other text: the word before and the one at I."""
    begin = i
    while begin > 0 and text[begin - 1].isspace():
        begin -= 1
    begin = _word_start(text, begin if begin < i else i)
    return text[begin : _word_end(text, min(i + 1, len(text)))][:SHOWN]


def _backward(text: str, i: int) -> str:
    """The words of TEXT around I, where it parts from the other text read from the end: the word at I and the next."""
    end = i + 1
    while end < len(text) and text[end].isspace():
        end += 1
    end = _word_end(text, end if end > i + 1 else i)
    return text[_word_start(text, i) : end][-SHOWN:]
