// What the inbox keeps in this browser (issue 22): the agent's open case tabs, so that they survive a reload. Only
// case numbers are kept, under a key per user; the cases themselves are read from the server again.
// The open tabs cross JS interop as one string, "12,15,9|15" (the open cases, then the shown one; issue 20: a record and
// a list there cost JSON metadata in every circuit); localStorage keeps them as JSON, as before.
export function loadTabs(key) {
  try {
    const raw = window.localStorage.getItem(key);
    const saved = raw ? JSON.parse(raw) : null;
    if (!saved || !Array.isArray(saved.tabs)) return null;
    const tabs = saved.tabs.filter(id => Number.isSafeInteger(id) && id > 0);
    return tabs.join(",") + "|" + (Number.isSafeInteger(saved.active) && saved.active > 0 ? saved.active : "");
  } catch (e) {
    return null;
  }
}

export function saveTabs(key, text) {
  try {
    const [ids, active] = String(text).split("|");
    const tabs = ids ? ids.split(",").map(Number).filter(id => Number.isSafeInteger(id) && id > 0) : [];
    const shown = Number(active);
    if (tabs.length === 0) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify({ tabs: tabs, active: Number.isSafeInteger(shown) && shown > 0 ? shown : null }));
    return true;
  } catch (e) {
    return false;
  }
}

// The case list renders only the tiles in view and a margin (issue 20, InboxTileList): this tells the server which
// tiles are in view whenever what is rendered no longer covers them (the column scrolled, changed size, or the list
// changed), and moves the focus through the tiles with the arrow keys, Home and End (and Tab at the edge of what is
// rendered), scrolling to a tile that is not rendered yet and focusing it once the server has rendered it. The list carries data-start, data-end (the tiles
// rendered) and data-count (the tiles loaded); each tile carries aria-posinset.
export function attachTiles(list, dotnet) {
  if (!list || !dotnet) return { dispose() { } };
  const box = list.closest(".aw-inbox-panel") || list.parentElement;
  let frame = 0;
  let asked = "";
  let pending = 0;

  const tileHeight = () => {
    const tiles = list.querySelectorAll(":scope > li");
    if (tiles.length === 0) return 0;
    let sum = 0;
    tiles.forEach(t => sum += t.getBoundingClientRect().height);
    // Whole pixels: an average that moves by a fraction as tiles come and go does not ask the server again.
    return Math.round(sum / tiles.length);
  };

  const measure = () => {
    frame = 0;
    // A tile given the focus scrolls into view below the column's sticky filters, not under them.
    const sticky = box.querySelector(".aw-filters");
    box.style.scrollPaddingTop = sticky ? `${sticky.offsetHeight}px` : "";
    const tiles = list.querySelectorAll(":scope > li");
    if (tiles.length === 0) return;
    const mean = tileHeight();
    if (!mean) return;
    // The height the server pads the list with (data-h). The rendered tiles' mean moves as the window moves (tiles differ
    // in height): a mean within a tenth of it is not sent, or padding, scroll position and window would chase each other.
    const served = +list.dataset.h || mean;
    const h = Math.abs(mean - served) > served / 10 ? mean : served;
    const count = +list.dataset.count, start = +list.dataset.start, end = +list.dataset.end;
    // The first tile in view, found from where the rendered tiles really are; above or below them, counted through the
    // padding with the server's height, as the server laid it out.
    const viewTop = box.getBoundingClientRect().top;
    const above = tiles[0].getBoundingClientRect().top, below = tiles[tiles.length - 1].getBoundingClientRect().bottom;
    let first;
    if (viewTop < above) first = start - Math.ceil((above - viewTop) / served);
    else if (viewTop >= below) first = end + Math.floor((viewTop - below) / served);
    else {
      first = start;
      for (const tile of tiles) {
        if (tile.getBoundingClientRect().bottom > viewTop) { first = +tile.getAttribute("aria-posinset") - 1; break; }
      }
    }
    first = Math.max(0, Math.min(count - 1, first));
    const visible = Math.ceil(box.clientHeight / Math.min(h, mean)) + 1;
    // Covered while at least two tiles of margin remain rendered on each side (the server renders three).
    const covered = (start === 0 || first - start >= 2) && (end === count || end - (first + visible) >= 2);
    if (covered && h === served && asked.endsWith(`|${visible}|${h}`)) return;
    const key = `${first}|${visible}|${h}`;
    if (key === asked) return;
    asked = key;
    dotnet.invokeMethodAsync("Show", first, visible, h).catch(() => { });
  };
  const schedule = () => { if (!frame) frame = requestAnimationFrame(measure); };

  const focusAt = pos => {
    if (pos < 1 || pos > +list.dataset.count) { pending = 0; return; }
    const target = list.querySelector(`:scope > li[aria-posinset="${pos}"] button`);
    if (target) {
      pending = 0;
      target.focus();
      return;
    }
    // Not rendered: scroll its place into the middle of the column; the server renders it, then it takes the focus.
    pending = pos;
    const h = tileHeight() || 80;
    const top = list.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += top + (pos - 1) * h - box.clientHeight / 2;
    schedule();
  };

  const onKey = e => {
    if (e.key === "Tab" && !e.altKey && !e.ctrlKey && !e.metaKey) {
      // Tab from the last rendered tile goes on to the next tile, not out of the list, however late the server renders
      // it (Shift+Tab likewise from the first rendered one); at the list's ends Tab leaves it as usual.
      const tile = e.target.closest("li[aria-posinset]");
      if (!tile || tile.parentElement !== list) return;
      const pos = pending || +tile.getAttribute("aria-posinset");
      const start = +list.dataset.start, end = +list.dataset.end, count = +list.dataset.count;
      if (!e.shiftKey && pos >= end && end < count) { e.preventDefault(); focusAt(pos + 1); }
      else if (e.shiftKey && pos <= start + 1 && start > 0) { e.preventDefault(); focusAt(pos - 1); }
      return;
    }
    const keys = { ArrowDown: 1, ArrowUp: -1, Home: 0, End: 0 };
    if (!(e.key in keys) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const tile = e.target.closest("li[aria-posinset]");
    if (!tile || tile.parentElement !== list) return;
    e.preventDefault();
    const count = +list.dataset.count;
    // While a tile asked for is not rendered yet, the next key moves on from it.
    const at = pending || +tile.getAttribute("aria-posinset");
    const to = e.key === "Home" ? 1 : e.key === "End" ? count : Math.max(1, Math.min(count, at + keys[e.key]));
    if (to !== at) focusAt(to);
  };

  const changed = new MutationObserver(() => {
    if (pending) focusAt(pending);
    schedule();
  });
  changed.observe(list, { childList: true, attributes: true, attributeFilter: ["data-start", "data-end", "data-count", "data-h"] });
  const resized = new ResizeObserver(schedule);
  resized.observe(box);
  box.addEventListener("scroll", schedule, { passive: true });
  list.addEventListener("keydown", onKey);
  schedule();

  return {
    dispose() {
      changed.disconnect();
      resized.disconnect();
      box.removeEventListener("scroll", schedule);
      list.removeEventListener("keydown", onKey);
      if (frame) cancelAnimationFrame(frame);
    }
  };
}
