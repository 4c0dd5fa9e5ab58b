// The reconnection UI (Components/Layout/ReconnectModal.razor): blazor.web.js raises
// "components-reconnect-state-changed" on #components-reconnect-modal; this shows the matching part.
(function () {
  const modal = document.getElementById("components-reconnect-modal");
  if (!modal) return;
  const done = document.getElementById("aw-reconnected");
  const attempt = document.getElementById("aw-reconnect-attempt");
  const attemptOf = (document.getElementById("aw-reconnect-attempt-of") || {}).textContent || "";
  const attemptN = (document.getElementById("aw-reconnect-attempt-n") || {}).textContent || "";
  let shown = false;
  let doneTimer = 0;

  function setState(state) {
    modal.dataset.state = state;
    for (const el of modal.querySelectorAll("[data-show]")) {
      el.hidden = !el.dataset.show.split(" ").includes(state);
    }
    // Modal (the page underneath cannot be used while it is away), even if something opened it as a plain dialog.
    if (modal.open && !modal.matches(":modal")) modal.close();
    if (!modal.open) modal.showModal();
    shown = true;
  }

  function hide() {
    if (modal.open) modal.close();
    if (shown && done) {
      done.hidden = false;
      clearTimeout(doneTimer);
      doneTimer = setTimeout(function () { done.hidden = true; }, 4000);
    }
    shown = false;
  }

  modal.addEventListener("cancel", function (e) { e.preventDefault(); }); // Escape does not hide a dead page
  modal.addEventListener("components-reconnect-state-changed", function (e) {
    const d = e.detail || {};
    switch (d.state) {
      case "show":
      case "retrying":
        if (attempt) {
          attempt.textContent = !d.currentAttempt ? ""
            : d.maxAttempts ? attemptOf.replace("{0}", d.currentAttempt).replace("{1}", d.maxAttempts)
            : attemptN.replace("{0}", d.currentAttempt);
        }
        setState("reconnecting");
        break;
      case "hide":
        hide();
        break;
      case "failed":
        setState("failed");
        // Coming back to the tab is a good moment to try again.
        document.addEventListener("visibilitychange", retryWhenVisible);
        break;
      case "paused":
        setState("paused");
        break;
      case "resume-failed":
      case "rejected":
        // The server no longer has this page (restarted, or away too long): reloading brings it back.
        setState("gone");
        break;
    }
  });

  async function retry() {
    document.removeEventListener("visibilitychange", retryWhenVisible);
    setState("reconnecting");
    try {
      const ok = await Blazor.reconnect();
      if (!ok) {
        const resumed = typeof Blazor.resumeCircuit === "function" && await Blazor.resumeCircuit();
        if (!resumed) setState("gone"); else hide();
      }
    } catch (err) {
      setState("failed");
      document.addEventListener("visibilitychange", retryWhenVisible);
    }
  }

  async function resume() {
    try {
      const ok = await Blazor.resumeCircuit();
      if (!ok) setState("gone"); else hide();
    } catch (err) {
      setState("gone");
    }
  }

  function retryWhenVisible() {
    if (document.visibilityState === "visible") retry();
  }

  document.getElementById("aw-reconnect-retry").addEventListener("click", retry);
  document.getElementById("aw-reconnect-resume").addEventListener("click", resume);
  document.getElementById("aw-reconnect-reload").addEventListener("click", function () { location.reload(); });
})();
