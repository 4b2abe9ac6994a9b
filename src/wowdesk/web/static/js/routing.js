// Supervisors' board: state from the REST API, refreshed whenever the console socket reports
// a routing or queue event (and every 10 s for the waiting times), never by page reloads.
(function () {
  "use strict";
  const T = (k) => (window.I18N && window.I18N[k]) || k;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  let timer = null, ws = null, retry = 0, editing = null;

  async function api(method, url, body) {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrf }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data;
  }
  const showError = (t) => { $("board-error").textContent = t || ""; $("board-error").hidden = !t; };
  const mins = (s) => `${Math.round(s / 60)} ${T("min")}`;
  function cell(tr, text, testid) { const td = document.createElement("td"); td.textContent = text; if (testid) td.dataset.testid = testid; tr.appendChild(td); return td; }

  async function refresh() {
    try {
      const b = await api("GET", "/api/v1/routing/board");
      const qb = $("board-queues").querySelector("tbody"); qb.textContent = "";
      for (const q of b.queues) {
        const tr = document.createElement("tr"); tr.dataset.testid = "queue-row"; tr.dataset.queue = q.queue;
        cell(tr, q.queue || T("General queue")); cell(tr, q.waiting, "queue-waiting"); cell(tr, mins(q.oldest_wait_seconds));
        cell(tr, q.escalated); cell(tr, q.email); cell(tr, q.callback); qb.appendChild(tr);
      }
      if (!b.queues.length) {
        const tr = document.createElement("tr"); const td = cell(tr, T("Nobody is waiting"), "queues-empty"); td.colSpan = 6; qb.appendChild(tr);
      }
      const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`);
      const t = b.today;
      $("today-sl").textContent = pct(t.service_level);
      $("today-sl").className = t.service_level === null ? "" : t.service_level >= b.targets.service_level ? "good" : "bad";
      $("today-contacts").textContent = t.contacts; $("today-abandonment").textContent = pct(t.abandonment);
      $("today-asa").textContent = t.asa === null ? "—" : `${Math.round(t.asa)} ${T("s")}`;
      $("mail-pending").textContent = b.mail.pending || 0; $("mail-failed").textContent = b.mail.failed || 0;
      const ob = $("board-operators").querySelector("tbody"); ob.textContent = "";
      for (const p of b.operators) {
        const tr = document.createElement("tr"); tr.dataset.testid = "operator-row"; tr.dataset.userId = p.user_id;
        cell(tr, `${p.name} (${T(p.role)})`); cell(tr, T(p.status), "operator-status");
        cell(tr, When.time(p.status_since));
        cell(tr, `${p.load}/${p.capacity}`, "operator-load"); cell(tr, p.present ? T("present") : T("silent"));
        const td = cell(tr, ""); const btn = document.createElement("button"); btn.type = "button"; btn.className = "link";
        btn.textContent = T("Edit"); btn.dataset.testid = "operator-edit"; btn.addEventListener("click", () => edit(p)); td.appendChild(btn);
        ob.appendChild(tr);
      }
      showError("");
    } catch (err) { showError(err.message); }
  }
  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 150); }

  async function edit(p) {
    const prof = await api("GET", `/api/v1/operators/${p.user_id}/routing`);
    editing = p.user_id; $("profile").hidden = false; $("profile-name").textContent = p.name; $("profile-saved").hidden = true;
    $("profile-capacity").value = prof.capacity;
    $("profile-skills").value = prof.skills.map((s) => `${s.kind}:${s.value}:${s.level}`).join("\n");
  }
  $("profile-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const skills = $("profile-skills").value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const parts = l.split(":"); const level = Number(parts.length > 2 ? parts.pop() : 3);
      return { kind: parts.shift(), value: parts.join(":").trim(), level };
    });
    try { await api("PUT", `/api/v1/operators/${editing}/routing`, { capacity: Number($("profile-capacity").value), skills }); $("profile-saved").hidden = false; showError(""); refresh(); }
    catch (err) { showError(err.message); }
  });

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/console`);
    ws.onmessage = (ev) => { const e = JSON.parse(ev.data); if (e.type === "ready") { retry = 0; refresh(); } else if (["operator", "conversation", "escalation", "queue", "mail"].includes(e.type)) soon(); };
    ws.onclose = (ev) => { if (ev.code === 4401) { location.href = "/login?next=/routing&expired=1"; return; } retry = Math.min(retry + 1, 6); setTimeout(connect, 300 * retry); };
  }
  connect();
  setInterval(refresh, 10000);
})();
