// What the inbox keeps in this browser (issue 22): the agent's open case tabs, so that they survive a reload. Only
// case numbers are kept, under a key per user; the cases themselves are read from the server again.
export function loadTabs(key) {
  try {
    const raw = window.localStorage.getItem(key);
    const saved = raw ? JSON.parse(raw) : null;
    if (!saved || !Array.isArray(saved.tabs)) return null;
    return { tabs: saved.tabs.filter(id => Number.isSafeInteger(id) && id > 0), active: Number.isSafeInteger(saved.active) ? saved.active : null };
  } catch (e) {
    return null;
  }
}

export function saveTabs(key, tabs, active) {
  try {
    if (tabs.length === 0) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify({ tabs: tabs, active: active }));
    return true;
  } catch (e) {
    return false;
  }
}
