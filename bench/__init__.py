"""Benchmarks of the tracker's hot paths at scale (``make bench``); not part of ``make test``."""
