"""schema.org markup: the projection, its blocks as real consumers read them, its shapes."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import extruct
import html5lib
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from helpers import assert_isomorphic, rdflib_graph, whole_graph_projection
from projects import BWI, ROOT, bwi_project, patched
from pyld import jsonld as pyld

from rit_graph import schemaorg
from rit_graph.cli import cli
from rit_graph.corpus.load import Corpus, load
from rit_graph.corpus.project import Project
from rit_graph.corpus.run import Run
from rit_graph.errors import ValidationFailed
from rit_graph.output.build import build
from rit_graph.rdf import jsonld
from rit_graph.rdf.embed import script_element, script_json

SCHEMA = rdflib.Namespace("http://schema.org/")
WD = rdflib.Namespace("http://www.wikidata.org/entity/")
ANNOUNCEMENT = "data/announcements/bwi-cluster-japan-rit"
HEADLINE = "Baden-württembergische Cluster erstmals als Partner für japanische Regionen"
HOSTILE = 'Cluster </script><script>alert("x")</script> <!-- & \u2028 \u2029 "zitiert" \'so\' </SCRIPT > -->'
VISITS = {
    "2015-06-22-japanese-delegation-munich": ("2015-06-22", None),
    "2015-06-28-automotive-bw-hitachi-talks": ("2015-06-28", "2015-07-04"),
    "2015-09-hitachi-return-visit": ("2015-09", None),
    "2015-11-photonics-bw-kitakyushu-visit": ("2015-11", None),
}
#: Each visit's eventStatus as the source supports it: "wird … kommen", "reisen", "erfolgt" state the first three
#: as fixed (schema:EventScheduled); the November visit is "geplant", planned, which EventScheduled ("taking place
#: as scheduled") would overstate, and schema.org has no status for a plan.
STATUSES = {
    "2015-06-22-japanese-delegation-munich": [SCHEMA.EventScheduled],
    "2015-06-28-automotive-bw-hitachi-talks": [SCHEMA.EventScheduled],
    "2015-09-hitachi-return-visit": [SCHEMA.EventScheduled],
    "2015-11-photonics-bw-kitakyushu-visit": [],
}


# Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def projection(corpus: Corpus) -> list[ox.Triple]:
    return schemaorg.project(Run(corpus))


@pytest.fixture(scope="session")
def graph(projection: list[ox.Triple]) -> rdflib.Graph:
    return rdflib_graph(projection)


class Pages:
    """A real HTTP server on loopback serving HTML pages that tests put in."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages[self.path].encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, name: str, block: str) -> str:
        """Put BLOCK into a page's head, with content after it that must stay content."""
        self.pages["/" + name] = (
            '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>Seite</title>\n'
            f'{block}</head>\n<body><p id="after">Text nach dem Block</p></body></html>\n'
        )
        return f"http://127.0.0.1:{self.server.server_port}/{name}"


@pytest.fixture(scope="session")
def pages() -> Iterator[Pages]:
    server = Pages()
    yield server
    server.server.shutdown()
    server.server.server_close()


def copy_project(target: Path) -> Path:
    """A copy of the repository's project, with the bw-i announcement alone, that a test may change."""
    return bwi_project(target)


# Helpers ----------------------------------------------------------------------------------


def markup_cli(*args: str, project: Path = ROOT) -> str:
    result = CliRunner().invoke(cli, ["markup", "--project", str(project), *args])
    assert result.exit_code == 0, result.output
    return result.output


