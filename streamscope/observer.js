// The in-page observer: records, on the page's own clock, how much content a person could see.
// Installed before the first byte is parsed where the engine allows (an init script), else
// injected as soon as the document exists. Idempotent: a second run in a document does nothing.
//
// Content is what can be seen, not what the DOM holds: text outside script, style, noscript,
// template and `hidden` subtrees (React streams each Suspense boundary into a <div hidden> and
// reveals it with a script), counted without white space; and content elements: those holding
// such text, images, svg, canvas, video and form controls. An empty <div> or an early <script>
// is not content. CSS that hides content (display: none) is not seen here; the paint recording
// is what tells that.
//
// Counts are kept running from the MutationRecords, so a batch costs what it changed, never
// the size of the page: each counted node remembers its contribution, and a removed or hidden
// subtree gives back exactly what it had given.
(() => {
  const existing = window.__streamscope;
  if (existing && existing.doc === document) return;
  const INVISIBLE = new Set(["script", "style", "noscript", "template", "head", "title"]);
  const MEDIA = new Set(["img", "svg", "canvas", "video", "input", "textarea", "select",
                         "button", "iframe", "object", "embed", "progress", "meter"]);
  const state = {
    doc: document,
    // Tells this document from the next. Not performance.timeOrigin: WebKitGTK computes it
    // anew at each call from two clocks read one after the other, and on a busy machine two
    // calls in one document differed by up to 100 ms (streamscope#22).
    id: `${Math.random().toString(36).slice(2)}-${performance.now()}`,
    installed: performance.now(),
    samples: [],  // [ms since navigation start, visible text chars, content elements]
    lastChange: performance.now(),
    busy: 0,  // ms of the page's main thread spent here: what observing costs the page
    leaving: null,  // when the document began to navigate away, if it did
  };
  const counted = new Map();  // node -> its contribution: {chars, parent} or {element: true}
  const holders = new Map();  // element -> how many counted text nodes with text it holds
  let chars = 0;
  let elements = 0;

  const hides = (el) => INVISIBLE.has(el.localName) || el.hasAttribute("hidden");
  // Whether a connected node is where a person could see it: under the body, outside any
  // invisible subtree. What is found of each ancestor is kept for one batch of records, during
  // which the document does not change: the items a parser appends to one list look up from it
  // once a batch, not once each.
  let shows = new Map();  // element -> whether content inside it could be seen
  const visible = (node) => {
    const path = [];
    let result = false;
    for (let el = node.parentElement; el; el = el.parentElement) {
      const known = shows.get(el);
      if (known !== undefined) { result = known; break; }
      path.push(el);
      if (hides(el)) break;
      if (el === document.body) { result = true; break; }
    }
    for (const el of path) shows.set(el, result);
    return result || node === document.body;
  };
  // Characters other than white space, counted without building a string.
  const textOf = (data) => {
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (!(c === 32 || (c >= 9 && c <= 13) || c === 160 || (c > 255 && /\s/.test(data[i])))) n++;
    }
    return n;
  };

  const holdText = (parent, delta) => {
    const before = holders.get(parent) || 0;
    const after = before + delta;
    if (after) holders.set(parent, after); else holders.delete(parent);
    if (!before && after) elements += 1;
    if (before && !after) elements -= 1;
  };
  const countText = (node) => {
    const n = textOf(node.data);
    if (!n) return;
    counted.set(node, {chars: n, parent: node.parentNode});
    chars += n;
    holdText(node.parentNode, 1);
  };
  const uncount = (node) => {
    const part = counted.get(node);
    if (!part) return;
    counted.delete(node);
    if (part.element) { elements -= 1; return; }
    chars -= part.chars;
    holdText(part.parent, -1);
  };
  // Every node of a subtree, stopping at invisible ones when `skipHidden`.
  const walk = (root, skipHidden, visit) => {
    const stack = [root];
    while (stack.length) {
      const node = stack.pop();
      if (node.nodeType === Node.ELEMENT_NODE && skipHidden && node !== root && hides(node)) {
        continue;
      }
      visit(node);
      for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
    }
  };
  const add = (root) => {
    if (counted.has(root) || !root.isConnected || !visible(root)) return;
    if (root.nodeType === Node.ELEMENT_NODE && hides(root)) return;
    walk(root, true, (node) => {
      if (counted.has(node)) return;
      if (node.nodeType === Node.TEXT_NODE) countText(node);
      else if (node.nodeType === Node.ELEMENT_NODE && MEDIA.has(node.localName)) {
        counted.set(node, {element: true});
        elements += 1;
      }
    });
  };
  const remove = (root) => walk(root, false, uncount);

  const sample = () => {
    const last = state.samples[state.samples.length - 1];
    if (last && last[1] === chars && last[2] === elements) return;
    state.lastChange = performance.now();
    state.samples.push([state.lastChange, chars, elements]);
  };
  const onRecords = (records) => {
    const start = performance.now();
    shows = new Map();
    for (const record of records) {
      if (record.type === "childList") {
        record.removedNodes.forEach(remove);
        record.addedNodes.forEach(add);
      } else if (record.type === "characterData") {
        const node = record.target;
        uncount(node);
        if (node.isConnected && visible(node)) countText(node);
      } else if (record.type === "attributes") {  // `hidden` set or taken away
        const el = record.target;
        if (hides(el)) remove(el); else add(el);
      }
    }
    sample();
    state.busy += performance.now() - start;
  };
  new MutationObserver(onRecords).observe(document, {
    childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ["hidden"],
  });
  // At the start of any navigation away from this document, before the next one exists: a
  // page that leaves by itself is told from one that finished.
  addEventListener("beforeunload", () => { state.leaving = performance.now(); }, true);
  const start = performance.now();
  if (document.body) add(document.body);  // injected late: what is already there counts
  sample();
  state.busy += performance.now() - start;
  window.__streamscope = state;
})();
