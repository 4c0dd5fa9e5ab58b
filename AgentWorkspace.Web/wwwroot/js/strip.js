// A row of tabs that scrolls sideways (issue 22, small screens): arrow buttons appear when the row overflows, and
// the active tab ([data-strip-active="true"]) is scrolled into view whenever it changes. The row is Blazor's; this
// only scrolls it and marks the root with data-overflow / data-at-start / data-at-end for the stylesheet.
export function attach(root) {
  const scroller = root.querySelector("[data-strip-scroller]");
  const prev = root.querySelector("[data-strip-prev]");
  const next = root.querySelector("[data-strip-next]");
  if (!scroller) return { dispose() { } };

  const update = () => {
    const max = scroller.scrollWidth - scroller.clientWidth;
    const at = Math.abs(scroller.scrollLeft); // negative in right-to-left pages
    if (max > 1) root.setAttribute("data-overflow", ""); else root.removeAttribute("data-overflow");
    if (at <= 1) root.setAttribute("data-at-start", ""); else root.removeAttribute("data-at-start");
    if (at >= max - 1) root.setAttribute("data-at-end", ""); else root.removeAttribute("data-at-end");
  };

  let shown = null;
  const reveal = () => {
    const active = scroller.querySelector("[data-strip-active='true']");
    if (active && active !== shown) {
      shown = active;
      const a = active.getBoundingClientRect();
      const s = scroller.getBoundingClientRect();
      if (a.left < s.left) scroller.scrollLeft -= s.left - a.left + 8;
      else if (a.right > s.right) scroller.scrollLeft += a.right - s.right + 8;
    }
    update();
  };

  const step = direction => () => {
    const rtl = getComputedStyle(scroller).direction === "rtl" ? -1 : 1;
    scroller.scrollBy({ left: direction * rtl * Math.max(120, scroller.clientWidth * 0.7), behavior: "smooth" });
  };
  const back = step(-1), forward = step(1);
  prev?.addEventListener("click", back);
  next?.addEventListener("click", forward);
  scroller.addEventListener("scroll", update, { passive: true });
  const resized = new ResizeObserver(() => { shown = null; reveal(); });
  resized.observe(scroller);
  const changed = new MutationObserver(reveal);
  changed.observe(scroller, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-strip-active"] });
  reveal();

  return {
    dispose() {
      prev?.removeEventListener("click", back);
      next?.removeEventListener("click", forward);
      scroller.removeEventListener("scroll", update);
      resized.disconnect();
      changed.disconnect();
    }
  };
}
