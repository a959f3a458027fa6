"""Benchmarks: scripts that print figures. Run them from the repository root, e.g.
`python -m bench.run`, so that `bench` is importable beside the installed packages."""
