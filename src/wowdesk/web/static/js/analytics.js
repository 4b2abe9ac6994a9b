// KPI dashboards: the numbers from /api/v1/analytics, a table coloured against the targets,
// and a plotly trend of one KPI (the selection, the team to compare with, the target).
(function () {
  "use strict";
  const T = (k) => (window.I18N && window.I18N[k]) || k;
  const root = document.querySelector("main.analytics");
  const mode = root.dataset.mode;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  const form = $("kpi-filters");
  const KPIS = window.KPIS;
  const UNITS = Object.fromEntries(KPIS.map((k) => [k.key, k]));

  function iso(d) { return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }
  const today = new Date();
  $("kpi-end").value = iso(today);
  $("kpi-start").value = iso(new Date(today.getTime() - 29 * 86400000));

  function fmt(key, v) {
    if (v === null || v === undefined) return "—";
    const unit = UNITS[key].unit;
    if (unit === "share") return `${(v * 100).toFixed(1)} %`;
    if (unit === "seconds") return v >= 120 ? `${Math.floor(v / 60)}:${String(Math.round(v % 60)).padStart(2, "0")}` : `${Math.round(v)} ${T("s")}`;
    if (unit === "score") return v.toFixed(2);
    return String(Math.round(v));
  }
  function verdict(key, v, targets) {
    const t = targets[key];
    if (v === null || v === undefined || t === null || t === undefined || key === "contacts") return "";
    return (UNITS[key].higher_is_better ? v >= t : v <= t) ? "good" : "bad";
  }

  function params(extra) {
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v !== "") q.set(k, v);
    for (const [k, v] of Object.entries(extra || {})) { if (v === null) q.delete(k); else q.set(k, v); }
    return q;
  }
  async function get(url) {
    const res = await fetch(url, { credentials: "same-origin" });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data;
  }
  function showError(t) { $("kpi-error").textContent = t || ""; $("kpi-error").hidden = !t; }

  function table(report) {
    const body = $("kpi-table").querySelector("tbody"); body.textContent = "";
    const add = (row, cls) => {
      const tr = document.createElement("tr"); tr.dataset.testid = "kpi-row"; tr.dataset.key = row.key; if (cls) tr.className = cls;
      const th = document.createElement("th"); th.textContent = row.label; tr.appendChild(th);
      for (const k of KPIS) {
        const td = document.createElement("td"); const v = row.values[k.key];
        td.textContent = fmt(k.key, v); td.dataset.kpi = k.key; td.className = verdict(k.key, v, report.targets); tr.appendChild(td);
      }
      body.appendChild(tr);
    };
    report.rows.forEach((r) => add(r));
    if (report.team) add({ key: "team", label: T("Team"), values: report.team.values }, "team");
    add({ key: "target", label: T("Target"), values: report.targets }, "target");
  }

  function chart(byDay, team, targets) {
    const key = $("kpi-chart-kpi").value;
    const scale = UNITS[key].unit === "share" ? 100 : 1;
    const x = byDay.rows.map((r) => r.key);
    const y = byDay.rows.map((r) => (r.values[key] === null ? null : r.values[key] * scale));
    const flat = (v) => x.map(() => (v === null || v === undefined ? null : v * scale));
    const traces = [{ x, y, name: mode === "me" ? T("Me") : T("Selection"), mode: "lines+markers", type: "scatter" }];
    if (team) traces.push({ x, y: flat(team.values[key]), name: T("Team"), mode: "lines", line: { dash: "dot" } });
    if (targets[key] !== null && targets[key] !== undefined) traces.push({ x, y: flat(targets[key]), name: T("Target"), mode: "lines", line: { dash: "dash", color: "#c0392b" } });
    window.Plotly.react($("kpi-chart"), traces, {
      margin: { t: 20, r: 10, b: 40, l: 50 }, legend: { orientation: "h" }, xaxis: { type: "category" },
      yaxis: { title: UNITS[key].label + (scale === 100 ? ", %" : UNITS[key].unit === "seconds" ? `, ${T("s")}` : "") },
      annotations: x.length ? [] : [{ text: T("no data"), showarrow: false }],
    }, { displayModeBar: false, responsive: true });
    $("kpi-chart").dataset.points = String(x.length);
  }

  let last = null;
  async function load() {
    try {
      if (mode === "me") {
        const q = params();
        const mine = await get(`/api/v1/analytics/me?${q}`);
        table(mine); last = [mine, mine.team, mine.targets];
      } else {
        const q = params();
        const report = await get(`/api/v1/analytics/kpis?${q}`);
        table(report);
        // the trend is by day; when the table already is, the same report serves both
        const byDay = report.group === "day" ? report : await get(`/api/v1/analytics/kpis?${params({ group: "day" })}`);
        $("kpi-csv").href = `/api/v1/analytics/kpis.csv?${q}`;
        $("kpi-xlsx").href = `/api/v1/analytics/kpis.xlsx?${q}`;
        last = [byDay, byDay.team, report.targets];
      }
      chart(...last); showError("");
    } catch (err) { showError(err.message); }
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("kpi-chart-kpi").addEventListener("change", () => { if (last) chart(...last); });
  const refresh = $("kpi-refresh");
  if (refresh) refresh.addEventListener("click", async () => {
    try {
      const res = await fetch("/api/v1/analytics/refresh", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
      if (!res.ok) throw new Error(res.statusText);
      load();
    } catch (err) { showError(err.message); }
  });
  const targetForm = $("target-form");
  if (targetForm) targetForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const kpi = $("target-kpi").value, unit = UNITS[kpi].unit;
    let value = Number($("target-value").value);
    if (unit === "share") value /= 100;  // typed as a percentage
    try {
      const res = await fetch("/api/v1/analytics/targets", {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ kpi, channel: $("target-channel").value, value }),
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
      $("target-saved").hidden = false; showError(""); load();
    } catch (err) { showError(err.message); }
  });
  load();
})();
