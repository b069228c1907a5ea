"""Any Unicode text in labels and quotes comes out of every output unchanged, and pages only ever show it.

Each example writes generated texts into a small project, as an author
would: the minimal project of tests/projects.py (MINI) plus a city with labels in German,
English and Japanese, a partnership with it, and an announcement whose source
text is a generated quote. It loads the project and reads every output back
with an independent parser: pyoxigraph and pyld (with the shipped contexts,
never a remote one) for the dumps and each page's data, rdflib's XML parser
for RDF/XML, and extruct and html5lib (the HTML standard's parsing algorithm,
as browsers run it) for the pages and their schema.org blocks.

The texts are sequences of Unicode scalar values. Lone surrogates are left
out: they are not characters, UTF-8 cannot encode them, and RDF's parsers
refuse them. U+0000 and the other characters XML 1.0 cannot carry (most C0
controls, U+FFFE, U+FFFF) are left out of the texts that must come through:
RDF's syntaxes can write them, but no RDF/XML page, SPARQL XML result or XML
parser could carry them, so rit-graph refuses them as input (the last test).

The examples are the same on every run (the profile in conftest.py), so a
red run is reproducible; HYPOTHESIS_PROFILE=explore tries new ones.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import extruct
import html5lib
import pyoxigraph as ox
import pytest
import rdflib
from helpers import assert_as_pyld
from hypothesis import example, given, settings
from hypothesis import strategies as st
from projects import MINI, copy_project
from pyld import jsonld as pyld

from rit_graph import schemaorg
from rit_graph.corpus.anchor import CONTEXT
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.errors import EXIT_INPUT, InputError
from rit_graph.output.build import SCHEMAORG_DUMP, write_dumps
from rit_graph.output.site import PAGE_LANGUAGES, Site, schema_org_blocks
from rit_graph.rdf import jsonld
from rit_graph.rdf.formats import BY_NAME

BASE = "https://example.org/kb/"
PLACE = BASE + "id/place/generated"
PARTNERSHIP = BASE + "id/partnership/generated"
ANNOUNCEMENT = BASE + "id/announcement/generated"
QUOTE = ANNOUNCEMENT + "/quote/mention"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")
TEXT = ox.NamedNode(BASE + "ontology#text")
SCHEMA_NAME = ox.NamedNode("http://schema.org/name")
SCHEMA_TEXT = ox.NamedNode("http://schema.org/text")
#: The language of the generated announcement, and so of its text (rit:text).
TEXT_LANGUAGE = "ja"

# Texts ---------------------------------------------------------------------------

#: Pieces that mean something to one of the syntaxes a text passes through.
SYNTAX = (
    '"',
    "'",
    "\\",
    '"""',
    "\r\n",
    "\r",
    "\n",
    "\t",
    "</script>",
    "</SCRIPT ",
    "<script>",
    "<!--",
    "-->",
    "]]>",
    "<![CDATA[",
    "&amp;",
    "&",
    "&#0;",
    "<b onmouseover=x>",
    "{{ x }}",
    "{% if x %}",
    "@id",
    "@value",
    "_:b0",
    "<>",
    "\\u0041",
    "\\u0000",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\x7f",
    "\x85",
    "\x80",
    "\x9f",
    "\ufffd",
)
#: Scripts, directions and marks that stress the handling of Unicode.
SCRIPTS = (
    "北九州市",
    "ジェトロ",
    "Baden-Württemberg",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u202e",
    "\u200f",
    "\u200d",
    "e\u0301",
    "\u0308",
    "\U0001f600",
    "\U0001f1ef\U0001f1f5",
    "\U00010348",
    "\U0010ffff",
)
#: The characters XML 1.0 cannot carry, not even as character references: rit-graph refuses them.
NOT_XML = "".join(chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF))


def text() -> st.SearchStrategy[str]:
    """Non-empty texts of any scalar values XML can carry, rich in the pieces above."""
    pieces = SYNTAX + SCRIPTS
    characters = st.characters(exclude_categories=("Cs",), exclude_characters=NOT_XML)
    return st.lists(st.one_of(characters, st.sampled_from(pieces)), min_size=1, max_size=12).map("".join)


