"""RDF in and out, without a project: reading a file safely (``reading``, ``input_limits``), the table
of formats (``formats``), namespaces and prefixes, N-Triples and the one order triples are written in
(``ntriples``), terms between pyoxigraph and rdflib (``terms``), JSON-LD with shipped contexts
(``jsonld``), JSON-LD safe to embed in HTML (``embed``) and dates as the days they cover (``dates``).

May import ``errors`` only.
"""
