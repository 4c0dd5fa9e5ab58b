// Small browser helpers called from Blazor through JS interop.
window.aw = {
  markInteractive: function () { document.body.dataset.interactive = "true"; },
  setTheme: function (theme) {
    document.cookie = "aw-theme=" + encodeURIComponent(theme) + ";path=/;max-age=31536000;samesite=lax";
  },
  playNotice: function () {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = "sine"; o.frequency.value = 880;
      g.gain.setValueAtTime(0.08, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
      o.connect(g); g.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.35);
    } catch (e) { /* no audio available */ }
  }
};
