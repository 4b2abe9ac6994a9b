// The supervisor's /safety page is rendered by the server; this only keeps it current: a
// switch, request or decision made elsewhere (another supervisor, an operator's request)
// arrives over the console socket and reloads the page, unless a form is being filled in.
(function () {
  "use strict";
  const changed = document.querySelector("[data-testid=safety-changed]");
  let ws = null, retry = 0, pending = false;

  function busy() {
    const el = document.activeElement;
    if (el && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) return true;
    return Array.from(document.querySelectorAll("main input:not([type=hidden]), main textarea"))
      .some((i) => (i.type === "checkbox" ? i.checked : i.value.trim() !== ""));
  }
  function reloadWhenIdle() {
    changed.hidden = false;
    if (pending) return;
    pending = true;
    const tryReload = () => { if (busy()) setTimeout(tryReload, 2000); else location.reload(); };
    setTimeout(tryReload, 300);
  }
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/console`);
    ws.onmessage = (ev) => {
      const e = JSON.parse(ev.data);
      if (e.type === "ready") retry = 0;
      else if (e.type === "safety") reloadWhenIdle();
    };
    ws.onclose = (ev) => {
      if (ev.code === 4401) return;
      retry = Math.min(retry + 1, 6); setTimeout(connect, 300 * retry);
    };
  }
  connect();
})();
