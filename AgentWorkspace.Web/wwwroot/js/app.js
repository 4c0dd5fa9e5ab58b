// Small browser helpers called from Blazor through JS interop.
window.aw = {
  markInteractive: function () { document.body.dataset.interactive = "true"; },
  setTheme: function (theme) {
    document.cookie = "aw-theme=" + encodeURIComponent(theme) + ";path=/;max-age=31536000;samesite=lax";
  }
};