@dataclass(frozen=True)
class Texts:
    """The texts of one example: the city's labels, and the quote, which is the whole source text."""

    de: str
    en: str
    ja: str
    quote: str

    def label(self, language: str) -> str:
        return {"de": self.de, "en": self.en, "ja": self.ja}[language]

    def labels(self) -> set[ox.Literal]:
        return {ox.Literal(self.label(lang), language=lang) for lang in PAGE_LANGUAGES}


TEXTS = st.builds(Texts, text(), text(), text(), text())
#: Texts tried first on every run. "\r\n" in a label: RDF/XML wrote CR raw, which XML parsers read as LF.
HOSTILE = Texts(
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>\r\n',
    "<!--<script>]]>{{ 7*7 }}{% raw %}",
    "\\\"'\r\n\u2028\u2029\U0001f600 e\u0301 \u202e\u05e9\u05dc\u05d5\u05dd\x7f\x85",
)
#: The same without what XML cannot carry.
#: A source text that starts with U+FEFF, which a byte order mark must precede, as rit-graph drops one.
LEADING_BOM = Texts("Stadt", "city", "市", "\ufeff")
#: Texts that are plain words: the page each gives is what no other text may change.
PLAIN = Texts("Stadt", "city", "市", "Zitat")


# The project ---------------------------------------------------------------------


def turtle_string(text: str) -> str:
    """TEXT as a Turtle string with only the escapes the grammar requires: everything else stays raw."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


#: The city, on line 7, and a partnership with it; {de}, {en} and {ja} are Turtle strings.
GENERATED_REFERENCE = """\
@prefix rit:   <ontology#> .
@prefix place: <id/place/> .
@prefix orgn:  <id/organisation/> .
@prefix part:  <id/partnership/> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .

place:generated a rit:City ; rdfs:label {de}@de , {en}@en , {ja}@ja ; rit:containedIn place:japan .
part:generated a rit:Partnership ; rdfs:label "Partnerschaft"@de , "Partnership"@en ;
    rit:partnerOrganisation orgn:cluster ; rit:partnerPlace place:generated .
"""

GENERATED_ANNOUNCEMENT = """\
@prefix rit:   <ontology#> .
@prefix ann:   <id/announcement/> .
@prefix q:     <id/announcement/generated/quote/> .
@prefix place: <id/place/> .
@prefix rdf:   <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix oa:    <http://www.w3.org/ns/oa#> .

ann:generated a rit:Announcement ; rdfs:label "Erzeugt"@de , "Generated"@en ;
    rit:inLanguage "{language}"^^xsd:language ; rit:mentions place:generated .

