"""The scripts the recorder runs in a page, besides the observer itself (observer.js).

Each is a function body: it may `return` a JSON value, and runs the same through Playwright
and Selenium.
"""

from __future__ import annotations

from pathlib import Path

OBSERVER = (Path(__file__).parent / "observer.js").read_text()

# The document being left is marked, so that a poll can tell it from the new one.
MARK_OLD_DOCUMENT = (
    "document.__streamscopeOld = true; return performance.timeOrigin + performance.now();"
)

# One poll: null-ish while the old document is still there, else installs the observer if it is
# not yet in place (engines without init scripts) and reports progress. `doc`, the observer's
# own mark of its document, tells one document from the next (observer.js says why not
# performance.timeOrigin); `leaving`, that this one has begun to navigate away.
POLL = (
    "const wall = performance.timeOrigin + performance.now();"
    "if (document.__streamscopeOld) return {old: true, wall: wall};"
    + OBSERVER
    + "const s = window.__streamscope;"
    "const last = s.samples[s.samples.length - 1];"
    "return {old: false, wall: wall, now: performance.now(), readyState: document.readyState,"
    " installed: s.installed, lastChange: s.lastChange, samples: s.samples.length,"
    " shown: Boolean(last && (last[1] || last[2])),"
    " doc: s.id, href: location.href, leaving: s.leaving};"
)

# Everything a recording keeps, read once the page has settled or the time limit ran out.
COLLECT = """
const s = window.__streamscope;
const entries = performance.getEntriesByType("navigation");
const nav = entries[0] || {};
const legacy = performance.timing;
return {
  old: Boolean(document.__streamscopeOld),
  navigated: entries.length > 0,
  samples: s ? s.samples : [],
  installed: s ? s.installed : null,
  timeOrigin: performance.timeOrigin,
  responseEnd: nav.responseEnd || null,
  legacyResponseEnd: legacy.responseEnd ? legacy.responseEnd - legacy.navigationStart : null,
  status: nav.responseStatus || null,
  contentType: document.contentType,
  readyState: document.readyState,
  href: location.href,
  observerMs: s ? s.busy : null,
};
"""
