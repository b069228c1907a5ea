"""A project and what was read from it: the project folder and its settings (``project``), its units
(``load``), quotes anchored in their source text (``anchor``), the partitions validation runs on and
the reference data each unit reaches (``partition``), counts (``stats``), and what the stages of one
run share (``run``).

May import ``runtime``, ``rdf`` and ``errors``.
"""
