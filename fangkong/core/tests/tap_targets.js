/* Measured in the page by test_browser_everywhere.py (page.evaluate of this file's text):
   the tap targets lower than 44 px, and the buttons whose label wraps inside a word.
   Tap targets: buttons, inputs, selects, the labels of checkboxes and radios, and links
   used as actions (in tables, lists, navigation, tiles, pagers, tabs). A link inside a
   sentence is part of the text and exempt (WCAG 2.5.8's inline exception). */
(() => {
  const MIN = 44;
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };
  const name = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "")
      .trim().replace(/\s+/g, " ").slice(0, 30);
    return `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ")[0] : ""} "${text}"`;
  };
  const targets = new Set();
  document.querySelectorAll(
    "button, .btn, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
  ).forEach((el) => targets.add(el));
  document.querySelectorAll("input[type=checkbox], input[type=radio]").forEach((el) => {
    const label = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
    targets.add(label || el);
  });
  document.querySelectorAll("td a, th a, li a, nav a, .tiles a, .pager a, .tabs a, .card-head a")
    .forEach((el) => targets.add(el));
  const small = [];
  targets.forEach((el) => {
    if (!shown(el)) { return; }
    const h = el.getBoundingClientRect().height;
    if (h < MIN - 0.5) { small.push(`${name(el)} ${Math.round(h)}px`); }
  });
  // A word broken over two lines: a button's label is one line; in headers, badges, card
  // labels and table cells holding a label (12 characters at most) every short run of CJK
  // characters (up to 4: a word such as 修改, 新增, 汉滨区) or of Latin letters sits on one
  // line. Longer runs and longer cells are sentences, which may wrap.
  const wrapped = [];
  const lines = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    return new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0)
      .map((r) => Math.round(r.top))).size;
  };
  document.querySelectorAll("button, .btn, th, td, .badge, .stat-label, .kpi-label")
    .forEach((el) => {
      if (!shown(el)) { return; }
      const whole = el.matches("button, .btn");
      // A cell holding a sentence wraps as sentences do; a cell holding a label must not.
      if (el.matches("td") && el.innerText.trim().length > 12) { return; }
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        const text = node.textContent;
        if (whole && text.trim() && lines(node, 0, text.length) > 1) {
          wrapped.push(`${name(el)} (label on ${lines(node, 0, text.length)} lines)`);
          continue;
        }
        const words = /(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])|[A-Za-z]{2,}/g;
        let m;
        while ((m = words.exec(text))) {
          if (lines(node, m.index, m.index + m[0].length) > 1) {
            wrapped.push(`${name(el)} "${m[0]}"`);
          }
        }
      }
    });
  return { small, wrapped };
})()
