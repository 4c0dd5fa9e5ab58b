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
