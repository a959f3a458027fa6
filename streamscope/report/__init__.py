"""The HTML report: judged recordings in, one self-contained folder with index.html out.

    from streamscope.report import Artifacts, write_report
    write_report(runs, out_dir, artifacts={(url, "chromium"): Artifacts(video=...)})

inputs.py defines what goes in, page.py renders it with templates/index.html, plots.py
draws the figures and findings.py words the headline.
"""

from streamscope.report.inputs import Artifacts, Judged
from streamscope.report.page import RAW_JSON, write_report

__all__ = ["RAW_JSON", "Artifacts", "Judged", "write_report"]
