// The in-page observer: records every change of the body's content on the page's own clock.
// Installed before the first byte is parsed where the engine allows (an init script), else
// injected as soon as the document exists. Idempotent: a second run in a document does nothing.
(() => {
  const existing = window.__streamscope;
  if (existing && existing.doc === document) return;
  const state = {
    doc: document,
    installed: performance.now(),
    samples: [],  // [ms since navigation start, body text length, body element count]
    lastChange: performance.now(),
  };
  let last = [-1, -1];
  const sample = () => {
    const body = document.body;
    const text = body ? body.textContent.length : 0;
    const elements = body ? body.getElementsByTagName("*").length : 0;
    if (text === last[0] && elements === last[1]) return;
    last = [text, elements];
    state.lastChange = performance.now();
    state.samples.push([state.lastChange, text, elements]);
  };
  new MutationObserver(sample).observe(document, {childList: true, subtree: true, characterData: true});
  sample();
  window.__streamscope = state;
})();
