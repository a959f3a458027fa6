"""The in-page observer's running counts against a count of the whole document, in every engine.

A page's script makes hundreds of random changes, many in one MutationObserver batch: nodes
added, removed, moved, removed and put back, hidden and shown, text changed, markup replaced.
After every batch the observer's counts must equal a plain walk of the document that applies
the same definition of content (observer.js's header) without any running state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from streamscope.engines import Engine, PageDriver
from streamscope.record import page_scripts

PAGE = "/probe?count=3&delay=0&item_bytes=60"
LOADED = "return location.href === {url!r} && document.readyState === 'complete';"
ROUNDS, CHANGES = 60, 12

# The observer's definition of content (observer.js's header), counted over the whole document.
RECOUNT = r"""
const INVISIBLE = new Set(["script", "style", "noscript", "template", "head", "title"]);
const MEDIA = new Set(["img", "svg", "canvas", "video", "input", "textarea", "select",
                       "button", "iframe", "object", "embed", "progress", "meter"]);
const recount = () => {
  let chars = 0, count = 0;
  const visit = (el) => {
    if (MEDIA.has(el.localName)) count += 1;
    let holds = false;
    for (const child of el.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const n = child.data.replace(/\s/g, "").length;
        chars += n;
        holds = holds || n > 0;
      } else if (child.nodeType === Node.ELEMENT_NODE && !INVISIBLE.has(child.localName)
                 && !child.hasAttribute("hidden")) {
        visit(child);
      }
    }
    if (holds) count += 1;
  };
  visit(document.body);
  return [chars, count];
};
"""

# Seeded changes (mulberry32), so that a failure names a round that happens again.
CHANGE = RECOUNT + r"""
let state = SEED;
const random = () => {
  state = (state + 0x6D2B79F5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const TAGS = ["div", "p", "span", "li", "b", "img", "button", "script", "style", "template",
              "noscript", "svg", "section"];
const TEXTS = ["hello world", "  \n ", "", "a\u00a0b", "x\u2003y\u3000z", "streamed item"];
const detached = document.createElement("div");
const elements = () => [document.body, ...document.body.querySelectorAll("*"),
                        detached, ...detached.querySelectorAll("*")];
const texts = () => {
  const found = [];
  for (const root of [document.body, detached]) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) found.push(walker.currentNode);
  }
  return found;
};
const nodes = () => [...elements(), ...texts()].filter(
  (node) => node !== document.body && node !== detached);
const fresh = () => {
  if (random() < 0.4) return document.createTextNode(pick(TEXTS));
  const el = document.createElement(pick(TAGS));
  if (random() < 0.7) el.append(pick(TEXTS));
  if (random() < 0.3) el.append(document.createElement(pick(TAGS)));
  if (random() < 0.2) el.hidden = true;
  return el;
};
// A new parent that can hold children: not inside the node itself.
const parentFor = (node) => pick(elements().filter(
  (el) => el !== node && !(node && node.contains(el)) && el.localName !== "img"));
