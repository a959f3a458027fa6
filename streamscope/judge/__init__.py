"""Judging: pure functions of a Recording. verdict.py (progressive or held, and the reason),
causes.py (which gate held it, the fix, whether Safari shares it), shown.py (what the screen
showed), fix_place.py and first_chunk.py (where in the first chunk a fix goes), comparison.py
(two saved sets of runs)."""
