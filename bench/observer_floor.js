// A floor for the observer's time on the big page, not an observer: `python -m
// bench.observer_variants streamscope/record/observer.js bench/observer_floor.js`.
//
// It does only what any observer that counts visible text as observer.js does must do where a
// parser appends items to a list: read each MutationRecord's type and target, walk the elements
// appended, and read and count each item's text. It keeps nothing on the items (only on the
// lists: where their walk stopped), runs no XPath and reads no record twice, so it is right
// only where every change appends to the end of an element, as on the big page (8,450,000
// characters in 50,000 elements, as observer.js counts them), and wrong as soon as a script
// touches anything counted. Its time there is a floor for streamscope's observer (README,
// "Benchmark figures").
(() => {
  const existing = window.__streamscope;
  if (existing && existing.doc === document) return;
  const state = {
    doc: document,
    id: `${Math.random().toString(36).slice(2)}-${performance.now()}`,
    installed: performance.now(),
    samples: [],
    lastChange: performance.now(),
    busy: 0,
    leaving: null,
  };
  // On elements with child elements, or none yet: WALKED, that they are (2 while in this
  // batch's list); OWN, what their own text held when last read (while they have no child
  // element); LAST, their last element child walked; LAST_TEXT, what it held then where it was
  // counted as an item (the parser may go on appending to its text).
  const WALKED = Symbol("streamscope.walked");
  const OWN = Symbol("streamscope.own");
  const LAST = Symbol("streamscope.last");
  const LAST_TEXT = Symbol("streamscope.lastText");
  const SKIP = new Set(["script", "style", "noscript", "template", "head", "title"]);
  const OTHER_SPACE = /[^\S ]/;  // as observer.js counts
  const textOf = (data) => {
    if (!OTHER_SPACE.test(data)) {
      let spaces = 0;
      for (let i = data.indexOf(" "); i !== -1; i = data.indexOf(" ", i + 1)) spaces += 1;
      return data.length - spaces;
    }
    let n = 0;
    for (let i = 0; i < data.length; i++) if (/\S/.test(data[i])) n++;
    return n;
  };
  let chars = 0;
  let elements = 0;
  const count = (text, before) => {
    chars += text - before;
    elements += (text ? 1 : 0) - (before ? 1 : 0);
  };

  const onRecords = (records) => {
    const start = performance.now();
    const parents = [];  // elements walked before that records appended to, each once
    for (let i = 0, n = records.length; i < n; i++) {
      const record = records[i];
      const target = record.target;
      if (record.type === "childList" && target[WALKED] === 1) {
        target[WALKED] = 2;
        parents.push(target);
      }
    }
    for (let k = 0; k < parents.length; k++) {  // grows as new lists are met
      const parent = parents[k];
      parent[WALKED] = 1;
      if (parent.firstElementChild === null) {  // no child element yet: its own text
        const text = parent === document ? 0 : textOf(parent.textContent);
        count(text, parent[OWN] || 0);
        parent[OWN] = text;
        continue;
      }
      let last = parent[LAST];
      if (parent[LAST_TEXT] !== undefined) {
        const text = textOf(last.textContent);
        count(text, parent[LAST_TEXT]);
        parent[LAST_TEXT] = text;
      }
      for (let el = last ? last.nextElementSibling : parent.firstElementChild; el;
           el = el.nextElementSibling) {
        last = el;
        parent[LAST_TEXT] = undefined;
        if (SKIP.has(el.localName) || el.hasAttribute("hidden")) continue;
        if (el.firstElementChild !== null || el.firstChild === null) {
          el[WALKED] = 2;  // a list, or an element whose children are yet to come
          parents.push(el);
          continue;
        }
        const text = textOf(el.textContent);
        count(text, 0);
        parent[LAST_TEXT] = text;
      }
      parent[LAST] = last;
    }
    const previous = state.samples[state.samples.length - 1];
    if (!previous || previous[1] !== chars || previous[2] !== elements) {
      state.lastChange = performance.now();
      state.samples.push([state.lastChange, chars, elements]);
    }
    state.busy += performance.now() - start;
  };
  new MutationObserver(onRecords).observe(document, {
    childList: true, subtree: true, characterData: true, characterDataOldValue: true,
    attributes: true, attributeFilter: ["hidden"],
  });
  document[WALKED] = 1;  // installed before the first byte is parsed
  window.__streamscope = state;
})();
