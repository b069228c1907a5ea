"""Start an announcement (``new``) and propose its facts from its text (``draft``), in the authoring form.

The draft proposes what rules can find and a person must confirm: the known
resources each sentence names (matched against the labels of the reference
data and of the other announcements, in every language, whatever the
German ending), dates and periods, money, distances and counts, each with the
sentence that states it as its quote. What needs a decision (the class of a
new resource, its relation to the rest) is a ``TODO`` comment; names that
match nothing are listed as candidates for new resources.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from rit_graph.corpus import german
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.project import SOURCE_TEXT, Project
from rit_graph.errors import InputError
from rit_graph.rdf.namespaces import RDFS, SKOS
from rit_graph.rdf.reading import read_text

ANNOUNCEMENT_FILE = "announcement.ttl"
#: Labels shorter than this match too much by chance ("BW", "EU" are matched as parts of longer ones).
_SHORTEST_LABEL = 3
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
#: The kinds of resource (id/KIND/…) a draft names with a prefix: those it makes itself and the common ones.
KINDS = ("count", "distance", "event", "indicator", "organisation", "place", "programme")


@dataclass(frozen=True)
class Mention:
    """A known resource a sentence names, by the words it names it with."""

    iri: str
    words: str
    #: Where the words are in the sentence (code points).
    start: int
    end: int


def new(project: Project, name: str, source: Path) -> Path:
    """data/announcements/NAME/ with SOURCE's text (NFC) as source.txt and a skeleton announcement.ttl."""
    if not _NAME.fullmatch(name):
        raise InputError(name, "not a name for an announcement folder", "use lower-case letters, digits and hyphens")
    folder = project.root / "data" / "announcements" / name
    if folder.exists():
        raise InputError(folder, "the announcement exists already", "choose another name, or edit the one there")
    text = unicodedata.normalize("NFC", read_text(source))
    if not text.strip():
        raise InputError(source, "the source text is empty", "copy the announcement's text into the file")
    folder.mkdir(parents=True)
    (folder / SOURCE_TEXT).write_text(text, encoding="utf-8")
    (folder / ANNOUNCEMENT_FILE).write_text(skeleton(project, name, text), encoding="utf-8")
    return folder


def skeleton(project: Project, name: str, text: str) -> str:
    """The announcement with its headline (the text's first line) and nothing else: what ``new`` writes."""
    _, announcement = _announcement(name, german.sentences(text))
    lines = [*announcement, f"# TODO: the facts of the text; `rit-graph draft {name}`"]
    return _head(name) + "\n".join(lines) + " proposes them.\n"


def _announcement(name: str, sentences: list[german.Span]) -> tuple[int, list[str]]:
    """The announcement with its headline, quoted as its sentence (the first line that is a title, not a
    web page's "Sie sind hier:"), and its language, inferred; and the number of that sentence."""
    n, headline = next(((n, s.text) for n, s in enumerate(sentences, 1) if not s.text.endswith(":")), (1, ""))
    language, other, because = _LANGUAGES[german.is_japanese(" ".join(s.text for s in sentences))]
    return n, [
        f"ann:{name} a rit:Announcement ;",
        f"    rdfs:label {_string(headline)}@{language} ;  # TODO: {other}",
        f"    rit:headline {_string(headline)}@{language} ~ q:s{n} {{| rit:quote {_string(headline)} |}} ;",
        f'    rit:inLanguage "{language}"^^xsd:language {{| rit:because {because} |}} ~ q:s{n} .',
        "",
    ]


#: By whether the text is Japanese: its language, the labels to add, and why the language is what it is.
_LANGUAGES = {
    False: (
        "de",
        "an English label",
        '"Der Text ist deutsch; er sagt es nicht selbst."@de , "The text is German; it does not say so itself."@en',
    ),
    True: (
        "ja",
        "a German and an English label",
        '"本文は日本語であり、そのことを本文自体は述べていない。"@ja , '
        '"The text is Japanese; it does not say so itself."@en',
    ),
}


def write_draft(corpus: Corpus, name: str, force: bool = False) -> Path:
    """Write the draft of announcement NAME as its announcement.ttl, unless that holds an editor's work
    (anything but the skeleton ``new`` wrote) and not FORCE."""
    folder = corpus.project.root / "data" / "announcements" / name
    if not (folder / SOURCE_TEXT).is_file():
        raise InputError(folder / SOURCE_TEXT, "no source text to draft from", f"start with rit-graph new {name}")
    path = folder / ANNOUNCEMENT_FILE
    text = unicodedata.normalize("NFC", read_text(folder / SOURCE_TEXT))
    if path.exists() and not force and path.read_text(encoding="utf-8") != skeleton(corpus.project, name, text):
        raise InputError(path, "holds edits that a draft would replace", "use --stdout to see the draft, or --force")
    proposed = draft(corpus, name)
    staged = path.with_name(f".{path.name}.draft")
    staged.write_text(proposed, encoding="utf-8")
    staged.replace(path)
    return path


