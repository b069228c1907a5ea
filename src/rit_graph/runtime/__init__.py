"""How work runs: the cache of computed values, keyed by content and by rit-graph's own code
(``cache``); forked worker processes (``forking``) without network (``sandbox``); progress on a
terminal (``progress``).

May import ``rdf`` and ``errors``.
"""
