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
// the size of the page. The state is kept on elements only: each element a person could see
// is "counted" and holds, under a symbol no page code can name, the visible characters of its
// own text children as counted (TEXT). The totals are the sums over counted elements, so a
// removed or hidden subtree gives back exactly what its counted elements hold, and an element
// moved elsewhere in view keeps what it holds. At the end of every batch the counted elements
// are exactly those in view, each holding what its text children hold then.
//
// Why on elements only: on a 10 MB page of 50,000 items (150,000 records), Firefox spends
// most of the observer's time making a JS object for each node it touches, keeping state on
// it, and reading its text (README, "Benchmark figures": 232 ms when text nodes were touched
// and held state too, about 100 ms now). So where a parser appends, no text node is touched: an
// item without child elements is read whole through textContent, the texts between items are
// told white space by one XPath count, and what a batch appended to an element is found from
// the first record's previous sibling, without the records' NodeLists.
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
  // On counted elements: TEXT, what their own text children hold, and LEN, how many children
  // one had when it was last counted or last changed them. On the targets of childList records,
  // besides: SEEN, the batch that last had records for it, and FROM, the first of them's
  // previousSibling; MIDDLE, the batch in which a record changed its children anywhere but at
  // their end; APPENDED, the batch in which it only gained children after FROM, with GAINED,
  // what the texts among them hold; REPLAY, the batch whose records must be read one by one;
  // RETEXT, the batch in which it gained or lost text children.
  const TEXT = Symbol("streamscope.text");
  const LEN = Symbol("streamscope.len");
  const SEEN = Symbol("streamscope.seen");
  const FROM = Symbol("streamscope.from");
  const MIDDLE = Symbol("streamscope.middle");
  const APPENDED = Symbol("streamscope.appended");
  const GAINED = Symbol("streamscope.gained");
  const REPLAY = Symbol("streamscope.replay");
  const RETEXT = Symbol("streamscope.retext");
  // Taken now, as the XPath expressions below are made now: before any page script could
  // replace what holds them.
  const TEXT_NODE = Node.TEXT_NODE;
  const ELEMENT_NODE = Node.ELEMENT_NODE;
  const FOLLOWING = Node.DOCUMENT_POSITION_FOLLOWING;
  const NUMBER_TYPE = XPathResult.NUMBER_TYPE;
  // What follows a node among its parent's children (ALL: all of an element's children), as one
  // number: twice how many nodes, + 1 where a text among them holds more than white space as
  // XPath knows it (a subset of \s: none of that means nothing to count). Among MANY children
  // or fewer, they are read instead.
  const scanOf = (axis) => document.createExpression(
    `2 * count(${axis}node()) + number(boolean(${axis}text()[normalize-space()]))`);
  const AFTER = scanOf("following-sibling::");
  const ALL = scanOf("");
  const MANY = 8;
  let batch = 0;  // 0: the document as the observer found it; then one a MutationObserver callback
  let chars = 0;
  let elements = 0;
  let body = null;  // the body counted, to notice another taking its place

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
  const shown = (el) => el.isConnected && !hides(el) && visible(el);
  // Characters other than white space, counted without building a string. Where the only white
  // space is the space character (most text a person reads), the spaces are found natively.
  const OTHER_SPACE = /[^\S ]/;  // white space but the space character
  const textOf = (data) => {
    if (!OTHER_SPACE.test(data)) {
      let spaces = 0;
      for (let i = data.indexOf(" "); i !== -1; i = data.indexOf(" ", i + 1)) spaces += 1;
      return data.length - spaces;
    }
    let n = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (!(c === 32 || (c >= 9 && c <= 13) || c === 160 || (c > 255 && /\s/.test(data[i])))) n++;
    }
    return n;
  };
  const setText = (el, after) => {
    const before = el[TEXT];
    el[TEXT] = after;
    chars += after - before;
    if (!before && after) elements += 1;
    if (before && !after) elements -= 1;
  };

  // What the texts among target's children after from (all of them if from is null) hold,
  // where exactly n nodes follow from; -1 where they do not. Among many, one XPath count tells
  // both, and texts that are only white space (the newlines between a parser's items) are not
  // touched.
  const textAfter = (target, from, n) => {
    const first = from ? from.nextSibling : target.firstChild;
    const context = from || target;
    // Gecko refuses an empty text node as the context (XPathExpression::EvaluateWithContext
    // throws NotSupportedError): then the nodes are read here.
    if (n > MANY && (context.nodeType !== TEXT_NODE || context.length)) {
      const found = (from ? AFTER : ALL).evaluate(context, NUMBER_TYPE, null).numberValue;
      if (Math.floor(found / 2) !== n) return -1;
      return found & 1 ? textFrom(first) : 0;
    }
    let count = 0;
    for (let node = first; node; node = node.nextSibling) count += 1;
    return count === n ? textFrom(first) : -1;
  };
  const textFrom = (first) => {
    let sum = 0;
    for (let node = first; node; node = node.nextSibling) {
      if (node.nodeType === TEXT_NODE) sum += textOf(node.data);
    }
    return sum;
  };
  // What an element's own text children hold. Without child elements, all its text is its
  // own: one string, no text node touched.
  const ownText = (el) => (el.firstElementChild === null ? textOf(el.textContent)
    : textAfter(el, null, el.childNodes.length));

  // Counts el, which holds text of its own: what it holds, and whether it is content.
  const hold = (el, name, text) => {
    el[TEXT] = text;
    chars += text;
    if (text) elements += 1;
    if (MEDIA.has(name)) elements += 1;
  };

  // The elements countStack() and countOut() have yet to visit: one array, empty between calls.
  const stack = [];
  // Counts every element under root (root included) not counted yet, skipping invisible
  // subtrees: root must be where a person could see it. A counted element is already as
  // counted, with all it holds.
  const countIn = (root) => {
    stack.push(root);
    countStack();
  };
  // countIn() for every element on the stack.
  const countStack = () => {
    while (stack.length) {
      const el = stack.pop();
      if (el[TEXT] !== undefined) continue;
      let text = 0;
      if (el.firstElementChild === null) {
        text = textOf(el.textContent);
      } else {
        const n = el.childNodes.length;
        text = textAfter(el, null, n);
        el[LEN] = n;  // a list the parser may go on appending to
        countChildren(el, null);
      }
      hold(el, el.localName, text);
    }
  };
  // Counts the element children of parent after from (all of them if null), parent in view:
  // one without child elements by its text alone (a parser's list items, read once each);
  // any other in view is left on the stack for countStack().
  const countChildren = (parent, from) => {
    for (let el = from ? from.nextElementSibling : parent.firstElementChild; el;
         el = el.nextElementSibling) {
      if (el[TEXT] !== undefined) continue;
      const name = el.localName;
      if (INVISIBLE.has(name) || el.hasAttribute("hidden")) continue;
      if (el.firstElementChild !== null) {
        stack.push(el);
        continue;
      }
      hold(el, name, textOf(el.textContent));
    }
  };
  // Gives back what root and every counted element under it hold: root is out of view. An
  // element not counted holds nothing counted: it was out of view, or new in this batch (and a
  // counted one moved into it has a record of its own, from where it was).
  const countOut = (root) => {
    stack.push(root);
    while (stack.length) {
      const el = stack.pop();
      const text = el[TEXT];
      if (text === undefined) continue;
      el[TEXT] = undefined;
      el[LEN] = undefined;  // it changes unobserved out of view
      chars -= text;
      if (text) elements -= 1;
      if (MEDIA.has(el.localName)) elements -= 1;
      for (let child = el.firstElementChild; child; child = child.nextElementSibling) {
        stack.push(child);
      }
    }
  };
  // Puts a record's elements on a list, and tells whether it held any text.
  const gather = (nodes, list) => {
    let text = false;
    for (let i = 0, n = nodes.length; i < n; i++) {
      const node = nodes.item(i);
      if (node.nodeType === ELEMENT_NODE) list.push(node);
      else if (node.nodeType === TEXT_NODE) text = true;
    }
    return text;
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
    // What the records changed, gathered first; the document is read as it is now. A childList
    // record whose target is not counted changed nothing counted: the target is out of view
    // (then so is all it holds) or new in this batch (then it is counted whole below, where
    // it is now), and a counted node it took away has a record from where it was counted.
    const targets = [];  // counted targets of childList records
    const texts = new Map();  // text node -> its data when this batch began
    const out = [];  // elements that may have left the view
    const into = [];  // elements that may have come into it
    // A parser's records alternate between its list and the items in it: the list, once known
    // in this batch and so far changed only at its end, is told by identity alone.
    let appending = null;
    // Indexed, not for...of: over a parser's 150,000 records on the big page, the iterator cost
    // about 10 ms of the observer's 110 in Firefox, as in Chromium (README, "Benchmark figures").
    for (let i = 0, n = records.length; i < n; i++) {
      const record = records[i];
      const target = record.target;
      if (record.type === "childList") {
        if (target !== appending) {
          if (target[TEXT] === undefined) continue;
          if (target[SEEN] !== batch) {
            target[SEEN] = batch;
            target[FROM] = record.previousSibling;
            targets.push(target);
          }
          if (target[MIDDLE] === batch) continue;
        }
        if (record.nextSibling === null) {
          appending = target;
        } else {
          target[MIDDLE] = batch;
          appending = null;
        }
      } else if (record.type === "characterData") {  // a comment's is not content
        if (target.nodeType === TEXT_NODE && !texts.has(target)) texts.set(target, record.oldValue);
      } else if (hides(target)) {  // `hidden` set or taken away
        out.push(target);
      } else {
        into.push(target);
      }
    }
    // A target whose records all changed the end of its children, the first of them after the
    // child it ended with, only gained children after that one (a parser appending): what it
    // gained is found from there. Any other's records are read one by one.
    let replays = false;
    for (const target of targets) {
      const from = target[FROM];
      const before = target[LEN];
      const gained = target.childNodes.length - before;  // NaN where before is unknown
      const text = target[MIDDLE] !== batch && gained >= 0 &&
        (from === null ? before === 0 : from.parentNode === target) ?
        textAfter(target, from, gained) : -1;
      if (text >= 0) {
        target[APPENDED] = batch;
        target[GAINED] = text;
      } else {
        target[REPLAY] = batch;
        replays = true;
      }
    }
    const retext = [];
    if (replays) {
      for (let i = 0, n = records.length; i < n; i++) {
        const record = records[i];
        const target = record.target;
        if (record.type !== "childList" || target[REPLAY] !== batch) continue;
        const hadText = gather(record.removedNodes, out) | gather(record.addedNodes, into);
        if (hadText && target[RETEXT] !== batch) {
          target[RETEXT] = batch;
          retext.push(target);
        }
      }
    }
    // A text changed where nothing else tells: its element, counted, neither gained nor lost
    // text children in this batch, and it is not among what its element gained. Its change is
    // then the difference from its data when the batch began, kept by the record.
    for (const [text, old] of texts) {
      const el = text.parentNode;
      if (!el || el[TEXT] === undefined || el[RETEXT] === batch) continue;
      if (el[APPENDED] === batch && (el[FROM] === null ||
          el[FROM].compareDocumentPosition(text) & FOLLOWING)) continue;
      setText(el, el[TEXT] + textOf(text.data) - textOf(old));
    }
    // Out of view first: what stays in view keeps what it holds, and what comes into view is
    // then counted once, as it is now.
    for (const el of out) if (el[TEXT] !== undefined && !shown(el)) countOut(el);
    if (document.body !== body) {
      if (body && body[TEXT] !== undefined && !shown(body)) countOut(body);
      body = document.body;
      if (body && shown(body)) countIn(body);
    }
    for (const el of retext) if (el[TEXT] !== undefined) setText(el, ownText(el));
    for (const target of targets) {
      const from = target[FROM];
      target[FROM] = undefined;
      if (target[APPENDED] === batch && target[TEXT] !== undefined) {
        countChildren(target, from);
        countStack();
        if (target[GAINED]) setText(target, target[TEXT] + target[GAINED]);
      }
      target[LEN] = target[TEXT] !== undefined ? target.childNodes.length : undefined;
    }
    for (const el of into) if (el[TEXT] === undefined && shown(el)) countIn(el);
    sample();
    state.busy += performance.now() - start;
  };
  new MutationObserver(onRecords).observe(document, {
    childList: true, subtree: true, characterData: true, characterDataOldValue: true,
    attributes: true, attributeFilter: ["hidden"],
  });
  // At the start of any navigation away from this document, before the next one exists: a
  // page that leaves by itself is told from one that finished.
  addEventListener("beforeunload", () => { state.leaving = performance.now(); }, true);
  const start = performance.now();
  body = document.body;
  if (body && shown(body)) countIn(body);  // injected late: what is already there counts
  sample();
  state.busy += performance.now() - start;
  window.__streamscope = state;
})();
