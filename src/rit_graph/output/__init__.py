"""What a build writes: dumps assembled from cached pieces (``pieces``, ``build``), the DCAT catalog
(``catalog``), the output folder replaced in one step (``outputs``), the static site (``site``), and
the graph published to a SPARQL store (``publish``).

May import ``stores``, ``schemaorg``, ``validation``, ``query``, ``corpus``, ``runtime``, ``rdf`` and ``errors``.
"""
