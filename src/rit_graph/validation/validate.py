"""Validate a project's data against its SHACL shapes and report by resource.

pyshacl runs on rdflib graphs, with the ontology in the data graph so that
``sh:targetClass`` reaches subclasses, and the ``rit:`` prefix declared for
the shapes (its namespace depends on the base IRI). The data is validated in
the partitions of ``partition``, on all cores, each taken from the cache when
its content was validated before; a result found in several partitions is
reported once. pyshacl evaluates each SHACL-SPARQL constraint once per focus
node; here pyoxigraph answers those calls from one evaluation per partition
(``_sparql_in_batches``), which made validation several times faster, and
pyshacl checks each query's text once (``_prebinding_once``). A finding in
words gets what SHACL cannot compute: the term or resource that was meant
and the passage a misquote misses (``nearest``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH, XSD

from rit_graph.corpus.anchor import EXACT, HAS_SELECTOR, HAS_SOURCE
from rit_graph.corpus.load import Corpus
from rit_graph.corpus.partition import RDF_OBJECT, RDF_PREDICATE, RDF_SUBJECT, RDF_TYPE, partitions
from rit_graph.corpus.run import Run
from rit_graph.errors import InputError, RitGraphError
from rit_graph.rdf.namespaces import STANDARD_PREFIXES
from rit_graph.rdf.ntriples import ntriples
from rit_graph.rdf.reading import parse_file
from rit_graph.rdf.terms import ox_node, ox_term, term, to_rdflib
from rit_graph.rdf.walk import walk
from rit_graph.runtime.cache import Cache, key
from rit_graph.validation.nearest import REPLACING_THE_PATH, Terms, misquote

RDFS_LABEL = ox.NamedNode(str(rdflib.RDFS.label))
VALIDATION_RESULT = ox.NamedNode(str(SH.ValidationResult))
_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
SH_RESULT = ox.NamedNode(str(SH.result))
SH_FOCUS_NODE = ox.NamedNode(str(SH.focusNode))
SH_SEVERITY = ox.NamedNode(str(SH.resultSeverity))
SH_VIOLATION = ox.NamedNode(str(SH.Violation))
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
#: The properties whose SPARQL text pyshacl runs: SPARQL-based constraints and constraint components.
SPARQL_TEXTS = {ox.NamedNode(str(SH[name])) for name in ("select", "ask", "construct")}
SH_SPARQL = ox.NamedNode(str(SH.sparql))
SH_TARGET_CLASS = ox.NamedNode(str(SH.targetClass))
SH_RESULT_KEYS = {
    name: ox.NamedNode(str(SH[local]))
    for name, local in (
        ("constraint", "sourceConstraint"),
        ("component", "sourceConstraintComponent"),
        ("path", "resultPath"),
        ("value", "value"),
    )
}
SPARQL_COMPONENT = ox.NamedNode(str(SH.SPARQLConstraintComponent))
#: Values and labels are cut after this many characters in reports: a 10 MB label would be printed whole.
SHOWN_CHARACTERS = 200


class _IllTypedLiterals(logging.Filter):
    """Drop rdflib's warning, traceback included, for each literal whose value does not fit its datatype.

    The shapes report such values ("abc"^^xsd:date fails sh:datatype) with
    resource, property and value; the tracebacks around the report only bury it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form to value")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())


@dataclass(frozen=True)
class Finding:
    """One validation result, in words a person can act on."""

    severity: str
    message: str
    path: str | None
    value: str | None
    shape: str
    constraint: str