def draft(corpus: Corpus, name: str) -> str:
    """The proposed facts of announcement NAME of CORPUS, from its source text, in the authoring form."""
    project = corpus.project
    folder = project.root / "data" / "announcements" / name
    text = unicodedata.normalize("NFC", read_text(folder / SOURCE_TEXT))
    labels = _labels(corpus, ox.NamedNode(project.graph_iri("announcement", name)))
    sentences = german.sentences(text)
    headline, announcement = _announcement(name, sentences)
    lines = [_head(name).rstrip("\n"), "", *announcement]
    quoted = {headline}
    named = [_mentions(sentence.text, labels) for sentence in sentences]
    names = {"ann", "q", "rit", "rdfs", "xsd", *(_prefix(project, m.iri)[0] for found in named for m in found)}
    unknown: dict[str, None] = {}
    # Dates and amounts are found in the whole text: a month takes its year from sentences before it.
    all_dates, all_amounts = german.dates(text), german.amounts(text)
    for n, (sentence, mentions) in enumerate(zip(sentences, named, strict=True), start=1):
        found_dates = [d for d in all_dates if sentence.start <= d.words.start < sentence.end]
        found_amounts = [a for a in all_amounts if sentence.start <= a.words.start < sentence.end]
        unknown |= dict.fromkeys(_candidates(sentence.text, mentions, labels))
        if not (mentions or found_dates or found_amounts):
            continue
        quote = _quote(n, sentence.text, quoted)
        lines.append(f"# {n}: {_comment(sentence.text)}")
        for mention in mentions:
            lines.append(f"ann:{name} rit:mentions {_curie(project, mention.iri)} {quote} .  # „{mention.words}“")
            quote = f"~ q:s{n}"
        for k, date in enumerate(found_dates, start=1):
            event = f"event:{name}-{n}-{k}"
            names.add("event")
            because = f" {{| rit:because {_string(date.inferred)}@de |}}" if date.inferred else ""
            lines.append(f"# TODO: „{date.words.text}“: the class of {event} (an event?), its label and what it is")
            lines.append(f"ann:{name} rit:mentions {event} {quote} .")
            quote = f"~ q:s{n}"
            lines.append(f"{event} rit:startDate {_date(date.start)}{because} {quote} .")
            if date.end:
                lines.append(f"{event} rit:endDate {_date(date.end)}{because} {quote} .")
        for k, amount in enumerate(found_amounts, start=1):
            lines += _amount(name, n, k, amount, quote, labels)
            names |= {"indicator", "distance", "count"} & {_kind(amount)}
            quote = f"~ q:s{n}"
        lines.append("")
    if unknown:
        lines.append("# TODO: names that match no known resource; describe each new one in data/reference/:")
        lines += [f"#   {word}" for word in unknown]
    head = [line for line in lines[0].split("\n") if not line.startswith("@prefix") or line.split()[1][:-1] in names]
    return "\n".join(head + lines[1:]) + "\n"


def _quote(n: int, sentence: str, quoted: set[int]) -> str:
    """The annotation of a fact of sentence N: named, with its words the first time."""
    if n in quoted:
        return f"~ q:s{n}"
    quoted.add(n)
    return f"~ q:s{n} {{| rit:quote {_string(sentence)} |}}"


def _amount(
    name: str,
    n: int,
    k: int,
    amount: german.Amount,
    quote: str,
    labels: dict[str, list[tuple[tuple[set[str], ...], str, str]]],
) -> list[str]:
    kind = _kind(amount)
    node = f"{kind}:{name}-{n}-{k}"
    lines = [f"# TODO: „{amount.words.text}“: what {node} measures, and what it belongs to"]
    lines.append(f"{node} rit:amount {amount.value} {quote} .")
    quote = f"~ q:s{n}"
    if amount.approximate:
        lines.append(f"{node} rit:approximate true {quote} .")
    if amount.kind == "money":
        lines.append(f'{node} rit:currency "{amount.unit}" {quote} .')
    elif amount.kind == "distance":
        lines.append(f'{node} rit:unitCode "{amount.unit}" {quote} .')
        if amount.direction:
            lines.append(f"{node} rit:direction {_string(amount.direction)}@de {quote} .")
        origins = _mentions(amount.origin or "", labels)
        if origins:
            lines.append(f"{node} rit:from <{origins[0].iri}> {quote} .")
    else:
        lines.append(f"{node} a rit:Quantity {quote} .")
        lines.append(f"{node} rit:unitText {_string(amount.unit)}@de {quote} .")
        lines.append(f"# TODO: what has {node} as its rit:count (the partnership, the event …)")
    return lines


def _kind(amount: german.Amount) -> str:
    return {"money": "indicator", "distance": "distance"}.get(amount.kind, "count")