def fetch(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.read().decode("utf-8")  # type: ignore[no-any-return]


def extruct_blocks(url: str) -> list[dict]:
    """The JSON-LD blocks extruct finds in the page at URL (fetched over HTTP)."""
    return extruct.extract(fetch(url), base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]


def from_jsonld(document: object) -> rdflib.Graph:
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def reachable(graph: rdflib.Graph, root: rdflib.URIRef) -> rdflib.Graph:
    """The part of GRAPH a page about ROOT shows: everything reached by following links from ROOT."""
    part, todo, seen = rdflib.Graph(), [root], {root}
    while todo:
        node = todo.pop()
        for p, o in graph.predicate_objects(node):
            part.add((node, p, o))
            if not isinstance(o, rdflib.Literal) and o not in seen and p != rdflib.RDF.type:
                seen.add(o)
                todo.append(o)
    return part


def page_graph(projection: list[ox.Triple], iri: str, language: str) -> rdflib.Graph:
    return reachable(rdflib_graph(schemaorg.in_language(projection, language)), rdflib.URIRef(iri))


# Safe embedding ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["</script>", "</SCRIPT", "<!--", "<script", "&amp;", "\u2028", "\u2029", '"', "'"])
def test_script_json_escapes_what_html_would_read(text: str) -> None:
    encoded = script_json({"name": f"a{text}b"})
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in encoded
    assert json.loads(encoded) == {"name": f"a{text}b"}


def test_script_element_stays_one_closed_element() -> None:
    block = script_element({"name": HOSTILE, "list": [HOSTILE]})
    document = html5lib.parse(
        f"<html><head>{block}</head><body><p id=after>x</p></body></html>", namespaceHTMLElements=False
    )
    scripts = document.findall(".//script")
    assert len(scripts) == 1
    assert json.loads(scripts[0].text) == {"name": HOSTILE, "list": [HOSTILE]}
    assert document.find(".//body/p[@id='after']") is not None


# The projection ---------------------------------------------------------------------------


def test_projection_uses_only_schema_org_terms(graph: rdflib.Graph) -> None:
    predicates = {p for p in graph.predicates() if p != rdflib.RDF.type}
    assert predicates and all(str(p).startswith(str(SCHEMA)) for p in predicates)
    assert all(str(t).startswith(str(SCHEMA)) for t in graph.objects(None, rdflib.RDF.type))
    assert not any(isinstance(t, rdflib.BNode) for triple in graph for t in triple)


def test_announcement_is_a_news_article(graph: rdflib.Graph, project: Project) -> None:
    article = rdflib.URIRef(project.announcement_iri("bwi-cluster-japan-rit"))
    base = project.base_iri
    assert (article, rdflib.RDF.type, SCHEMA.NewsArticle) in graph
    assert (article, SCHEMA.headline, rdflib.Literal(HEADLINE, lang="de")) in graph
    assert (article, SCHEMA.inLanguage, rdflib.Literal("de")) in graph
    assert graph.value(article, SCHEMA.alternativeHeadline).startswith("Die beiden Cluster")
    assert set(graph.objects(article, SCHEMA.about)) == {
        rdflib.URIRef(base + "id/" + name)
        for name in (
            "selection/jetro-rit-bw-clusters",
            "partnership/automotive-bw-hitachi",
            "partnership/photonics-bw-kitakyushu",
        )
    }
    assert {rdflib.URIRef(base + "id/event/" + name) for name in VISITS} <= set(graph.objects(article, SCHEMA.mentions))


def test_organisations_programme_and_partnerships(graph: rdflib.Graph, project: Project) -> None:
    def iri(name: str) -> rdflib.URIRef:
        return rdflib.URIRef(project.base_iri + "id/" + name)

    assert set(graph.objects(iri("organisation/jetro"), rdflib.RDF.type)) == {SCHEMA.GovernmentOrganization}
    assert set(graph.objects(iri("organisation/photonics-bw"), rdflib.RDF.type)) == {SCHEMA.Organization}
    assert (iri("organisation/bw-i"), SCHEMA.url, rdflib.URIRef("https://www.bw-i.de/")) in graph
    assert (iri("programme/rit"), rdflib.RDF.type, SCHEMA.FundingScheme) in graph
    # Who runs the programme stays in the graph (rit:operator): schema.org defines provider on actions, works
    # and services, not on a FundingScheme, which it makes an Organization.
    assert not list(graph.objects(iri("programme/rit"), SCHEMA.provider))
    partnership = iri("partnership/photonics-bw-kitakyushu")
    assert (partnership, rdflib.RDF.type, SCHEMA.Project) in graph
    assert (partnership, SCHEMA.member, iri("organisation/photonics-bw")) in graph
    assert (partnership, SCHEMA.location, iri("place/kitakyushu")) in graph
    assert (partnership, SCHEMA.funder, iri("programme/rit")) in graph


@pytest.mark.parametrize("name", VISITS)
def test_each_visit_is_a_business_event_with_dates_place_and_people(
    graph: rdflib.Graph, project: Project, name: str
) -> None:
    event = rdflib.URIRef(project.base_iri + "id/event/" + name)
    start, end = VISITS[name]
    assert (event, rdflib.RDF.type, SCHEMA.BusinessEvent) in graph
    assert list(graph.objects(event, SCHEMA.startDate)) == [rdflib.Literal(start)]
    assert list(graph.objects(event, SCHEMA.endDate)) == ([rdflib.Literal(end)] if end else [])
    assert list(graph.objects(event, SCHEMA.eventStatus)) == STATUSES[name]
    assert list(graph.objects(event, SCHEMA.attendee))
    (place,) = graph.objects(event, SCHEMA.location)
    address = graph.value(place, SCHEMA.address)
    assert (address, rdflib.RDF.type, SCHEMA.PostalAddress) in graph
    assert {str(c) for c in graph.objects(address, SCHEMA.addressCountry)} & {"Japan", "Germany"}
    assert list(graph.objects(address, SCHEMA.addressRegion))


def test_no_organizer_is_derived_from_who_sends_a_delegation(graph: rdflib.Graph) -> None:
    """The source says who travels (automotive-bw's experts, Photonics BW's representatives), never who organises a
    visit: the markup once made the delegation's sender its organizer, and no longer does."""
    assert not list(graph.subject_objects(SCHEMA.organizer))


def test_a_headquarters_the_reference_data_does_not_give_stays_a_claim(
    graph: rdflib.Graph, corpus: Corpus, project: Project
) -> None:
    """The announcement says Hitachi, Ltd. has its headquarters "in der Stadt" Hitachi; public references give Tokyo
    (the reference data's note), and the reference data places the company in Japan. The markup gives Japan; the
    claim stays in the graph with its quote."""
    company = rdflib.URIRef(project.base_iri + "id/organisation/hitachi-ltd")
    assert set(graph.objects(company, SCHEMA.location)) == {rdflib.URIRef(project.base_iri + "id/place/japan")}
    claim = ox.Triple(
        ox.NamedNode(str(company)),
        ox.NamedNode(project.vocabulary + "headquarters"),
        ox.NamedNode(project.base_iri + "id/place/hitachi"),
    )
    assert any(ox.Triple(q.subject, q.predicate, q.object) == claim for q in corpus.data)


def test_indicators_distances_and_markets_are_property_values_of_their_place(
    graph: rdflib.Graph, project: Project
) -> None:
    """schema.org has no property for a place's GDP, distance or markets, but defines additionalProperty on a Place:
    each is a PropertyValue, whose value is the sum of money, the distance, or the market's name."""
    place = rdflib.Namespace(project.base_iri + "id/place/")

    def values(subject: rdflib.URIRef, property_id: str) -> set[rdflib.term.Node]:
        return {
            value
            for node in graph.objects(subject, SCHEMA.additionalProperty)
            if str(graph.value(node, SCHEMA.propertyID)) == property_id
            for value in graph.objects(node, SCHEMA.value)
        }

    (gdp,) = values(place["fukuoka-prefecture"], "gdp")
    assert (gdp, rdflib.RDF.type, SCHEMA.MonetaryAmount) in graph
    assert graph.value(gdp, SCHEMA.currency) == rdflib.Literal("EUR")
    assert int(graph.value(gdp, SCHEMA.value)) == 158_000_000_000
    (distance,) = values(place.hitachi, "distance")
    assert (distance, rdflib.RDF.type, SCHEMA.QuantitativeValue) in graph
    assert int(graph.value(distance, SCHEMA.value)) == 150
    assert graph.value(distance, SCHEMA.unitCode) == rdflib.Literal("KMT")
    markets = {(str(v), v.language) for v in values(place["fukuoka-prefecture"], "hubTo")}
    assert {("Markt in China", "de"), ("Chinese market", "en")} <= markets


def test_additional_property_only_where_schema_org_defines_it(graph: rdflib.Graph) -> None:
    """ "erstmals" of the selection and of the talks, "schnell wachsend" of a market and "rund" of the GDP stay in the
    graph: schema.org defines additionalProperty on places and quantitative values (and products and offers),
    not on actions, events, markets or sums of money."""
    holders = {t for s in graph.subjects(SCHEMA.additionalProperty) for t in graph.objects(s, rdflib.RDF.type)}
    assert holders and holders <= {SCHEMA.City, SCHEMA.AdministrativeArea, SCHEMA.State, SCHEMA.Country}


def test_durations_stay_out_of_the_markup(graph: rdflib.Graph) -> None:
    """schema.org defines duration on events and media, not on a Project: "in den kommenden zwölf Monaten" (P12M)
    stays in the graph, as written, rather than reaching the markup as a store's "P1Y" on an undefined property."""
    assert not list(graph.subject_objects(SCHEMA.duration))


def test_japanese_block_names_things_in_japanese(projection: list[ox.Triple], project: Project) -> None:
    """A Japanese page's block gives the Japanese names; a name not yet written in Japanese stays English."""
    block = schemaorg.markup(projection, project.base_iri + "id/place/kitakyushu", "ja")
    assert block["@context"]["@language"] == "ja"
    assert block["address"]["addressLocality"] == "北九州市"
    assert block["containedInPlace"]["name"] == "福岡県"
    gdp = next(v["value"] for v in block["containedInPlace"]["additionalProperty"] if v["propertyID"] == "gdp")
    assert gdp["name"] == {"@value": "GDP of Fukuoka Prefecture", "@language": "en"}


@pytest.mark.parametrize(
    ("place", "country"),
    [("kitakyushu", "japan"), ("hitachi", "japan"), ("munich", "germany"), ("baden-wuerttemberg", "germany")],
)
def test_places_are_contained_up_to_their_country(
    graph: rdflib.Graph, project: Project, place: str, country: str
) -> None:
    start = rdflib.URIRef(project.base_iri + "id/place/" + place)
    chain = set(graph.transitive_objects(start, SCHEMA.containedInPlace))
    top = rdflib.URIRef(project.base_iri + "id/place/" + country)
    # Every way up (a city may lie in a prefecture and in a region) ends in the country.
    assert {p for p in chain if not list(graph.objects(p, SCHEMA.containedInPlace))} == {top}
    assert (top, rdflib.RDF.type, SCHEMA.Country) in graph


def test_city_address_and_wikidata_links(graph: rdflib.Graph, project: Project) -> None:
    place = rdflib.URIRef(project.base_iri + "id/place/")
    address = graph.value(place + "kitakyushu", SCHEMA.address)
    assert (address, SCHEMA.addressLocality, rdflib.Literal("Kitakyushu", lang="en")) in graph
    assert (address, SCHEMA.addressRegion, rdflib.Literal("Fukuoka Prefecture", lang="en")) in graph
    assert (place + "fukuoka-prefecture", rdflib.RDF.type, SCHEMA.AdministrativeArea) in graph
    assert (place + "japan", SCHEMA.sameAs, WD.Q17) in graph
    assert (place + "fukuoka-prefecture", SCHEMA.sameAs, WD.Q123258) in graph


def test_the_units_projections_add_up_to_the_projection_of_the_whole_graph(
    corpus: Corpus, projection: list[ox.Triple]
) -> None:
    assert set(projection) == whole_graph_projection(corpus)


def test_projection_follows_the_base_iri(tmp_path: Path, bwi_corpus: Corpus, project: Project) -> None:
    projection = schemaorg.project(Run(bwi_corpus))
    root = copy_project(tmp_path)
    (root / "rit-graph.toml").write_text('[project]\nbase_iri = "https://example.org/bw/"\n', encoding="utf-8")
    moved = schemaorg.project(Run(load(Project.open(root))))
    expected = [
        ox.Triple(
            *(
                ox.NamedNode(t.value.replace(project.base_iri, "https://example.org/bw/"))
                if isinstance(t, ox.NamedNode)
                else t
                for t in triple
            )
        )
        for triple in projection
    ]
    assert_isomorphic(rdflib_graph(expected), rdflib_graph(moved), "after moving the base IRI")


# Markup blocks as consumers read them -----------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en", "ja"])
@pytest.mark.parametrize(
    "page", [None, "id/place/kitakyushu", "id/event/2015-09-hitachi-return-visit", "id/organisation/jetro"]
)
def test_block_read_by_extruct_and_rdflib_is_the_projection(
    pages: Pages, projection: list[ox.Triple], project: Project, page: str | None, language: str
) -> None:
    block = markup_cli(*([page] if page else ["--announcement", BWI]), "--lang", language)
    url = pages.publish(f"{page or 'announcement'}-{language}.html", block)
    iri = project.base_iri + page if page else project.announcement_iri("bwi-cluster-japan-rit")
    expected = page_graph(projection, iri, language)

    (found,) = extruct_blocks(url)
    assert found["@id"] == iri
    assert_isomorphic(expected, from_jsonld(found), "(extruct)")
    by_rdflib = rdflib.Graph().parse(url, format="json-ld")
    assert_isomorphic(expected, by_rdflib, "(rdflib reading the HTML page)")


def test_block_is_one_nested_tree(projection: list[ox.Triple], project: Project) -> None:
    block = schemaorg.markup(projection, project.announcement_iri("bwi-cluster-japan-rit"), "de")
    assert "@graph" not in block
    assert block["@type"] == "NewsArticle" and block["headline"] == HEADLINE
    (munich,) = [m for m in block["mentions"] if m["@id"].endswith("japanese-delegation-munich")]
    assert munich["location"]["address"]["@type"] == "PostalAddress"
    (talks,) = [m for m in block["mentions"] if m["@id"].endswith("automotive-bw-hitachi-talks")]
    assert talks["startDate"] == "2015-06-28" and talks["endDate"] == "2015-07-04"


def test_english_block_keeps_german_only_texts_marked_german(projection: list[ox.Triple], project: Project) -> None:
    block = schemaorg.markup(projection, project.announcement_iri("bwi-cluster-japan-rit"), "en")
    assert block["name"] == "Baden-Württemberg clusters partner Japanese regions for the first time"
    assert block["headline"] == {"@value": HEADLINE, "@language": "de"}
    assert block["inLanguage"] == "de"


@pytest.mark.parametrize("language", ["de", "en"])
def test_pyld_and_rdflib_read_the_same_triples(projection: list[ox.Triple], project: Project, language: str) -> None:
    block = schemaorg.markup(projection, project.announcement_iri("bwi-cluster-japan-rit"), language)
    nquads = pyld.to_rdf(block, {"format": "application/n-quads", **jsonld.OPTIONS})
    by_pyld = rdflib.Graph().parse(data=nquads, format="nquads")
    assert_isomorphic(from_jsonld(block), by_pyld, "(pyld expansion vs rdflib)")


# Hostile texts ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with its headline and a city's name replaced by texts that try to break out of HTML."""
    root = copy_project(tmp_path_factory.mktemp("hostile"))
    turtle = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    ttl = root / ANNOUNCEMENT / "announcement.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8").replace(HEADLINE, turtle), encoding="utf-8")
    source = root / ANNOUNCEMENT / "source.txt"
    source.write_text(source.read_text(encoding="utf-8").replace(HEADLINE, HOSTILE), encoding="utf-8")
    places = root / "data/reference/places.ttl"
    places.write_text(
        places.read_text(encoding="utf-8").replace('"Kitakyushu"@de', f'"Kita{turtle}kyushu"@de'), encoding="utf-8"
    )
    return root


