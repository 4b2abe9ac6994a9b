// Incident pages for supervisors: durations tick live, the list follows new flags (it polls
// the API and reloads when something changed), and the detail page's buttons (status, send
// to technical support, move a flag) call the REST API.
(function () {
  "use strict";
  const T = (k) => (window.I18N && window.I18N[k]) || k;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const root = document.querySelector(".incidents");
  const $ = (id) => root.querySelector(`[data-testid=${id}]`);

  async function api(method, url, body) {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrf }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401) { location.href = `/login?next=${encodeURIComponent(location.pathname)}&expired=1`; throw new Error("401"); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data;
  }
  // the same words as pages.duration_text on the server
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds)), m = Math.floor(s / 60), h = Math.floor(s / 3600), d = Math.floor(s / 86400);
    const fill = (k, v) => Object.entries(v).reduce((t, [n, x]) => t.replace(`{${n}}`, x), T(k));
    if (d) return fill("{d} d {h} h", { d, h: h % 24 });
    if (h) return fill("{h} h {m} min", { h, m: m % 60 });
    if (m) return fill("{m} min", { m });
    return fill("{s} s", { s });
  }
  function tick() {
    root.querySelectorAll("[data-began]").forEach((el) => {
      const end = el.dataset.resolved ? new Date(el.dataset.resolved) : new Date();
      el.textContent = duration((end - new Date(el.dataset.began)) / 1000);
    });
  }
  root.querySelectorAll("time[data-local]").forEach((el) => { el.textContent = When.dayTime(el.dateTime); });
  tick(); setInterval(tick, 1000);

  if (root.dataset.page === "list") {
    const table = $("incidents-table");
    const filter = $("incidents-filter");
    filter.addEventListener("change", () => filter.form.submit());
    setInterval(async () => {
      const status = table.dataset.status;
      const items = await api("GET", "/api/v1/safety/incidents" + (status ? `?status=${encodeURIComponent(status)}` : "")).catch(() => null);
      if (!items) return;
      const signature = items.map((i) => `${i.id}:${i.flags}:${i.status};`).join("");
      if (signature !== table.dataset.signature) { $("incidents-changed").hidden = false; location.reload(); }
    }, 10000);
    return;
  }

  const id = Number(root.dataset.incidentId);
  const errorEl = $("incident-error");
  const showError = (text) => { errorEl.textContent = text || ""; errorEl.hidden = !text; };
  const statusForm = $("status-form");
  if (statusForm) statusForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const status = ev.submitter && ev.submitter.value;
    try { await api("POST", `/api/v1/safety/incidents/${id}/status`, { status, note: statusForm.note.value }); location.reload(); }
    catch (err) { showError(err.message); }
  });
  const send = $("send-report");
  if (send) send.addEventListener("click", async () => {
    send.disabled = true; showError(""); const result = $("send-result");
    result.hidden = false; result.textContent = T("Sending…");
    try {
      await api("POST", `/api/v1/safety/incidents/${id}/send`);
      result.textContent = T("Report accepted");
      setTimeout(() => location.reload(), 800);
    } catch (err) {
      result.hidden = true; showError(err.message); send.disabled = false;
      redrawDeliveries();
    }
  });
  async function redrawDeliveries() {
    const detail = await api("GET", `/api/v1/safety/incidents/${id}`).catch(() => null);
    if (!detail) return;
    const body = $("deliveries").querySelector("tbody"); body.textContent = "";
    for (const x of detail.deliveries) {
      const tr = document.createElement("tr"); tr.dataset.testid = "delivery-row";
      for (const text of [When.dayTime(x.at), T(x.channel), x.target]) { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); }
      const td = document.createElement("td"); const span = document.createElement("span");
      span.className = x.ok ? "notice" : "error"; span.textContent = x.ok ? "✓" : x.error; td.appendChild(span); tr.appendChild(td);
      body.appendChild(tr);
    }
  }
  root.querySelectorAll("[data-testid=move-form]").forEach((form) => form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const target = form.incident_id.value;
    try {
      const moved = await api("POST", `/api/v1/safety/flags/${form.dataset.flagId}/move`, { incident_id: target ? Number(target) : null });
      location.href = `/safety/incidents/${moved.id}`;
    } catch (err) { showError(err.message); }
  }));
})();
