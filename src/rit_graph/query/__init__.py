"""SPARQL queries: the check that keeps them read-only and closed (``querycheck``), evaluation, limits
and result formats (``sparql``), and the pool of worker processes that runs them under those limits
(``querypool``): whose query runs next (``turns``), the process that forks every worker without
threads (``forkserver``), and what a worker does (``worker``).

May import ``runtime``, ``rdf`` and ``errors``.
"""
