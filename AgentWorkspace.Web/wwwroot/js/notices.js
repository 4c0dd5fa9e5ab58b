// The agent's notices in the browser (issue 22): the sound, the desktop notification when the tab is hidden, the
// permission for it (asked once, from the click that switches it on), and the choices remembered per user.
// Loaded as a module: the Content-Security-Policy allows scripts from the app only, no inline code, no eval.

export function permission() {
  if (!("Notification" in window)) return "unsupported";
  return Notification.permission; // "default" | "granted" | "denied"
}

// The permission is asked inside the click itself (browsers refuse a request that does not come from a gesture), and
// only while the browser has not answered yet; switching the notices off asks nothing.
export function askOnClick(wrapper, dotnet) {
  const handler = async () => {
    if (!("Notification" in window)) { await dotnet.invokeMethodAsync("PermissionAnswered", "unsupported"); return; }
    const button = wrapper.querySelector("button");
    if (button && button.getAttribute("aria-pressed") === "true") return;
    if (Notification.permission !== "default") { await dotnet.invokeMethodAsync("PermissionAnswered", Notification.permission); return; }
    const answer = await Notification.requestPermission();
    await dotnet.invokeMethodAsync("PermissionAnswered", answer);
  };
  wrapper.addEventListener("click", handler);
  return { dispose: () => wrapper.removeEventListener("click", handler) };
}

// A short tone; nothing when the browser has no audio (or has not been interacted with yet).
export function ring() {
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.type = "sine"; o.frequency.value = 880;
    g.gain.setValueAtTime(0.08, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
    o.connect(g); g.connect(ctx.destination);
    o.start(); o.stop(ctx.currentTime + 0.35);
    o.onended = () => ctx.close();
    return true;
  } catch (e) {
    return false;
  }
}

// A desktop notification, only while the page is hidden (in view, the toast says it); clicking it brings the
// window forward and opens the case. Answers whether one was shown.
export function show(title, body, tag, dotnet, caseId) {
  if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return false;
  const n = new Notification(title, { body: body, tag: tag, lang: document.documentElement.lang || "" });
  n.onclick = () => {
    window.focus();
    dotnet.invokeMethodAsync("OpenFromDesktop", caseId);
    n.close();
  };
  return true;
}

export function load(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (e) {
    return null;
  }
}

export function save(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (e) {
    return false; // storage full or refused: the choices last until the page reloads
  }
}
