// Small browser helpers called from Blazor through JS interop.
window.aw = {
  markInteractive: function () { document.body.dataset.interactive = "true"; },
  setTheme: function (theme) {
    document.cookie = "aw-theme=" + encodeURIComponent(theme) + ";path=/;max-age=31536000;samesite=lax";
  }
};

// Menus written as <details class="aw-menu"> (the language choice, issue 20): closed by Escape (the focus back on
// their button) and by a click elsewhere, as MudBlazor's menus are. No circuit is involved.
document.addEventListener("keydown", e => {
  if (e.key !== "Escape") return;
  const open = e.target instanceof Element ? e.target.closest("details.aw-menu[open]") : null;
  if (!open) return;
  open.removeAttribute("open");
  open.querySelector("summary")?.focus();
});
document.addEventListener("click", e => {
  document.querySelectorAll("details.aw-menu[open]").forEach(menu => {
    if (!(e.target instanceof Node) || !menu.contains(e.target) || e.target.closest(".aw-menu-item")) menu.removeAttribute("open");
  });
});

// The layout's skip link (MainLayout): moves the focus to the page's main region. Taken before Blazor's link handling
// (capture), which would treat "#main" as a navigation; no circuit is involved.
window.addEventListener("click", e => {
  const skip = e.target instanceof Element ? e.target.closest("a.aw-skip-link") : null;
  if (!skip) return;
  e.preventDefault();
  const main = document.getElementById("main");
  main?.focus();
}, true);

// The navigation drawer over a narrow screen closes on Escape, as by a click on its overlay; the focus goes back to
// its toggle.
document.addEventListener("keydown", e => {
  if (e.key !== "Escape" || e.defaultPrevented) return;
  const overlay = document.querySelector("[data-testid=nav-overlay]");
  if (!overlay || getComputedStyle(overlay).display === "none") return;
  if (document.querySelector("details.aw-menu[open]")) return;
  overlay.click();
  document.querySelector(".aw-nav-toggle-narrow")?.focus();
});
