"""SHACL validation of a corpus, partition by partition on all cores, reported by resource (``validate``).

May import ``query``, ``corpus``, ``runtime``, ``rdf`` and ``errors``.
"""
