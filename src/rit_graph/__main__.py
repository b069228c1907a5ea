"""``python -m rit_graph``: the command line, as ``rit-graph``."""

from rit_graph.cli import main

main()
