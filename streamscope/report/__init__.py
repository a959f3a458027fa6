"""The HTML report: judged recordings in, one self-contained folder with index.html out.

    from streamscope.report import Artifacts, write_report
    write_report(runs, out_dir, artifacts={(url, "chromium", 0): Artifacts(video=...)})

inputs.py defines what goes in, index_page.py renders it with templates/index.html, plots.py
draws the figures (figures_ahead.py, as a run ends) and findings.py words the headline.
"""

import importlib
import threading

from streamscope.report.figures_ahead import FiguresAhead
from streamscope.report.index_page import RAW_JSON, write_report
from streamscope.report.inputs import Artifacts, Judged

__all__ = ["RAW_JSON", "Artifacts", "FiguresAhead", "Judged", "import_plots_early",
           "write_report"]


def import_plots_early() -> None:
    """Imports the figures' module, and so matplotlib (0.4 to 1 s), on a thread of its own,
    for a report drawn later: a run that calls this first has it imported while its first
    engine starts, which mostly waits. write_report waits for it, if it is not done."""
    threading.Thread(target=importlib.import_module, args=("streamscope.report.plots",),
                     name="streamscope-import-plots", daemon=True).start()
