"""Benchmark scripts, each run from the repository's root as a module: ``python -m benchmarks.NAME``
(for example ``.venv/bin/python -m benchmarks.load_test --help``).

They are a package so that they import each other (``benchmarks.serving``, ``benchmarks.synthetic``)
and the tests import them (``from benchmarks.synthetic import make_project``) without changing
``sys.path``. Results go to benchmarks/RESULTS.md.
"""