q:mention a oa:Annotation ;
    oa:motivatedBy oa:describing ;
    oa:hasBody [ a rdf:Statement ; rdf:subject ann:generated ; rdf:predicate rit:mentions ;
                 rdf:object place:generated ] ;
    oa:hasTarget [ oa:hasSource ann:generated ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {quote} ] ] .
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project, which each example completes with its texts."""
    return copy_project(MINI, tmp_path_factory.mktemp("properties") / "project")


def write_reference(folder: Path, de: str, en: str, ja: str) -> Path:
    """The city with the labels DE, EN and JA, each written as a Turtle string."""
    path = folder / "data" / "reference" / "generated.ttl"
    path.write_text(GENERATED_REFERENCE.format(de=de, en=en, ja=ja), encoding="utf-8")
    return path


def project_with(folder: Path, texts: Texts, around: tuple[str, str] = ("", "")) -> Corpus:
    """Write TEXTS into the project's files and load it; the source text is the quote, with the two texts
    AROUND it before and after."""
    write_reference(folder, turtle_string(texts.de), turtle_string(texts.en), turtle_string(texts.ja))
    announcement = folder / "data" / "announcements" / "generated"
    announcement.mkdir(exist_ok=True)
    (announcement / "announcement.ttl").write_text(
        GENERATED_ANNOUNCEMENT.format(language=TEXT_LANGUAGE, quote=turtle_string(texts.quote)), encoding="utf-8"
    )
    # The quote is the whole text (unless AROUND says more), so it occurs once and is anchored. newline=""
    # keeps "\r\n" as written; the byte order mark, which rit-graph drops, keeps a U+FEFF that starts the text.
    before, after = around
    (announcement / "source.txt").write_text(before + texts.quote + after, encoding="utf-8-sig", newline="")
    return load(Project.open(folder))


# Reading RDF back ------------------------------------------------------------------


def objects(triples: Iterable[ox.Triple | ox.Quad], predicate: ox.NamedNode, subject: str | None = None) -> set[Any]:
    return {t.object for t in triples if t.predicate == predicate and (subject is None or t.subject.value == subject)}


def assert_texts_held(triples: list[ox.Triple] | list[ox.Quad], texts: Texts, what: str) -> None:
    """TRIPLES hold the labels, the quote and the source text exactly."""
    assert objects(triples, LABEL, PLACE) == texts.labels(), what
    assert ox.Literal(texts.quote) in objects(triples, EXACT), what
    assert objects(triples, TEXT, ANNOUNCEMENT) == {ox.Literal(texts.quote, language=TEXT_LANGUAGE)}, what


def pyld_triples(document: Any) -> list[ox.Triple]:
    """DOCUMENT read by pyld, with the contexts it holds (it refuses remote ones), as pyoxigraph triples."""

    def term(t: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if t["type"] == "IRI":
            return ox.NamedNode(t["value"])
        if t["type"] == "blank node":
            return ox.BlankNode(t["value"][2:])
        if "language" in t:
            return ox.Literal(t["value"], language=t["language"])
        return ox.Literal(t["value"], datatype=ox.NamedNode(t["datatype"]))

    return [
        ox.Triple(term(t["subject"]), term(t["predicate"]), term(t["object"]))  # type: ignore[arg-type]
        for triples in pyld.to_rdf(document, jsonld.OPTIONS).values()
        for t in triples
    ]


# 1. Dumps and data -------------------------------------------------------------------


@settings(deadline=None)
@given(TEXTS)
@example(HOSTILE)
@example(LEADING_BOM)
def test_every_dump_holds_the_texts_unchanged(
    folder: Path, tmp_path_factory: pytest.TempPathFactory, texts: Texts
) -> None:
    run = Run(project_with(folder, texts))
    out = tmp_path_factory.mktemp("dumps")
    write_dumps(run, out, schemaorg.projections(run))
    for name in ("rit-graph.ttl", "rit-graph.nt", "rit-graph.trig", "rit-graph.jsonld"):
        assert_texts_held(list(ox.parse(path=out / name)), texts, f"{name} read by pyoxigraph")
    document = json.loads((out / "rit-graph.jsonld").read_text(encoding="utf-8"))
    document["@context"] = json.loads((out / jsonld.CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]
    assert_texts_held(pyld_triples(document), texts, "rit-graph.jsonld read by pyld with context.jsonld")


@settings(deadline=None)
@given(TEXTS)
@example(HOSTILE)
def test_the_fast_jsonld_compaction_writes_what_pyld_writes(folder: Path, texts: Texts) -> None:
    assert_as_pyld(sorted({q.triple for q in project_with(folder, texts).quads}, key=str))


@settings(deadline=None)
@given(TEXTS)
@example(HOSTILE)
def test_the_data_of_each_page_holds_the_texts_unchanged(folder: Path, texts: Texts) -> None:
    site = Site(project_with(folder, texts))
    for rdf_format in ("turtle", "ntriples", "jsonld"):
        data = site.resource_data(PLACE, rdf_format)
        assert objects(ox.parse(data, BY_NAME[rdf_format].oxigraph), LABEL, PLACE) == texts.labels(), rdf_format
    assert objects(pyld_triples(json.loads(site.resource_data(PLACE, "jsonld"))), LABEL, PLACE) == texts.labels()


@settings(deadline=None)
@given(TEXTS)
@example(HOSTILE)
def test_the_rdf_xml_of_each_page_holds_the_texts_unchanged(folder: Path, texts: Texts) -> None:
    """Read by rdflib, whose XML parser (expat) applies XML's rules to the file."""
    graph = rdflib.Graph().parse(data=Site(project_with(folder, texts)).resource_data(PLACE, "rdfxml"), format="xml")
    labels = graph.objects(rdflib.URIRef(PLACE), rdflib.RDFS.label)
    assert {ox.Literal(str(o), language=o.language) for o in labels} == texts.labels()  # type: ignore[attr-defined]


