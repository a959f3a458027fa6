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
//
// What a parser costs per item is what counts on a big page (a 10 MB page of 50,000 items
// brings 150,000 records). Variants timed on such a page found what costs Gecko more than
// Blink there (README, "Benchmark figures"): Maps and Sets keyed by nodes (moving that state
// onto the nodes took a third off the observer's time on a script-built copy in Firefox, in
// the same minutes), an object made for each
// counted node, and each MutationRecord's NodeLists (a fixed cost). So what a node
// contributes is kept on the node itself, as numbers and nodes under symbols that no page
// code can name, and a record inside an element that this batch walked for the first time is
// skipped whole: that walk, done at the batch's end, already counted whatever the record
// added, and nothing in such an element can have been counted before it. And where a batch
// only appended to an element (a parser's list), what it appended is found by one walk from
// the first record's previous sibling, the element's child count before and after telling
// that nothing was taken away, without the records' NodeLists: 14 % of the observer's time on
// the big page in Firefox, 20 % in Chromium (README, "Benchmark figures").
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
  // Kept on the nodes (see above), as numbers and nodes: an object made per node cost Firefox
  // more than the two properties (measured on the big page). PART: a counted node's
  // contribution, its visible characters (text) or true (a content element); OWNER: the
  // element that held a counted text node when it was counted; HELD: how many counted text
  // nodes with text an element holds; BORN: the batch in which add() first walked an element.
  const PART = Symbol("streamscope.part");
  const OWNER = Symbol("streamscope.owner");
  const HELD = Symbol("streamscope.held");
  const BORN = Symbol("streamscope.born");
  // On the targets of childList records only: LEN, how many children one had at the end of the
  // last batch that changed them (unknown again once it leaves the document: a detached
  // element changes unobserved); SEEN, the batch that last had records for it, and FROM, the
  // first of them's previousSibling; MIDDLE, the batch in which a record changed its children
  // anywhere but at their end.
  const LEN = Symbol("streamscope.len");
  const SEEN = Symbol("streamscope.seen");
  const FROM = Symbol("streamscope.from");
  const MIDDLE = Symbol("streamscope.middle");
  const REPLAY = Symbol("streamscope.replay");  // the batch whose records it must replay
  let batch = 0;  // 0: the document as the observer found it; then one a MutationObserver callback
  let chars = 0;
  let elements = 0;

  const hides = (el) => INVISIBLE.has(el.localName) || el.hasAttribute("hidden");
  // Whether a connected node is where a person could see it: under the body, outside any
  // invisible subtree. What is found of each ancestor is kept for one batch of records, during
  // which the document does not change: the items a parser appends to one list look up from it
  // once a batch, not once each.
  let shows = new Map();  // element -> whether content inside it could be seen
  const visible = (node) => {
    const parent = node.parentElement;
    const known = parent && shows.get(parent);
    if (known !== undefined) return known || node === document.body;
    const path = [];
    let result = false;
    for (let el = parent; el; el = el.parentElement) {
      const cached = shows.get(el);
      if (cached !== undefined) { result = cached; break; }
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
    const before = parent[HELD] || 0;
    const after = before + delta;
    parent[HELD] = after;
    if (!before && after) elements += 1;
    if (before && !after) elements -= 1;
  };
  const countText = (node) => {
    const n = textOf(node.data);
    if (!n) return;
    node[PART] = n;
    node[OWNER] = node.parentNode;
    chars += n;
    holdText(node.parentNode, 1);
  };
  const uncount = (node) => {
    const part = node[PART];
    if (!part) return;
    node[PART] = undefined;
    if (part === true) { elements -= 1; return; }
    chars -= part;
    holdText(node[OWNER], -1);
    node[OWNER] = undefined;
  };
  // The nodes add() and remove() have yet to visit: one array, empty between calls, rather
  // than one made for each of the records a parser brings.
  const stack = [];
  const add = (root) => {
    if (!root[PART] && root.isConnected && visible(root)) addShown(root);
  };
  // add() for a node known to be connected where it could be seen, and not counted whole.
  const addShown = (root) => {
    if (root.nodeType === Node.TEXT_NODE) { countText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE || hides(root)) return;
    stack.push(root);
    while (stack.length) {
      const node = stack.pop();
      if (node.nodeType === Node.TEXT_NODE) {
        if (!node[PART]) countText(node);
      } else if (node.nodeType === Node.ELEMENT_NODE && (node === root || !hides(node))) {
        if (node[BORN] === undefined) node[BORN] = batch;
        if (MEDIA.has(node.localName) && !node[PART]) {
          node[PART] = true;
          elements += 1;
        }
        for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
      }
    }
  };
  const remove = (root) => {
    stack.push(root);
    while (stack.length) {
      const node = stack.pop();
      uncount(node);
      if (node[LEN] !== undefined) node[LEN] = undefined;
      for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
    }
  };

  const sample = () => {
    const last = state.samples[state.samples.length - 1];
    if (last && last[1] === chars && last[2] === elements) return;
    state.lastChange = performance.now();
    state.samples.push([state.lastChange, chars, elements]);
  };
  const onRecords = (records) => {
    const start = performance.now();
    shows = new Map();
    batch += 1;
    // Text and `hidden` are counted as the document is now; childList records are first only
    // gathered by target, without their NodeLists. A target add() has walked before is
    // `known`; any other (an element new in this batch, above all) is `fresh`, and marks
    // nothing on itself here: a parser brings a fresh one per item.
    const known = [];
    const fresh = [];
    for (const record of records) {
      if (record.type === "childList") {
        const target = record.target;
        if (target[BORN] === undefined) {
          fresh.push(target);
          continue;
        }
        if (target[SEEN] !== batch) {
          target[SEEN] = batch;
          target[FROM] = record.previousSibling;
          known.push(target);
        }
        if (record.nextSibling !== null) target[MIDDLE] = batch;
      } else if (record.type === "characterData") {
        const node = record.target;
        uncount(node);
        if (node.isConnected && visible(node)) countText(node);
      } else if (record.type === "attributes") {  // `hidden` set or taken away
        const el = record.target;
        if (hides(el)) remove(el); else add(el);
      }
    }
    // A known target whose records all changed the end of its children (a parser appending)
    // kept every child it had before them, and gained what now follows the first record's
    // previous sibling, exactly when it has as many more children as follow that sibling:
    // then one walk from there counts all it gained, and none of its records' NodeLists is
    // read (in Gecko, making them and the wrappers of what they hold cost more than counting
    // it). Any other target's records are replayed one by one.
    let replays = false;
    for (const target of known) {
      const from = target[FROM];
      target[FROM] = undefined;
      const before = target[LEN];
      let appended = -1;  // unknown
      if (target[MIDDLE] !== batch && before !== undefined &&
          (from === null || from.parentNode === target)) {
        appended = 0;
        let node = from ? from.nextSibling : target.firstChild;
        // What a person could see of one child, they could of any: asked once.
        const shown = node !== null && node.isConnected && visible(node);
        for (; node; node = node.nextSibling) {
          if (shown && !node[PART]) addShown(node);
          appended += 1;
        }
      }
      const now = target.childNodes.length;
      if (appended < 0 || now !== before + appended) {
        target[REPLAY] = batch;
        replays = true;
      }
      target[LEN] = target.isConnected ? now : undefined;
    }
    for (const target of fresh) {
      // One walked for the first time in this batch: that walk counted all it holds, and
      // nothing in it can have been counted before.
      if (target[BORN] !== batch) {
        target[REPLAY] = batch;
        replays = true;
      }
    }
    if (replays) {
      for (const record of records) {
        const target = record.target;
        if (record.type !== "childList" || target[REPLAY] !== batch) continue;
        if (target[BORN] === batch) continue;  // walked whole by an earlier record's add()
        const removed = record.removedNodes;
        for (let i = 0, n = removed.length; i < n; i++) {
          // A node put back later in the batch is counted where it ends up: its own record
          // may be one of those skipped.
          const node = removed.item(i);
          remove(node);
          if (node.isConnected) add(node);
        }
        const added = record.addedNodes;
        for (let i = 0, n = added.length; i < n; i++) add(added.item(i));
      }
    }
    for (const target of fresh) {
      // Known from the next batch on, where it was walked now: a list the parser goes on
      // appending to. One child or none (a parsed item and its text) is not worth a property.
      if (target[BORN] === batch && target[LEN] === undefined && target.isConnected &&
          target.firstChild !== target.lastChild) target[LEN] = target.childNodes.length;
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
