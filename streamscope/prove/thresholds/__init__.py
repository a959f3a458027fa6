"""Each engine build's thresholds: how many bytes, and how many visible characters, it needs
before it shows a paused stream. measure.py finds them by bisection; cache.py keeps them per
engine build, so every later verdict uses measured values."""
