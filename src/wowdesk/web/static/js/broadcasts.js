// Supervisors' broadcasts page: the list is rendered by the server; whenever the console
// socket reports a broadcast event (sent, acknowledged, taken down) the list is fetched
// again and swapped in, keeping open "who has / has not" panels open.
(function () {
  "use strict";
  const list = () => document.querySelector("[data-testid=broadcast-list]");
  let ws = null, retry = 0, timer = null;

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach((t) => {
      const d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.textContent = t.closest("ul") ? When.time(d) : When.dayTime(d);
    });
  }
  async function refresh() {
    const res = await fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!res.ok) return;
    const fresh = new DOMParser().parseFromString(await res.text(), "text/html").querySelector("[data-testid=broadcast-list]");
    const old = list();
    if (!fresh || !old) return;
    const open = new Set(Array.from(old.querySelectorAll("[data-testid=broadcast-row]")).filter((a) => { const d = a.querySelector("details"); return d && d.open; }).map((a) => a.dataset.id));
    fresh.querySelectorAll("[data-testid=broadcast-row]").forEach((a) => { const d = a.querySelector("details"); if (d && open.has(a.dataset.id)) d.open = true; });
    old.replaceWith(fresh);
    localTimes(fresh);
  }
  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 100); }
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/console`);
    ws.onmessage = (ev) => { const e = JSON.parse(ev.data); if (e.type === "ready") { if (retry) soon(); retry = 0; } else if (e.type === "broadcast") soon(); };
    ws.onclose = (ev) => { if (ev.code === 4401) { location.href = "/login?next=/safety/broadcasts&expired=1"; return; } retry = Math.min(retry + 1, 6); setTimeout(connect, 300 * retry); };
  }
  localTimes(document);
  connect();
})();
