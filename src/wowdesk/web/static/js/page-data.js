// Pages pass their data (translated texts, figures) as JSON blocks, not inline scripts, so
// the Content-Security-Policy can forbid inline script: <script type="application/json"
// data-global="I18N">{…}</script> becomes window.I18N before the page's own scripts run.
(function () {
  for (const el of document.querySelectorAll('script[type="application/json"][data-global]')) {
    try { window[el.dataset.global] = JSON.parse(el.textContent); } catch (e) { /* keep going */ }
  }
})();