@pytest.mark.parametrize(
    ("page", "prop", "text"),
    [(None, SCHEMA.headline, HOSTILE), ("id/place/kitakyushu", SCHEMA.name, f"Kita{HOSTILE}kyushu")],
)
def test_hostile_texts_stay_inside_the_block_and_round_trip(
    pages: Pages, hostile_project: Path, page: str | None, prop: rdflib.URIRef, text: str
) -> None:
    block = markup_cli(*([page] if page else []), project=hostile_project)
    url = pages.publish(f"hostile-{page or 'announcement'}.html", block)
    html = fetch(url)

    document = html5lib.parse(html, namespaceHTMLElements=False)
    (script,) = document.findall(".//script")
    assert document.find(".//body/p[@id='after']").text == "Text nach dem Block"
    assert html.count("</script>") == 1

    corpus = load(Project.open(hostile_project))
    projection = schemaorg.project(Run(corpus))
    iri = corpus.project.base_iri + page if page else corpus.project.announcement_iri("bwi-cluster-japan-rit")
    expected = page_graph(projection, iri, "de")
    (found,) = extruct_blocks(url)
    assert json.loads(script.text) == found
    assert_isomorphic(expected, from_jsonld(found), "(extruct, hostile texts)")
    assert_isomorphic(expected, rdflib.Graph().parse(url, format="json-ld"), "(rdflib, hostile texts)")
    assert (rdflib.URIRef(iri), prop, rdflib.Literal(text, lang="de")) in from_jsonld(found)