@dataclass
class ResourceReport:
    focus: str
    label: str | None
    #: Project folders whose files describe the resource.
    files: list[str]
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    conforms: bool
    resources: list[ResourceReport]
    #: What gives the SHACL results of each part, merged into one report (``result_triples``) when asked for.
    found: list[Callable[[], list[ox.Triple]]] = field(default_factory=list, repr=False)

    @functools.cached_property
    def result_triples(self) -> list[ox.Triple]:
        """The SHACL validation report as triples, each distinct result once."""
        return merge_results([results() for results in self.found])[1]

    @functools.cached_property
    def results(self) -> rdflib.Graph:
        return to_rdflib(self.result_triples)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.resources for f in r.findings if f.severity == severity)

    def to_text(self) -> str:
        if not self.resources:
            return "conforms: no violations\n"
        lines = []
        for resource in self.resources:
            title = resource.focus + (f"  “{resource.label}”" if resource.label else "")
            lines.append(title)
            if resource.files:
                lines.append(f"  in {', '.join(resource.files)}")
            for f in resource.findings:
                where = " ".join(x for x in (f.path, f.value) if x)
                lines.append(f"  {f.severity}: {where + ': ' if where else ''}{f.message}")
            lines.append("")
        lines.append(
            f"{self.count('violation')} violation(s), {self.count('warning')} warning(s) "
            f"in {len(self.resources)} resource(s)"
        )
        return "\n".join(lines) + "\n"

    def summary(self, named: int = 2) -> str:
        """The findings counted by what they say, each kind once with the first NAMED resources it is found
        on: as many lines as kinds of gap, however many resources have them."""
        found: dict[tuple[str, str], list[str]] = {}
        for resource in self.resources:
            for f in resource.findings:
                key = (f.severity, f"{f.path + ': ' if f.path else ''}{f.message}")
                found.setdefault(key, []).append(resource.focus)
        lines = []
        for (severity, what), where in sorted(found.items(), key=lambda i: (-len(i[1]), i[0])):
            names = where if len(where) <= named + 1 else [*where[:named], f"{len(where) - named} more"]
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            lines.append(f"  {len(where):>6} × {severity}: {what} ({listed})")
        return "\n".join(lines) + (
            f"\n{self.count('violation')} violation(s), {self.count('warning')} warning(s) "
            f"in {len(self.resources)} resource(s)\n"
        )

    def to_json(self) -> str:
        document = {
            "conforms": self.conforms,
            "violations": self.count("violation"),
            "warnings": self.count("warning"),
            "resources": [asdict(r) for r in self.resources],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        return self.results.serialize(format="turtle")


def validate(run: Run) -> Report:
    """Validate every partition of the run's corpus, on its worker processes.

    A partition whose content, shapes and ontology are in the run's cache is not validated again.
    """
    corpus = run.corpus
    project = corpus.project
    check_shape_queries(corpus)
    prefix = (project.ontology_iri, project.vocabulary)
    parts = partitions(corpus, run.reach, run.cache)
    ontology = with_shape_targets(corpus.ontology, corpus.shapes)
    common = key(ntriples(corpus.shapes), ntriples(corpus.ontology), *prefix)
    keys = [
        key(common, p.key, "\n".join(sorted(str(f) for f in p.focus or ())), *sorted(str(e) for e in p.elsewhere))
        for p in parts
    ]
    try:
        return run_parts(
            run,
            "validation",
            keys,
            lambda i: parts[i].triples,
            lambda i, triples: _validate_partition(
                (triples, parts[i].focus, parts[i].elsewhere, corpus.shapes, ontology, prefix)
            ),
            functools.partial(_shapes, corpus),
            "validating partitions",
            run.workers,
            min_parallel=1,
            # Always in forked processes, one partition or many, one worker or more: there pyshacl and
            # pyoxigraph run the shapes' SPARQL without network (forking), whatever the check let through.
            isolated=True,
        )
    except ShapesRefused as e:
        raise InputError(
            project.root / "shapes", f"pyshacl cannot use the shapes: {e}", "correct the shape it names"
        ) from e


def with_shape_targets(ontology: list[ox.Triple], shapes: list[ox.Triple]) -> list[ox.Triple]:
    """The ONTOLOGY as validation puts it in the data graph: with the SHAPES' ``sh:targetClass`` statements.

    So a constraint can ask whether some shape checks a class (the closed
    vocabulary's ``shape:UncheckedClass``): SHACL-SPARQL sees only the data graph.
    """
    return ontology + [t for t in shapes if t.predicate == SH_TARGET_CLASS]


def _shapes(corpus: Corpus) -> rdflib.Graph:
    return shapes_graph(corpus.shapes, (corpus.project.ontology_iri, corpus.project.vocabulary))


_SHAPES: dict[str, rdflib.Graph] = {}


def shapes_graph(shape_triples: list[ox.Triple], prefix: tuple[str, str]) -> rdflib.Graph:
    """The shapes as pyshacl reads them, with the ``rit:`` prefix of PREFIX (ontology IRI, vocabulary).

    Made once per process (pyshacl does not change it): each partition would
    otherwise pay for converting the shapes again.
    """
    shapes_key = key(ntriples(shape_triples), *prefix)
    if shapes_key not in _SHAPES:
        shapes = to_rdflib(shape_triples)
        shapes.add(_rit_prefix_declaration(*prefix, shapes))
        _SHAPES[shapes_key] = shapes
    return _SHAPES[shapes_key]


def run_parts(
    run: Run,
    kind: str,
    keys: list[str],
    content: Callable[[int], list[ox.Triple]],
    work: Callable[[int, list[ox.Triple]], list[ox.Triple]],
    shapes: Callable[[], rdflib.Graph],
    task: str,
    workers: int,
    min_parallel: int = 2,
    isolated: bool = False,
) -> Report:
    """WORK (a SHACL run) on each part under KEYS, whose triples CONTENT(i) gives; a report by resource.

    A part done before is taken from the run's cache of KIND. A part's findings
    are put in words where it is validated, on its worker, and kept beside its
    results, so that the report is made of small files however many findings there are. The parts
    are spread over worker processes as ``Cache.map`` does (WORKERS, MIN_PARALLEL, ISOLATED).
    """
    shown = functools.cache(shapes)
    cache = run.cache.within(kind)
    if not all(cache.has(k, ".nt", count=False) for k in keys):
        # Before the workers fork, so that each has pyshacl and the shapes without paying for them again.
        import pyshacl  # noqa: F401

        shown()

    def done(i: int) -> list[ox.Triple]:
        part = content(i)
        results = work(i, part)
        cache.put_bytes(keys[i], _words(run.corpus, results, part, shown()), ".words.json")
        return results

    found = cache.map(done, keys, lambda i: i, workers, run.progress, task, min_parallel, isolated)
    return report(run.corpus, keys, found, content, cache, shown)


def report(
    corpus: Corpus,
    keys: list[str],
    found: list[Callable[[], list[ox.Triple]]],
    content: Callable[[int], list[ox.Triple]],
    cache: Cache,
    shapes: Callable[[], rdflib.Graph],
) -> Report:
    """The report of the parts under KEYS by resource, from their findings in words kept in CACHE.

    FOUND(i)() gives a part's SHACL results and CONTENT(i) its triples, read
    only if its words are missing or the SHACL report is asked for; the
    folders describing each resource come from the units' summaries.
    """
    conforms = True
    grouped: dict[str, tuple[str, list[str | None], set[Finding]]] = {}
    for i, results in enumerate(found):
        words = cache.get_bytes(keys[i], ".words.json", count=False)
        try:
            part_conforms, described = orjson.loads(words or b"")
        except (ValueError, TypeError):  # not in the cache, or not readable
            words = _words(corpus, results(), content(i), shapes())
            cache.put_bytes(keys[i], words, ".words.json")
            part_conforms, described = orjson.loads(words)
        conforms = conforms and part_conforms
        for anchor, focus, label, findings in described:
            _, labels, known = grouped.setdefault(focus, (anchor, [], set()))
            labels.append(label)
            known.update(Finding(*f) for f in findings)
    anchors = {anchor: _term_of(anchor) for anchor, _, _ in grouped.values()}
    files = _files_describing(corpus, set(anchors.values()))
    resources = []
    for focus in sorted(grouped):
        anchor, labels, findings = grouped[focus]
        label = next((x for x in labels if x is not None), None)
        ordered = sorted(
            findings, key=lambda f: (f.severity, f.path or "", f.value or "", f.message, f.shape, f.constraint)
        )
        resources.append(ResourceReport(focus, label, files.get(anchors[anchor], []), ordered))
    return Report(conforms, resources, found)


def _words(corpus: Corpus, results: list[ox.Triple], part: list[ox.Triple], shapes: rdflib.Graph) -> bytes:
    """Whether RESULTS hold no violation, and their findings in words, named and placed from PART."""
    conforms = not any(t.predicate == SH_SEVERITY and t.object == SH_VIOLATION for t in results)
    described = []
    if _has_results(results):
        base = corpus.project.base_iri
        notes = _notes(corpus, results, part, shapes)
        described = _in_words(base, results, findings_context(results, part), shapes, notes)
    return orjson.dumps([conforms, described])


def _notes(corpus: Corpus, results: list[ox.Triple], part: list[ox.Triple], shapes: rdflib.Graph) -> dict[_Node, str]:
    """What the findings of RESULTS add to their shapes' messages, by result.

    A "did you mean" for the constraints whose ``shape:suggest`` names a kind
    of term (shapes/rit-shapes.ttl, the closed vocabulary), and for a quote
    that the source does not contain, the passage nearest to it and where
    they part: neither is something SHACL can compute.
    """
    project = corpus.project
    suggest = rdflib.URIRef(project.base_iri + "shapes#suggest")
    terms = functools.cache(lambda: _terms(corpus, shapes))
    sources = functools.cache(lambda: _quoted_texts(part, ox.NamedNode(project.vocabulary + "text")))
    show = _Names(project.base_iri, []).show
    about: dict[_Node, dict[ox.NamedNode, _Node]] = {}
    for t in results:
        about.setdefault(t.subject, {}).setdefault(t.predicate, t.object)
    notes = {}
    for result, props in about.items():
        constraint, path, value = (props.get(SH_RESULT_KEYS[k]) for k in ("constraint", "path", "value"))
        kind = shapes.value(term(constraint), suggest) if constraint is not None else None  # type: ignore[arg-type]
        if kind is not None:
            wrong = path if str(kind) in REPLACING_THE_PATH else value
            meant = terms().suggest(str(kind), wrong.value) if isinstance(wrong, ox.NamedNode) else None
            if meant is not None:
                notes[result] = f"did you mean {show(ox.NamedNode(meant))}?"
        elif path == EXACT and props.get(SH_RESULT_KEYS["component"]) == SPARQL_COMPONENT:
            text = sources().get(props.get(SH_FOCUS_NODE))  # type: ignore[arg-type]
            passage = misquote(text, value.value) if text is not None and isinstance(value, ox.Literal) else None
            if passage is not None:
                notes[result] = passage
    return notes


def _terms(corpus: Corpus, shapes: rdflib.Graph) -> Terms:
    """The terms "did you mean" chooses from: the ontology's, the classes shapes check, the resources described."""
    project = corpus.project

    def described() -> Iterator[str]:
        for unit in corpus.units:
            for subject, (_, classes) in unit.summary.subjects.items():
                if classes and subject.startswith("<"):
                    yield subject[1:-1]

    checked = (str(c) for c in shapes.objects(None, SH.targetClass))
    return Terms.of(project.base_iri, project.vocabulary, corpus.ontology, checked, described)


def _quoted_texts(part: list[ox.Triple], text: ox.NamedNode) -> dict[_Node, str]:
    """The source text (TEXT) of each quote selector of PART, by selector."""
    targets = {t.object: t.subject for t in part if t.predicate == HAS_SELECTOR}
    sources = {t.subject: t.object for t in part if t.predicate == HAS_SOURCE}
    texts: dict[_Node, str] = {
        t.subject: t.object.value for t in part if t.predicate == text and isinstance(t.object, ox.Literal)
    }
    return {
        selector: texts[sources[target]]
        for selector, target in targets.items()
        if target in sources and sources[target] in texts
    }


def _term_of(text: str) -> _Node:
    """The IRI, blank node or literal written as TEXT in N-Triples."""
    if text.startswith("<"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    (parsed,) = ox.parse(f"<x:s> <x:p> {text} .".encode(), ox.RdfFormat.N_TRIPLES)
    literal: ox.Literal = parsed.object
    return literal


def check_shape_queries(corpus: Corpus) -> None:
    """Refuse a shape whose SPARQL is not a closed query, and put each in the canonical form that was checked.

    pyshacl spots SERVICE with a regular expression that ``SERVICE:name`` (a
    prefixed name) gets past, and both pyoxigraph and rdflib then connect to the
    endpoint it names. rit-graph's check (``querycheck``, the endpoint's own)
    finds SERVICE wherever it is, and reports updates too. What pyshacl then
    runs is the checked text (escapes expanded, LF line ends), replaced in
    ``corpus.shapes``: the text as written could read otherwise to pyoxigraph.
    """
    from rit_graph.query.querycheck import QueryError, check

    for i, triple in enumerate(corpus.shapes):
        if triple.predicate not in SPARQL_TEXTS or not isinstance(triple.object, ox.Literal):
            continue
        try:
            text = check(triple.object.value).text
        except QueryError as e:
            shapes = [t.subject for t in corpus.shapes if t.predicate == SH_SPARQL and t.object == triple.subject]
            owner = next((s.value for s in shapes if isinstance(s, ox.NamedNode)), None)
            raise InputError(
                _file_stating(corpus, triple),
                f"the SPARQL {triple.predicate.value.removeprefix(str(SH))} of "
                f"{'shape ' + owner if owner else 'a shape'} "
                f"cannot be used: {e}",
                "a shape's SPARQL is a query (SELECT, ASK, CONSTRUCT) of the data being validated, without SERVICE",
            ) from e
        if text != triple.object.value:
            corpus.shapes[i] = ox.Triple(triple.subject, triple.predicate, ox.Literal(text))


def _file_stating(corpus: Corpus, triple: ox.Triple) -> Path:
    """The shapes file that states TRIPLE (the shapes folder if none does)."""
    project = corpus.project
    for path in project.shapes_files():
        if triple.object in {t.object for t in parse_file(path, project.base_iri)}:
            return path
    return project.root / "shapes"


class ShapesRefused(RitGraphError):
    """pyshacl refused the shapes (its ValidationFailure); a plain message, so it crosses from a worker process."""


def _has_results(triples: list[ox.Triple]) -> bool:
    return any(t.object == VALIDATION_RESULT for t in triples)


def _validate_partition(
    job: tuple[
        list[ox.Triple],
        frozenset[ox.NamedNode] | None,
        frozenset[ox.NamedNode],
        list[ox.Triple],
        list[ox.Triple],
        tuple[str, str],
    ],
) -> list[ox.Triple]:
    """pyshacl's results for one partition, as pyoxigraph triples.

    Triples cross process boundaries as pyoxigraph terms: an unpickled rdflib
    literal is normalised ("P12M" becomes "P1Y"), and reports quote values as written.
    """
    import pyshacl  # slow to import; only commands that validate pay for it

    data, focus, elsewhere, shape_triples, ontology, prefix = job
    shapes = shapes_graph(shape_triples, prefix)
    with _sparql_in_batches(data + ontology):
        # The ontology goes into the data graph itself (so that sh:targetClass reaches
        # subclasses), which spares pyshacl copying the data graph to mix it in.
        # pyshacl follows no owl:imports unless asked; say so, so that no default can make it fetch.
        _, results, _ = pyshacl.validate(
            to_rdflib(data, ontology),
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            do_owl_imports=False,
        )
    if not isinstance(results, rdflib.Graph):
        raise ShapesRefused(str(results))
    _drop_shape_messages(results, shapes)
    _keep_english_messages(results, shapes)
    if focus is not None or elsewhere:
        _keep_focus(
            results,
            None if focus is None else {rdflib.URIRef(f.value) for f in focus},
            {rdflib.URIRef(e.value) for e in elsewhere},
        )
    return [ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in results]  # type: ignore[arg-type]


def _keep_focus(results: rdflib.Graph, focus: set[rdflib.URIRef] | None, elsewhere: set[rdflib.URIRef]) -> None:
    """Drop the results about other resources than FOCUS (all, if None) or about ELSEWHERE:
    their own partitions report them."""
    for result in list(results.subjects(RDF.type, SH.ValidationResult)):
        node = results.value(result, SH.focusNode)
        if (focus is not None and node not in focus) or node in elsewhere:
            for triple in list(results.cbd(result)):
                results.remove(triple)
            results.remove((None, SH.result, result))
    if not any(results.subjects(SH.resultSeverity, SH.Violation)):
        results.set((next(results.subjects(RDF.type, SH.ValidationReport)), SH.conforms, rdflib.Literal(True)))


@contextmanager
def _sparql_in_batches(triples: list[ox.Triple]) -> Iterator[None]:
    """Answer pyshacl's SHACL-SPARQL constraint queries on TRIPLES from one evaluation each.

    pyshacl runs a constraint's SELECT once per focus node with $this bound,
    and rdflib's evaluator made that most of a partition's time. While the
    block runs, the first such call evaluates the query once, with $this
    free, in a pyoxigraph store of the same triples; every call is then
    answered with the solutions for its focus node. For these queries that is
    the same as binding $this first (SHACL's pre-binding), and where a
    solution leaves $this unbound it might not be, so rdflib answers those as
    before (as it does queries that use prefixes they do not declare), each
    parsed once. Typed literals come back as written, not in the store's
    canonical form. Not thread-safe: rdflib's query method is replaced meanwhile.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLResult
    from rdflib.plugins.sparql.sparql import Query

    original = rdflib.Graph.query
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    as_written = _written_forms(triples)
    batches: dict[str, _Batch | None] = {}
    parsed: dict[tuple[str, frozenset[tuple[str, Any]]], Query] = {}

    def query(
        self: rdflib.Graph,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 - rdflib's Graph.query names them so
        initBindings: Mapping[str, rdflib.term.Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> rdflib.query.Result:
        text = query_object
        if isinstance(text, str) and initBindings and set(initBindings) == {"this"} and not initNs and not kwargs:
            if text not in batches:
                batches[text] = _Batch.of(store, text, as_written)
            batch = batches[text]
            if batch is not None:
                rows = batch.rows.get(initBindings["this"], [])
                return SPARQLResult({"type_": "SELECT", "vars_": batch.variables, "bindings": rows})
        if isinstance(text, str) and not kwargs:
            namespaces = initNs or dict(self.namespaces())
            key = (text, frozenset(namespaces.items()))
            if key not in parsed:
                parsed[key] = translateQuery(parseQuery(text), None, namespaces)
            text = parsed[key]
        return original(self, text, processor, result, initNs, initBindings, use_store_provided, **kwargs)

    rdflib.Graph.query = query  # type: ignore[method-assign, assignment]
    try:
        with _prebinding_once():
            yield
    finally:
        rdflib.Graph.query = original  # type: ignore[method-assign]


#: Stand-ins for the focus node and value node while pyshacl prepares a query once (``_prebinding_once``).
_THIS, _VALUE = rdflib.URIRef("urn:rit-graph:this"), rdflib.URIRef("urn:rit-graph:value")


@contextmanager
def _prebinding_once() -> Iterator[None]:
    """Let pyshacl check and prepare each SHACL-SPARQL query once, not once per focus node.

    Before each call, pyshacl tests the query's text with several regular
    expressions (no MINUS, VALUES, SERVICE, ...), which on long queries took
    most of a constraint's time once the queries themselves were answered in
    batches, and then writes the query's prefixes before it again. The text and
    the names it binds depend only on the query, so they are worked out once
    with stand-ins and the focus node put in their place, and the same text is
    the same string, whose hash Python keeps (``_sparql_in_batches`` looks
    queries up by their text). Not thread-safe: pyshacl's methods are replaced meanwhile.
    """
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    original, original_prefixes = SPARQLQueryHelper.pre_bind_variables, SPARQLQueryHelper.apply_prefixes
    prepared: dict[tuple[object, bool, tuple[str, ...]], tuple[dict[str, Any], str]] = {}
    prefixed: dict[tuple[object, str], str] = {}

    def apply_prefixes(self: SPARQLQueryHelper, sparql: str) -> str:
        if (self, sparql) not in prefixed:
            prefixed[self, sparql] = original_prefixes(self, sparql)  # type: ignore[no-untyped-call]
        return prefixed[self, sparql]

    def pre_bind_variables(
        self: SPARQLQueryHelper, thisnode: Any, valuenode: Any = None, extravars: Iterable[str] | None = None
    ) -> tuple[dict[str, Any], str]:
        key = (self, valuenode is None, tuple(sorted(extravars or ())))
        if key not in prepared:
            prepared[key] = original(self, _THIS, None if valuenode is None else _VALUE, extravars)  # type: ignore[no-untyped-call]
        bindings, text = prepared[key]
        instead = {_THIS: thisnode, _VALUE: valuenode}
        return {name: instead.get(node, node) for name, node in bindings.items()}, text

    SPARQLQueryHelper.pre_bind_variables = pre_bind_variables  # type: ignore[method-assign]
    SPARQLQueryHelper.apply_prefixes = apply_prefixes  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLQueryHelper.pre_bind_variables = original  # type: ignore[method-assign]
        SPARQLQueryHelper.apply_prefixes = original_prefixes  # type: ignore[method-assign]


@dataclass
class _Batch:
    """The solutions of a SELECT query with $this free, by the value of $this."""

    variables: list[rdflib.Variable]
    rows: dict[rdflib.term.Identifier, list[dict[rdflib.Variable, rdflib.term.Identifier]]]

    @classmethod
    def of(cls, store: ox.Store, text: str, as_written: dict[ox.Literal, ox.Literal]) -> _Batch | None:
        try:
            solutions = store.query(text)
        except (SyntaxError, OSError, ValueError):
            return None  # rdflib reports it
        if not isinstance(solutions, ox.QuerySolutions):
            return None
        names = [v.value for v in solutions.variables]
        if "this" not in names:
            return None
        this = rdflib.Variable("this")
        rows: dict[rdflib.term.Identifier, list[dict[rdflib.Variable, rdflib.term.Identifier]]] = {}
        for solution in solutions:
            row = {
                rdflib.Variable(n): term(as_written.get(solution[n], solution[n]))
                for n in names
                if solution[n] is not None
            }
            if this not in row:
                return None
            rows.setdefault(row[this], []).append(row)
        return cls([rdflib.Variable(n) for n in names], rows)


def _written_forms(triples: list[ox.Triple]) -> dict[ox.Literal, ox.Literal]:
    """Typed literals of TRIPLES that a store writes in another form, by that form ("P1Y": "P12M")."""
    typed = sorted(
        {t.object for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype.value not in _TEXT},
        key=str,
    )
    store = ox.Store()
    value = ox.NamedNode("urn:rit-graph:value")
    nodes = [ox.NamedNode(f"urn:rit-graph:literal:{i}") for i in range(len(typed))]
    store.bulk_extend(ox.Quad(node, value, literal) for node, literal in zip(nodes, typed, strict=True))
    forms: dict[ox.Literal, ox.Literal] = {}
    for node, literal in zip(nodes, typed, strict=True):
        stored = next(store.quads_for_pattern(node, value, None)).object
        if stored != literal:
            forms[stored] = literal  # type: ignore[index]
    return forms


_TEXT = {str(XSD.string), str(RDF.langString)}


def _drop_shape_messages(results: rdflib.Graph, shapes: rdflib.Graph) -> None:
    """Keep only a SHACL-SPARQL constraint's own message on its results.

    pyshacl adds the message of the node shape too (such as "an event's IRI
    must be …" to "the end date is before the start date"), which misleads.
    """
    for result, constraint in results.subject_objects(SH.sourceConstraint):
        if (constraint, SH.message, None) not in shapes:
            continue
        for message in shapes.objects(results.value(result, SH.sourceShape), SH.message):
            results.remove((result, SH.resultMessage, rdflib.Literal(str(message))))
            results.remove((result, SH.resultMessage, message))


def _keep_english_messages(results: rdflib.Graph, shapes: rdflib.Graph) -> None:
    """Keep only the English message of a result whose shape words it in several languages.

    A shape's message may be given in Japanese too, for the site's shapes page in that language;
    pyshacl puts each on the result (a SHACL-SPARQL constraint's without its language tag), and the
    report, written in English, would show one at random. Messages are told apart by their text.
    """
    worded: dict[str | None, set[str]] = {}
    for message in shapes.objects(None, SH.message):
        worded.setdefault(getattr(message, "language", None), set()).add(str(message))
    english = worded.get("en", set())
    other = set().union(*(texts for language, texts in worded.items() if language not in (None, "en"))) - english
    for result in set(results.subjects(SH.resultMessage, None)):
        messages = list(results.objects(result, SH.resultMessage))
        if any(str(m) in english for m in messages):
            for message in messages:
                if str(message) in other:
                    results.remove((result, SH.resultMessage, message))


def merge_results(found: list[list[ox.Triple]]) -> tuple[bool, list[ox.Triple]]:
    """Whether the reports FOUND hold no violation, and one SHACL report with each distinct result once.

    Results are told apart by their own properties; every node they share
    (focus nodes, shapes, paths) has the same label in every partition.
    """
    merged: list[ox.Triple] = []
    seen: set[frozenset[tuple[ox.NamedNode, _Node]]] = set()
    report = ox.BlankNode("report")
    for triples in found:
        about: dict[_Node, list[ox.Triple]] = {}
        for t in triples:
            about.setdefault(t.subject, []).append(t)
        for result in (t.subject for t in triples if t.object == VALIDATION_RESULT and t.predicate == RDF_TYPE):
            key = frozenset((t.predicate, t.object) for t in about[result])
            if key in seen:
                continue
            seen.add(key)
            merged.append(ox.Triple(report, SH_RESULT, result))
            merged += _described(about, result)
    conforms = not any(t.predicate == SH_SEVERITY and t.object == SH_VIOLATION for t in merged)
    boolean = ox.NamedNode(str(XSD.boolean))
    return conforms, [
        ox.Triple(report, RDF_TYPE, ox.NamedNode(str(SH.ValidationReport))),
        ox.Triple(report, ox.NamedNode(str(SH.conforms)), ox.Literal(str(conforms).lower(), datatype=boolean)),
        *merged,
    ]


def _described(about: dict[_Node, list[ox.Triple]], node: _Node) -> list[ox.Triple]:
    """NODE's triples and those of the blank nodes they lead to (its concise bounded description)."""
    return walk(
        [node], lambda n: ((t, t.object if isinstance(t.object, ox.BlankNode) else None) for t in about.get(n, ()))
    )


def findings_context(results: list[ox.Triple], triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """What a report needs of TRIPLES to name the resources RESULTS are about.

    The focus nodes' own triples (labels), and for blank nodes and literals (the
    focus of a shape that targets values) the triples linking them to their
    parents up to a named one (an annotation for its selectors), at a cost that
    does not grow with the data.
    """
    nodes: set[_Node] = {t.object for t in results if t.predicate == SH_FOCUS_NODE}
    triples = list(triples)
    context: dict[ox.Triple, None] = {}
    while nodes:
        near = [
            t
            for t in triples
            if t.subject in nodes or (isinstance(t.object, ox.BlankNode | ox.Literal) and t.object in nodes)
        ]
        new = [t for t in near if t not in context]
        context.update(dict.fromkeys(new))
        parents: set[_Node] = {
            t.subject for t in new if isinstance(t.object, ox.BlankNode | ox.Literal) and t.object in nodes
        }
        nodes = parents - nodes
    return list(context)


def _rit_prefix_declaration(
    ontology: str, vocabulary: str, shapes: rdflib.Graph
) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]:
    declaration = rdflib.BNode("rit-prefix")
    shapes.add((declaration, SH.prefix, rdflib.Literal("rit")))
    shapes.add((declaration, SH.namespace, rdflib.Literal(vocabulary, datatype=XSD.anyURI)))
    return (rdflib.URIRef(ontology), SH.declare, declaration)


def _in_words(
    base: str, results: list[ox.Triple], data: list[ox.Triple], shapes: rdflib.Graph, notes: Mapping[_Node, str]
) -> list[tuple[str, str, str | None, list[tuple[str, ...]]]]:
    """RESULTS as (anchor, shown name, label, findings) by resource, named and placed from DATA, with NOTES."""
    names = _Names(base, data)
    about: dict[_Node, dict[ox.NamedNode, _Node]] = {}
    for t in results:
        about.setdefault(t.subject, {}).setdefault(t.predicate, t.object)
    focused = {
        r: props[SH_FOCUS_NODE]
        for r, props in about.items()
        if props.get(RDF_TYPE) == VALIDATION_RESULT and SH_FOCUS_NODE in props
    }  # pyshacl always names the focus node; a report from elsewhere might not
    grouped: dict[_Node, list[tuple[str, ...]]] = {}
    for result, focus in focused.items():
        props = about[result]
        anchor = names.named_anchor(focus)
        path, value, message = (props.get(ox.NamedNode(str(p))) for p in (SH.resultPath, SH.value, SH.resultMessage))
        within = "" if focus == anchor else f"({names.trail(focus)}) "
        note = f"; {notes[result]}" if result in notes else ""
        shape = props.get(ox.NamedNode(str(SH.sourceShape)))
        grouped.setdefault(anchor, []).append(
            dataclasses.astuple(
                Finding(
                    SEVERITIES.get(rdflib.URIRef(str(props.get(SH_SEVERITY, SH_VIOLATION).value)), "violation"),  # type: ignore[union-attr]
                    within + (str(message.value) if isinstance(message, ox.Literal) else "does not conform") + note,
                    names.show(path) if isinstance(path, ox.NamedNode) else None,
                    names.show(value) if value is not None and value != focus else None,
                    names.show(ox_node(_node_shape(shapes, term(shape))) if shape is not None else None),  # type: ignore[arg-type]
                    names.show(props.get(ox.NamedNode(str(SH.sourceConstraintComponent)))),
                )
            )
        )
    return [(str(anchor), names.show(anchor), names.label(anchor), findings) for anchor, findings in grouped.items()]


def _files_describing(corpus: Corpus, nodes: set[_Node]) -> dict[_Node, list[str]]:
    """The project folders whose files describe each of NODES."""
    wanted = {str(node): node for node in nodes}
    found: dict[_Node, set[str]] = {}
    for unit in corpus.units:
        for described in wanted.keys() & unit.summary.subjects.keys():
            found.setdefault(wanted[described], set()).add(unit.name if unit.announcement else "data/reference/")
    return {node: sorted(names) for node, names in found.items()}


def _node_shape(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> rdflib.term.Node | None:
    """The named shape a result comes from: a property shape is a blank node that shows as "[]"."""
    if isinstance(shape, rdflib.BNode):
        return next(shapes.subjects(SH.property, shape), shape)
    return shape


def _cut(text: str) -> str:
    """TEXT, or its first SHOWN_CHARACTERS characters and "…"."""
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


class _Names:
    """Short, readable names for nodes in a report."""

    def __init__(self, base: str, data: list[ox.Triple]) -> None:
        self.about: dict[_Node, list[ox.Triple]] = {}
        self.linking: dict[_Node, list[ox.Triple]] = {}
        for t in data:
            self.about.setdefault(t.subject, []).append(t)
            self.linking.setdefault(t.object, []).append(t)
        self.prefixes = [
            ("rit:", base + "ontology#"),
            ("", base),
            *((name + ":", STANDARD_PREFIXES[name]) for name in ("rdf", "rdfs", "xsd")),
            ("sh:", str(SH)),
            *((name + ":", STANDARD_PREFIXES[name]) for name in ("oa", "dcterms")),
        ]

    def show(self, node: _Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, ox.NamedNode):
            for prefix, namespace in self.prefixes:
                if node.value.startswith(namespace):
                    rest = node.value[len(namespace) :]
                    return f"<{rest}>" if prefix == "" else prefix + rest
            return f"<{node.value}>"
        if isinstance(node, ox.Literal):
            quoted = json.dumps(_cut(node.value), ensure_ascii=False)
            length = f" ({len(node.value):,} characters)" if len(node.value) > SHOWN_CHARACTERS else ""
            return quoted + (f"@{node.language}" if node.language else "") + length
        return "[]"

    def label(self, node: _Node) -> str | None:
        labels = {
            t.object.language: t.object.value
            for t in self.about.get(node, ())
            if t.predicate == RDFS_LABEL and isinstance(t.object, ox.Literal)
        }
        label = labels.get("en") or labels.get("de") or next(iter(labels.values()), None)
        return None if label is None else _cut(label)

    def named_anchor(self, node: _Node) -> _Node:
        """The nearest IRI a blank node or a literal hangs from (an annotation for its bodies and selectors)."""
        seen = {node}
        while isinstance(node, ox.BlankNode | ox.Literal):
            parent = next((t.subject for t in self.linking.get(node, ()) if t.subject not in seen), None)
            if parent is None:
                break
            node = parent
            seen.add(node)
        return node

    def trail(self, node: _Node) -> str:
        """How a blank node or a literal hangs from its named anchor, such as 'in oa:hasTarget/oa:hasSelector'.

        A statement also shows the triple it names, so that the fact is found at a glance; a literal (the
        focus of a shape that targets values) is shown as itself, since several properties may give it.
        """
        own = {t.predicate: t.object for t in reversed(self.about.get(node, []))}
        triple = [own.get(p) for p in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT)]
        fact = " statement " + " ".join(self.show(t) for t in triple) if all(t is not None for t in triple) else ""
        if isinstance(node, ox.Literal):
            return "value " + self.show(node)
        steps = []
        seen = {node}
        while isinstance(node, ox.BlankNode):
            link = next((t for t in self.linking.get(node, ()) if t.subject not in seen), None)
            if link is None:
                break
            node = link.subject
            seen.add(node)
            steps.append(self.show(link.predicate))
        return "in " + ("/".join(reversed(steps)) or "[]") + fact
