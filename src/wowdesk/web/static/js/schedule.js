// The schedule's week view: operators × days with their shifts; add, delete, copy a week,
// fill from a 2/2 or 5/2 template, import a CSV (all rows or none, errors by line).
(function () {
  "use strict";
  const T = (k, p) => { let s = (window.I18N && window.I18N[k]) || k; for (const [a, b] of Object.entries(p || {})) s = s.replace(`{${a}}`, b); return s; };
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  let monday = null, tz = "Europe/Moscow";

  async function api(method, url, body, isForm) {
    const headers = { "X-CSRF-Token": csrf };
    if (body && !isForm) headers["Content-Type"] = "application/json";
    const res = await fetch(url, { method, credentials: "same-origin", headers, body: isForm ? body : body ? JSON.stringify(body) : undefined });
    const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
    if (!res.ok) { const e = new Error((data.error && data.error.message) || res.statusText); e.data = data.error || {}; throw e; }
    return data;
  }
  const show = (id, t) => { $(id).textContent = t || ""; $(id).hidden = !t; };
  const addDays = (iso, n) => { const d = new Date(`${iso}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };
  const ddmm = (iso) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
  const fmt = (s) => new Intl.DateTimeFormat(When.lang(), { timeZone: tz, hour: "2-digit", minute: "2-digit" }).format(new Date(s));
  const localDay = (s) => new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(new Date(s));
  // the zone's offset at a local wall time, so a typed 09:00 is 09:00 in the contact center
  function offsetOf(iso) {
    const d = new Date(`${iso}T12:00:00Z`);
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" }).formatToParts(d);
    const name = (parts.find((p) => p.type === "timeZoneName") || {}).value || "GMT";
    const m = name.match(/GMT([+-]\d{2}):?(\d{2})?/);
    return m ? `${m[1]}:${m[2] || "00"}` : "+00:00";
  }

  async function load(day) {
    try {
      const w = await api("GET", `/api/v1/workforce/schedule${day ? `?day=${day}` : ""}`);
      monday = w.monday; tz = w.timezone;
      $("week-title").textContent = T("Week of {day}", { day: ddmm(monday) });
      const head = $("week-grid").querySelector("thead"); head.textContent = "";
      const hr = document.createElement("tr");
      const th0 = document.createElement("th"); th0.textContent = T("Operator"); hr.appendChild(th0);
      for (let i = 0; i < 7; i++) { const th = document.createElement("th"); th.textContent = `${T(DAYS[i])} ${ddmm(addDays(monday, i)).slice(0, 5)}`; hr.appendChild(th); }
      head.appendChild(hr);
      const body = $("week-grid").querySelector("tbody"); body.textContent = "";
      for (const sel of [$("shift-user"), $("template-user")]) {
        sel.textContent = "";
        for (const o of w.operators) { const opt = document.createElement("option"); opt.value = o.user_id; opt.textContent = o.name; sel.appendChild(opt); }
      }
      for (const o of w.operators) {
        const tr = document.createElement("tr"); tr.dataset.testid = "week-row"; tr.dataset.user = o.user_id;
        const name = document.createElement("th"); name.textContent = o.name; tr.appendChild(name);
        for (let i = 0; i < 7; i++) {
          const iso = addDays(monday, i), td = document.createElement("td");
          for (const s of w.shifts.filter((s) => s.user_id === o.user_id && localDay(s.starts_at) === iso)) {
            const chip = document.createElement("span"); chip.className = "shift"; chip.dataset.testid = "shift";
            chip.textContent = `${fmt(s.starts_at)}–${fmt(s.ends_at)} `;
            const x = document.createElement("button"); x.type = "button"; x.className = "link"; x.textContent = "×";
            x.setAttribute("aria-label", T("Delete this shift?"));
            x.addEventListener("click", async () => { if (!confirm(T("Delete this shift?"))) return; try { await api("DELETE", `/api/v1/workforce/shifts/${s.id}`); load(monday); } catch (e) { show("week-error", e.message); } });
            chip.appendChild(x); td.appendChild(chip);
          }
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
      if (!$("shift-day").value) $("shift-day").value = monday;
      if (!$("template-from").value) $("template-from").value = monday;
      show("week-error", "");
    } catch (e) { show("week-error", e.message); }
  }

  $("week-prev").addEventListener("click", () => load(addDays(monday, -7)));
  $("week-next").addEventListener("click", () => load(addDays(monday, 7)));
  $("week-copy").addEventListener("click", async () => {
    try { const r = await api("POST", "/api/v1/workforce/shifts/copy-week", { source: monday, target: addDays(monday, 7) }); show("week-notice", T("Copied: {n} shifts", { n: r.written })); load(addDays(monday, 7)); }
    catch (e) { show("week-error", e.message); }
  });
  $("shift-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target), day = f.get("day"), off = offsetOf(day);
    const start = f.get("start"), end = f.get("end");
    const endDay = end <= start ? addDays(day, 1) : day;
    try {
      await api("POST", "/api/v1/workforce/shifts", { user_id: Number(f.get("user_id")), starts_at: `${day}T${start}:00${off}`, ends_at: `${endDay}T${end}:00${offsetOf(endDay)}` });
      show("week-notice", T("Written: {n} shifts", { n: 1 })); load(day);
    } catch (e) { show("week-error", e.message); }
  });
  $("template-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const pieces = String(f.get("pieces")).split(",").map((p) => p.trim()).filter(Boolean).map((p) => { const [start, end] = p.split("-").map((x) => x.trim()); return { start, end }; });
    try {
      const r = await api("POST", "/api/v1/workforce/shifts/template", { user_id: Number(f.get("user_id")), pattern: f.get("pattern"), first_day: f.get("first_day"), days: Number(f.get("days")), pieces });
      show("week-notice", T("Written: {n} shifts", { n: r.written })); load(f.get("first_day"));
    } catch (e) { show("week-error", e.message); }
  });
  $("import-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const list = $("import-errors"); list.textContent = "";
    try {
      const r = await api("POST", "/api/v1/workforce/shifts/import", new FormData(ev.target), true);
      show("week-notice", T("Imported {n} shifts", { n: r.written })); show("week-error", ""); load(monday);
    } catch (e) {
      show("week-error", e.message);
      for (const line of e.data.errors || []) { const li = document.createElement("li"); li.dataset.testid = "import-error"; li.textContent = line; list.appendChild(li); }
    }
  });
  load(new URLSearchParams(location.search).get("day"));
})();