def _labels(corpus: Corpus, drafted: ox.NamedNode) -> dict[str, list[tuple[tuple[set[str], ...], str, str]]]:
    """Every label of a resource under the project's id/ outside the DRAFTED announcement's own graph (a
    draft knows what the others said), as the forms of its words, indexed by the forms of its first
    word: {form: [(forms of each word, IRI, label)]}."""
    ids = corpus.project.base_iri + "id/"
    label_predicates = {RDFS + "label", SKOS + "altLabel"}
    index: dict[str, list[tuple[tuple[set[str], ...], str, str]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for q in corpus.quads:
        subject, label = q.subject, q.object
        if (
            q.graph_name != drafted
            and q.predicate.value in label_predicates
            and isinstance(subject, ox.NamedNode)
            and subject.value.startswith(ids)
            and isinstance(label, ox.Literal)
            and len(label.value) >= _SHORTEST_LABEL
            and (subject.value, label.value) not in seen
        ):
            seen.add((subject.value, label.value))
            word_forms = tuple(german.forms(w.text) for w in german.words(label.value))
            if word_forms:
                for form in word_forms[0]:
                    index[form].append((word_forms, subject.value, label.value))
    return index


def _mentions(sentence: str, labels: dict[str, list[tuple[tuple[set[str], ...], str, str]]]) -> list[Mention]:
    """The known resources SENTENCE names, longest label first where two overlap, in order of the text."""
    words = german.words(sentence)
    forms = [german.forms(w.text) for w in words]
    found: list[tuple[int, int, str]] = []
    for i, word_forms in enumerate(forms):
        for form in word_forms:
            for label, iri, _ in labels.get(form, []):
                end = i + len(label)
                if end <= len(words) and all(label[j] & forms[i + j] for j in range(len(label))):
                    found.append((i, end, iri))
    kept: dict[str, Mention] = {}
    taken: list[tuple[int, int]] = []
    for start, end, iri in sorted(set(found), key=lambda f: (f[0] - f[1], f[0])):
        if any(start < e and s < end for s, e in taken) and not any((start, end) == t for t in taken):
            continue
        taken.append((start, end))
        first, last = words[start].start, words[end - 1].end
        kept.setdefault(iri, Mention(iri, sentence[first:last], first, last))
    return sorted(kept.values(), key=lambda m: (m.start, m.iri))


def _candidates(
    sentence: str, mentions: list[Mention], labels: dict[str, list[tuple[tuple[set[str], ...], str, str]]]
) -> list[str]:
    """Words that look like names and start no known label: acronyms, words with capitals or digits
    inside, capitalised words after a word such as "Stadt" or "Präfektur", and in Japanese words in katakana."""
    found = []
    words = german.words(sentence)
    for i, word in enumerate(words):
        text = word.text
        after_cue = i > 0 and words[i - 1].text.lower() in _CUES and text[0].isupper()
        odd = bool(re.search(r"[A-ZÄÖÜ]{2,}|[a-zäöüß][A-ZÄÖÜ]|\d", text)) and not text.isdigit()
        known = any(m.start <= word.start < m.end for m in mentions) or any(f in labels for f in german.forms(text))
        if (after_cue or odd) and not known and not re.fullmatch(r"\d+\.?", text):
            found.append(text)
    for name in re.finditer(r"[\u30a1-\u30fa\u30fc・＝]{3,}", sentence):  # a foreign name in Japanese: katakana
        if not any(m.start < name.end() and name.start() < m.end for m in mentions):
            found.append(name.group())
    return found


_CUES = {
    "stadt",
    "präfektur",
    "region",
    "provinz",
    "firma",
    "unternehmen",
    "konzern",
    "cluster",
    "messe",
    "herr",
    "frau",
}


def _head(name: str) -> str:
    names = {
        "rit": "ontology#",
        "ann": "id/announcement/",
        "q": f"id/announcement/{name}/quote/",
        **{kind: f"id/{kind}/" for kind in KINDS},
        "rdfs": RDFS,
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    return (
        f"# Announcement {name}: its text is {SOURCE_TEXT} beside this file. Each fact is written once, with the\n"
        '# words that state it: ~ q:NAME {| rit:quote "…" |} (README, "Adding the next announcement").\n'
        + "".join(f"@prefix {p + ':':<12} <{iri}> .\n" for p, iri in names.items())
        + "\n"
    )


def _prefix(project: Project, iri: str) -> tuple[str, str]:
    ids = project.base_iri + "id/"
    kind, _, local = iri.removeprefix(ids).partition("/")
    return kind, local


def _curie(project: Project, iri: str) -> str:
    kind, local = _prefix(project, iri)
    if iri.startswith(project.base_iri + "id/") and re.fullmatch(r"[\w-]+", local) and kind in KINDS:
        return f"{kind}:{local}"
    return f"<{iri}>"


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _comment(sentence: str) -> str:
    return sentence if len(sentence) <= 100 else sentence[:99] + "…"


def _date(value: str) -> str:
    datatype = {10: "date", 7: "gYearMonth", 4: "gYear"}[len(value)]
    return f'"{value}"^^xsd:{datatype}'