# The command ------------------------------------------------------------------------------


def test_markup_accepts_absolute_and_relative_iris(project: Project, bwi_only: Project) -> None:
    assert markup_cli("id/place/hitachi") == markup_cli(project.base_iri + "id/place/hitachi")
    # Without an IRI, the block of the project's one announcement.
    alone = bwi_only.root
    assert markup_cli(project=alone) == markup_cli("--announcement", "bwi-cluster-japan-rit", project=alone)
    assert markup_cli(project=alone).startswith('<script type="application/ld+json">\n')


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["id/place/atlantis"], "is not described in schema.org terms"),
        (["--announcement", "nothing"], "no announcement 'nothing'"),
        (["id/place/hitachi", "--announcement", "bwi-cluster-japan-rit"], "not both"),
        (["--lang", "fr"], "'fr' is not one of"),
    ],
)
def test_markup_refuses_unclear_requests(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["markup", "--project", str(ROOT), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_markup_asks_which_of_several_announcements(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    second = root / "data/announcements/zweite-meldung"
    shutil.copytree(root / ANNOUNCEMENT, second)
    ttl = second / "announcement.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8").replace("bwi-cluster-japan-rit", "zweite-meldung"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["markup", "--project", str(root)])
    assert result.exit_code == 2
    assert "2 announcements" in result.output and "--announcement NAME" in result.output
    assert markup_cli("--announcement", "zweite-meldung", project=root)


# Shapes and build -------------------------------------------------------------------------


def test_real_data_conforms_with_the_expected_warnings(corpus: Corpus) -> None:
    report = schemaorg.check(Run(corpus), schemaorg.projections(Run(corpus)))
    assert report.conforms, report.to_text()
    assert report.count("violation") == 0
    article = next(r for r in report.resources if r.focus == "<id/announcement/bwi-cluster-japan-rit>")
    assert {f.path for f in article.findings} == {
        "<http://schema.org/author>",
        "<http://schema.org/datePublished>",
        "<http://schema.org/image>",
        "<http://schema.org/publisher>",
    }
    assert {f.severity for r in report.resources for f in r.findings} == {"warning"}
    fair = next(r for r in report.resources if r.focus == "<id/event/photonics-trade-fair-munich-2015>")
    assert "<http://schema.org/startDate>" in {f.path for f in fair.findings}


def test_shapes_fail_a_published_event_without_required_properties(corpus: Corpus) -> None:
    """The return visit without its date and destination: what gives its schema:startDate and schema:location."""
    stripped = patched(
        corpus,
        """
        PREFIX rit: <ontology#>
        DELETE WHERE { GRAPH ?g { <id/event/2015-09-hitachi-return-visit> rit:startDate ?date } };
        DELETE WHERE { GRAPH ?g { <id/event/2015-09-hitachi-return-visit> rit:destination ?place } }
    """,
    )
    report = schemaorg.check(Run(stripped), schemaorg.projections(Run(stripped)))
    assert not report.conforms
    (resource,) = [r for r in report.resources if r.focus == "<id/event/2015-09-hitachi-return-visit>"]
    assert {f.path for f in resource.findings if f.severity == "violation"} == {
        "<http://schema.org/startDate>",
        "<http://schema.org/location>",
    }


def test_build_writes_the_projection_and_stops_on_violations(tmp_path: Path) -> None:
    """The trade fair has no dates; once the announcement mentions it, it needs a page, and the build stops."""
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(ROOT), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "schema-org.jsonld").read_text(encoding="utf-8"))
    assert_isomorphic(rdflib_graph(schemaorg.project(Run(load(Project.open(ROOT))))), from_jsonld(written))
    assert "recommended properties the data does not give" in result.stderr

    root = copy_project(tmp_path / "project")
    ttl = root / ANNOUNCEMENT / "announcement.ttl"
    ttl.write_text(
        ttl.read_text(encoding="utf-8")
        + """
ann:bwi-cluster-japan-rit rit:mentions ev:photonics-trade-fair-munich-2015
    {| rit:quote "die Messe Photonics besuchen" |} .
""",
        encoding="utf-8",
    )
    corpus = load(Project.open(root))
    with pytest.raises(ValidationFailed) as failure:
        build(Run(corpus), tmp_path / "second")
    assert "Google requires an event's startDate" in str(failure.value)
    assert not (tmp_path / "second").exists()