# 2. schema.org markup ------------------------------------------------------------------


def parse_html(page: str) -> Element:
    return html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)  # type: ignore[no-any-return]


@pytest.mark.slow
@settings(deadline=None)
@given(TEXTS)
@example(HOSTILE)
def test_schema_org_markup_holds_the_texts_and_no_text_ends_its_script_element(
    folder: Path, tmp_path_factory: pytest.TempPathFactory, texts: Texts
) -> None:
    run = Run(project_with(folder, texts))
    out = tmp_path_factory.mktemp("schema-org")
    projection = schemaorg.projections(run)
    write_dumps(run, out, projection)
    document = pyld_triples(json.loads((out / SCHEMAORG_DUMP).read_text(encoding="utf-8")))
    assert objects(document, SCHEMA_NAME, PLACE) == texts.labels()
    assert objects(document, SCHEMA_TEXT, ANNOUNCEMENT) == {ox.Literal(texts.quote, language=TEXT_LANGUAGE)}
    site = Site(run.corpus, schema_org_blocks(projection.facts))
    by_subject = schemaorg.index(projection.facts)
    for lang in PAGE_LANGUAGES:
        block_lang = lang if lang in schemaorg.MARKUP_LANGUAGES else "en"
        markups = {}
        for iri in (PLACE, PARTNERSHIP, ANNOUNCEMENT):
            page = site.resource(iri, lang)
            markups[iri] = schemaorg.markup(schemaorg.subgraph(by_subject, iri), iri, block_lang)
            scripts = list(parse_html(page).iter("script"))
            assert len(scripts) == 1 and json.loads(scripts[0].text or "") == markups[iri], f"{iri} {lang}: html5lib"
            assert extruct.extract(page, syntaxes=["json-ld"])["json-ld"] == [markups[iri]], f"{iri} {lang}: extruct"
        place = objects(pyld_triples(markups[PLACE]), SCHEMA_NAME, PLACE)
        assert place == {ox.Literal(texts.label(block_lang), language=block_lang)}
        announcement = objects(pyld_triples(markups[ANNOUNCEMENT]), SCHEMA_TEXT, ANNOUNCEMENT)
        assert announcement == {ox.Literal(texts.quote, language=TEXT_LANGUAGE)}


# 3. Pages ---------------------------------------------------------------------------------

Skeleton = Counter[tuple[str, str, tuple[str, ...]]]


def as_html_reads(text: str) -> str:
    """TEXT as an HTML parser passes it on: the input stream's line ends all become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def skeleton(root: Element) -> Skeleton:
    """The page's elements, comments included, each with its parent and its attributes' names."""
    parents = {child: parent for parent in root.iter() for child in parent}

    def name(element: Element | None) -> str:
        return "" if element is None else element.tag if isinstance(element.tag, str) else "<!---->"

    return Counter((name(parents.get(e)), name(e), tuple(sorted(e.attrib))) for e in root.iter())


def shown(root: Element) -> set[str]:
    """Every text the page holds: the whole text of each element and each attribute's value."""
    return {"".join(e.itertext()) for e in root.iter()} | {v for e in root.iter() for v in e.attrib.values()}


def pages(site: Site, texts: Texts) -> dict[str, tuple[str, list[str]]]:
    """The pages that show the texts, by name: their HTML and the texts each must show."""
    found = {}
    for lang in PAGE_LANGUAGES:
        found |= {
            f"place.{lang}": (site.resource(PLACE, lang), [texts.label(lang), texts.quote]),
            f"partnership.{lang}": (site.resource(PARTNERSHIP, lang), [texts.label(lang)]),
            f"announcement.{lang}": (site.resource(ANNOUNCEMENT, lang), [texts.quote]),
            f"quote.{lang}": (site.resource(QUOTE, lang), [texts.quote, texts.label(lang)]),
            f"source.{lang}": (site.source("generated", lang), [texts.quote]),
            f"home.{lang}": (site.home(lang), [texts.label(lang)]),
        }
    return found


