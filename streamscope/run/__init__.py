"""A run: URLs x engines recorded, judged and proved (runs.py, lanes.py), what it needs on this
machine (doctor.py, install_deps.py, machine.py), and how it ends (interrupts.py,
malloc_arenas.py)."""