const CHANGES = [
  () => parentFor(null).append(fresh()),
  () => { const p = parentFor(null); p.insertBefore(fresh(), p.firstChild); },
  () => { const n = pick(nodes()); if (n) n.remove(); },
  () => { const n = pick(nodes()); if (n) parentFor(n).append(n); },
  () => { const n = pick(nodes()); if (n && n.parentNode) { const p = n.parentNode;
          const next = n.nextSibling; n.remove(); p.insertBefore(n, next); } },
  () => { const el = pick(elements()); if (el !== document.body) el.hidden = !el.hidden; },
  () => { const t = pick(texts()); if (t) t.data = pick(TEXTS); },
  () => { const t = pick(texts()); if (t) t.appendData(pick(TEXTS)); },
  () => { const el = pick(elements()); if (el !== document.body) el.innerHTML =
          "<p>one <b>two</b></p><img><span hidden>three</span> four"; },
  () => { const n = pick(nodes()); if (n && n.parentNode) n.replaceWith(fresh()); },
  () => { const el = pick(elements()); if (el !== document.body) el.textContent = pick(TEXTS); },
  () => { const n = pick(nodes()); if (n) { detached.append(n); parentFor(n).append(n); } },
  // Many nodes at once, as a parser appends a list's items: white space between them, now and
  // then text (observer.js counts what follows the last child it knew in one go).
  () => { const p = parentFor(null);
          for (let i = 0; i < 6; i++) p.append(fresh(), pick(["\n", "  ", "\u00a0", "x", ""])); },
  // A new element, then an old node moved into it: as a framework wraps what is on screen.
  () => { const el = document.createElement(pick(TAGS)); parentFor(null).append(el);
          const n = pick(nodes());
          if (n && !n.contains(el) && el.localName !== "img") el.append(n); },
];
const wrong = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < CHANGES_PER_ROUND; i++) pick(CHANGES)();
  await new Promise((resolve) => setTimeout(resolve, 0));  // the observer's callback runs
  const s = window.__streamscope, last = s.samples[s.samples.length - 1];
  const expected = recount();
  if (last[1] !== expected[0] || last[2] !== expected[1]) {
    wrong.push({round, observed: [last[1], last[2]], expected});
  }
}
return {wrong, samples: window.__streamscope.samples.length};
"""


@pytest.fixture
def page(browser_engine: Engine, server_url: str) -> Iterator[PageDriver]:
    """A small page with the observer in place, installed as a recording installs it."""
    opened = browser_engine.new_page()
    try:
        opened.add_init_script(page_scripts.OBSERVER)
        opened.navigate(server_url + PAGE, timeout_s=10)
        while opened.evaluate(LOADED.format(url=server_url + PAGE)) is not True:
            time.sleep(0.05)
        opened.evaluate(page_scripts.OBSERVER)  # where init scripts are not run: now
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_running_counts_equal_a_count_of_the_whole_document(page: PageDriver, seed: int):
    numbers = f"const SEED = {seed}, ROUNDS = {ROUNDS}, CHANGES_PER_ROUND = {CHANGES};"
    result = page.evaluate_async(numbers + CHANGE)
    assert result["wrong"] == [], f"seed {seed}: {result['wrong'][:3]}"
    assert result["samples"] > 1


# Each step is one batch; after each, the counts must equal a recount.
STEPS_BEFORE = RECOUNT + r"""
const item = (text) => { const p = document.createElement("p"); p.append(text); return p; };
"""
STEPS_AFTER = r"""
const wrong = [];
for (const [step, change] of steps.entries()) {
  change();
  await new Promise((resolve) => setTimeout(resolve, 0));  // the observer's callback runs
  const s = window.__streamscope, last = s.samples[s.samples.length - 1];
  const expected = recount();
  if (last[1] !== expected[0] || last[2] !== expected[1]) {
    wrong.push({step, observed: [last[1], last[2]], expected});
  }
}
return wrong;
"""

# An element taken out of the document changes unobserved: gaining a child there, then losing
# its last child and gaining two in one batch back in the document, must not pass for a batch
# that only appended (observer.js keeps each list's child count between batches).
OUT_AND_BACK = r"""
const list = document.createElement("div");
const steps = [
  () => list.append(item("one"), item("two"), item("three")),
  () => document.body.append(list),
  () => list.append(item("four")),
  () => list.remove(),
  () => list.append(item("added while out of the document")),
  () => document.body.append(list),
  () => { list.lastChild.remove(); list.append(item("five"), item("six")); },
  // The same with more children than observer.js counts one by one.
  () => { list.lastChild.remove();
          for (let i = 0; i < 10; i++) list.append(item(`seven ${i}`), "\n"); },
];
"""

# A text changed in the batch that also gave its element text children or took some away:
# observer.js counts such a change by the record's old value only where nothing else does.
TEXT_AND_CHILDREN = r"""
const leaf = item("one");
const list = document.createElement("div");
const steps = [
  () => { document.body.append(leaf, list); list.append(item("a"), "b", item("c")); },
  () => { leaf.firstChild.appendData(" two"); leaf.append("three"); },
  () => { leaf.firstChild.data = "four"; leaf.lastChild.remove(); },
  () => { list.childNodes[1].appendData(" old"); list.append(item("d"), "e"); },
  () => { list.append("f"); list.lastChild.appendData(" new"); },
  () => { const text = list.childNodes[1]; leaf.append(text); text.appendData(" moved"); },
  () => { list.insertBefore(document.createTextNode("g"), list.firstChild);
          list.lastChild.data = ""; },
  () => leaf.append(document.createComment("h")),
  () => { leaf.lastChild.data = "a comment is not content"; },
];
"""


@pytest.mark.parametrize("steps", [OUT_AND_BACK, TEXT_AND_CHILDREN],
                         ids=["out-and-back", "text-and-children"])
def test_each_batch_is_counted_as_a_recount_counts(page: PageDriver, steps: str):
    assert page.evaluate_async(STEPS_BEFORE + steps + STEPS_AFTER) == []