@pytest.fixture(scope="module")
def plain_skeletons(folder: Path) -> dict[str, Skeleton]:
    """The elements of each page when the texts are plain words: what no text may change."""
    return {
        name: skeleton(parse_html(page)) for name, (page, _) in pages(Site(project_with(folder, PLAIN)), PLAIN).items()
    }


@settings(deadline=None)
@given(TEXTS)
@example(HOSTILE)
def test_pages_show_the_texts_as_text_and_nothing_else(
    folder: Path, plain_skeletons: dict[str, Skeleton], texts: Texts
) -> None:
    for name, (page, expected) in pages(Site(project_with(folder, texts)), texts).items():
        root = parse_html(page)
        if name.startswith("source."):
            # A blank line in the source text starts a paragraph (and a quote across it is marked in each): the
            # text adds elements of the kinds the page has, never another kind, and reads whole in the page.
            assert set(skeleton(root)) == set(plain_skeletons[name]), f"{name}: the texts changed the page's elements"
            for text in expected:
                assert as_html_reads(text) in "".join(root.itertext()), f"{name} does not show {text!r}"
            continue
        assert skeleton(root) == plain_skeletons[name], f"{name}: the texts changed the page's elements"
        for text in expected:
            assert as_html_reads(text) in shown(root), f"{name} does not show {text!r}"


@pytest.mark.parametrize("around", [HOSTILE.de, HOSTILE.en, HOSTILE.ja], ids=["script", "attribute", "comment"])
def test_a_quote_page_shows_the_words_around_the_quote_as_text(folder: Path, around: str) -> None:
    """The words before and after a quote, which its own page shows, are the source's: any text there is
    shown as text, and changes no element of the page."""

    def page(before: str, after: str) -> Element:
        return parse_html(Site(project_with(folder, PLAIN, (before, after))).resource(QUOTE, "en"))

    plain, hostile = page("Davor. ", " Danach."), page(around + " ", " " + around)
    assert skeleton(hostile) == skeleton(plain)
    context = ["".join(e.itertext()) for e in hostile.iter("span") if e.get("class") == "context"]
    assert context == ["…" + as_html_reads((around + " ")[-CONTEXT:]), as_html_reads((" " + around)[:CONTEXT]) + "…"]


# 4. What XML cannot carry -----------------------------------------------------------------


@settings(deadline=None)
@given(text(), text(), st.sampled_from(NOT_XML), st.sampled_from(["{}", "\\u{:04X}", "\\U{:08x}"]))
@example("Kita", "kyushu", "\x00", "\\u{:04X}")
@example("Kita", "kyushu", "\x0c", "{}")
def test_a_character_xml_cannot_carry_is_an_input_error_naming_file_line_and_column(
    folder: Path, before: str, after: str, character: str, written_as: str
) -> None:
    """Written raw or as an escape; a raw U+0000 is taken for a UTF-16 file, and said so."""
    unshowable = written_as.format(character if written_as == "{}" else ord(character))
    label = turtle_string(before)[:-1] + unshowable + turtle_string(after)[1:]
    path = write_reference(folder, label, '"city"', '"市"')
    written = path.read_text(encoding="utf-8")
    at = written.index(label) + len(turtle_string(before)) - 1
    line, column = written.count("\n", 0, at) + 1, at - written.rfind("\n", 0, at)
    with pytest.raises(InputError) as error:
        load(Project.open(folder))
    assert line == 7
    assert str(error.value).startswith(f"{path}:{line}:{column}: ")
    assert ("NUL" if character == "\x00" else f"U+{ord(character):04X}") in error.value.problem
    assert error.value.fix and error.value.exit_code == EXIT_INPUT
