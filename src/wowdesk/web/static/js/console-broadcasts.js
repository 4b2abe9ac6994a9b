// Broadcast banners in the operator console: the unacknowledged ones are fetched on load,
// on every reconnect (the console's "connection lost" line hides again) and whenever a
// live broadcast event arrives; "Ознакомлен(а)" acknowledges and takes the banner away.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const box = document.querySelector("[data-testid=broadcast-banners]");
  const conn = c.root.querySelector("[data-testid=console-conn]");
  if (!box) return;
  const LEVELS = { info: "Information", warning: "Warning", critical: "Critical", positive: "Recognition" };

  function draw(items) {
    box.textContent = "";
    for (const b of items) {
      const el = document.createElement("div");
      el.className = `broadcast-banner level-${b.level}`; el.dataset.testid = "broadcast-banner"; el.dataset.id = b.id;
      el.setAttribute("role", b.level === "critical" ? "alert" : "status");
      const head = document.createElement("strong");
      head.textContent = `${c.T(LEVELS[b.level] || b.level)} · ${b.author_name || c.T("System")} · ${When.time(b.created_at)}`;
      const text = document.createElement("p"); text.textContent = b.text; text.dataset.testid = "broadcast-banner-text";
      const btn = document.createElement("button"); btn.type = "button"; btn.className = "primary"; btn.dataset.testid = "broadcast-ack";
      const g = c.root.dataset.gender;
      btn.textContent = c.T(g === "f" ? "I have read it [f]" : g === "m" ? "I have read it [m]" : "I have read it");
      btn.addEventListener("click", async () => {
        btn.disabled = true;
        try { await c.api("POST", `/api/v1/safety/broadcasts/${b.id}/ack`); el.remove(); }
        catch (err) { btn.disabled = false; c.showError(err.message); }
      });
      el.append(head, text, btn);
      box.appendChild(el);
    }
    box.hidden = !items.length;
  }
  async function load() {
    try { draw(await c.api("GET", "/api/v1/safety/broadcasts/pending")); } catch (_err) { /* the next event or reconnect retries */ }
  }
  c.root.addEventListener("wowdesk:event", (ev) => { if (ev.detail && ev.detail.type === "broadcast") load(); });
  if (conn) {
    let down = !conn.hidden;
    new MutationObserver(() => { if (conn.hidden && down) load(); down = !conn.hidden; }).observe(conn, { attributes: true, attributeFilter: ["hidden"] });
  }
  load();
})();
