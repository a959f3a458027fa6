"""Proving: what a verdict needs measured or shown in a browser again. thresholds/ (how many
bytes and characters an engine build waits for), replay.py and verify.py (a recorded response
served again, unchanged and fixed), fixed_chunk.py (the remedies put in their places)."""
