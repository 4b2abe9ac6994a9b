// KPI dashboards: the numbers from /api/v1/analytics, a table coloured against the targets,
// and a plotly trend of one KPI (the selection, the team to compare with, the target).
(function () {
  "use strict";
  const T = (k, p) => { let s = (window.I18N && window.I18N[k]) || k; for (const [a, b] of Object.entries(p || {})) s = s.split(`{${a}}`).join(b); return s; };
  const root = document.querySelector("main.analytics");
  const mode = root.dataset.mode;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  const form = $("kpi-filters");
  const KPIS = window.KPIS;
  const UNITS = Object.fromEntries(KPIS.map((k) => [k.key, k]));

  function iso(d) { return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }
  // the contact center's day (its time zone, as the KPI days), not the browser's
  const todayIso = root.dataset.today || iso(new Date());
  const today = new Date(`${todayIso}T12:00:00`);
  // supervisors open on this week (Monday to today); operators on their last 30 days
  const monday = new Date(today.getTime() - ((today.getDay() + 6) % 7) * 86400000);
  $("kpi-end").value = todayIso;
  $("kpi-start").value = iso(mode === "team" ? monday : new Date(today.getTime() - 29 * 86400000));
  const ddmmyyyy = (isoDay) => `${isoDay.slice(8, 10)}.${isoDay.slice(5, 7)}.${isoDay.slice(0, 4)}`;
  // the table's column groups; a KPI not listed here lands in "Other"
  const GROUPS = [
    ["Volume", ["contacts"]], ["Speed", ["aht", "acw", "frt", "asa"]],
    ["Service", ["service_level", "abandonment", "transfer_rate"]], ["Quality", ["csat", "csat_good", "fcr"]],
    ["People", ["occupancy", "adherence"]], ["Bot", ["containment"]],
  ];
  const known = new Set(GROUPS.flatMap(([, ks]) => ks));
  const groups = GROUPS.map(([g, ks]) => [g, ks.filter((k) => UNITS[k])]).concat([["Other", KPIS.map((k) => k.key).filter((k) => !known.has(k))]]).filter(([, ks]) => ks.length);
  const DEFAULT_COLUMNS = ["contacts", "aht", "frt", "service_level", "abandonment", "csat", "fcr", "occupancy", "adherence"];
  const STORE = `wowdesk.kpi.columns.${mode}`;
  let chosen = new Set(JSON.parse(localStorage.getItem(STORE) || "null") || DEFAULT_COLUMNS.filter((k) => UNITS[k]));
  function columnChooser() {
    const box = $("kpi-column-groups"); if (!box) return;
    box.textContent = "";
    for (const [g, ks] of groups) {
      const fs = document.createElement("fieldset"); const lg = document.createElement("legend"); lg.textContent = T(g); fs.appendChild(lg);
      for (const k of ks) {
        const l = document.createElement("label"); const cb = document.createElement("input"); cb.type = "checkbox"; cb.value = k; cb.checked = chosen.has(k);
        cb.dataset.testid = "kpi-column"; cb.title = UNITS[k].formula;
        cb.addEventListener("change", () => { if (cb.checked) chosen.add(k); else chosen.delete(k); localStorage.setItem(STORE, JSON.stringify([...chosen])); if (lastReport) table(lastReport); });
        l.append(cb, document.createTextNode(UNITS[k].label)); fs.appendChild(l);
      }
      box.appendChild(fs);
    }
  }
  let lastReport = null;

  function fmt(key, v) {
    if (v === null || v === undefined) return "—";
    const unit = UNITS[key].unit;
    if (unit === "share") return `${(v * 100).toFixed(1)} %`;
    if (unit === "seconds") return When.seconds(v, T("s"));
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
    lastReport = report;
    const cols = groups.map(([g, ks]) => [g, ks.filter((k) => chosen.has(k))]).filter(([, ks]) => ks.length);
    const keys = cols.flatMap(([, ks]) => ks);
    const head = $("kpi-table").querySelector("thead"); head.textContent = "";
    const gr = document.createElement("tr"); gr.className = "groups";
    const corner = document.createElement("th"); corner.className = "sticky"; gr.appendChild(corner);
    for (const [g, ks] of cols) { const th = document.createElement("th"); th.colSpan = ks.length; th.textContent = T(g); gr.appendChild(th); }
    const hr = document.createElement("tr");
    const h0 = document.createElement("th"); h0.className = "sticky"; hr.appendChild(h0);
    for (const k of keys) { const th = document.createElement("th"); th.textContent = UNITS[k].label; th.title = UNITS[k].formula; th.dataset.kpi = k; hr.appendChild(th); }
    head.append(gr, hr);
    const body = $("kpi-table").querySelector("tbody"); body.textContent = "";
    const add = (row, cls) => {
      const tr = document.createElement("tr"); tr.dataset.testid = "kpi-row"; tr.dataset.key = row.key; if (cls) tr.className = cls;
      const th = document.createElement("td"); th.className = "sticky"; th.textContent = row.label; th.title = row.label; tr.appendChild(th);
      // conversations no operator handled: none of them is a person's loss, so no colours
      if (report.group === "operator" && row.key === "0" && report.nobody) {
        const n = report.nobody, td = document.createElement("td");
        td.colSpan = keys.length; td.className = "note"; td.dataset.testid = "nobody-breakdown";
        td.textContent = T("Resolved by the bot: {bot} · abandoned in the queue: {abandoned} · answered: {answered} (of {contacts})", { bot: n.bot_resolved, abandoned: n.abandoned, answered: n.answered, contacts: n.contacts });
        tr.classList.add("nobody"); tr.appendChild(td); body.appendChild(tr); return;
      }
      for (const k of keys) {
        const td = document.createElement("td"); const v = row.values[k];
        td.textContent = fmt(k, v); td.dataset.kpi = k; td.className = cls === "target" ? "" : verdict(k, v, report.targets); tr.appendChild(td);
      }
      body.appendChild(tr);
    };
    report.rows.forEach((r) => add(report.group === "day" && r.key === todayIso ? { ...r, label: `${r.label} (${T("partial day")})` } : r));
    if (report.team) add({ key: "team", label: T("Team"), values: report.team.values }, "team");
    add({ key: "target", label: T("Target"), values: report.targets }, "target");
  }

  async function tiles() {
    const box = $("kpi-tiles"); if (!box) return;
    const o = await get("/api/v1/analytics/overview");
    box.textContent = "";
    const tile = (testid, title, tip, big, cls, subs) => {
      const el = document.createElement("div"); el.className = "tile"; el.dataset.testid = testid; el.title = tip || "";
      const h = document.createElement("h3"); h.textContent = title;
      const b = document.createElement("div"); b.className = `big ${cls || ""}`; b.textContent = big; b.dataset.testid = `${testid}-value`;
      el.append(h, b);
      for (const t of subs) { const sp = document.createElement("span"); sp.className = "sub"; sp.textContent = t; el.appendChild(sp); }
      box.appendChild(el);
    };
    tile("tile-queue", T("Queue now"), "", String(o.waiting), o.waiting ? "bad" : "good", [T("waiting, the oldest {min} min", { min: Math.round(o.oldest_wait_seconds / 60) })]);
    for (const t of o.tiles) {
      tile(`tile-${t.key}`, t.label, t.formula, fmt(t.key, t.today), verdict(t.key, t.today, { [t.key]: t.target }),
        [`${T("This week")}: ${fmt(t.key, t.week)}`, `${T("target")}: ${fmt(t.key, t.target)}`]);
    }
    const a = o.at_target;
    tile("tile-at-target", T("Operators at target"), Object.entries(a.by_kpi).map(([k, v]) => `${UNITS[k] ? UNITS[k].label : k}: ${v[0]}/${v[1]}`).join("\n"),
      a.share === null ? "—" : `${(a.share * 100).toFixed(0)} %`, a.share === null ? "" : a.share >= a.goal ? "good" : "bad",
      [T("{n} of {total}, goal {goal} %", { n: a.at_target, total: a.operators, goal: Math.round(a.goal * 100) }), `${T("This week")}`]);
  }

  // the trend never shows fewer days than this: the page opens on this week, a single point
  // on a Monday; a shorter period is drawn with the days before it, the period itself shaded
  const MIN_TREND_DAYS = 14;
  const dayOf = (isoDay) => new Date(`${isoDay}T12:00:00`);
  function trendStart(start, end) {
    const last = end || todayIso;
    const first = iso(new Date(dayOf(last).getTime() - (MIN_TREND_DAYS - 1) * 86400000));
    return start && start < first ? start : first;
  }
  function axisTitle(key) {
    const unit = UNITS[key].unit, label = UNITS[key].label;
    if (unit === "share") return `${label}, %`;
    if (unit === "seconds") return `${label}, ${T("s")}`;
    if (unit === "score") return `${label}, ${T("average rating 1–5")}`;
    return label;
  }

  function chart(byDay, team, targets, period) {
    const key = $("kpi-chart-kpi").value;
    const scale = UNITS[key].unit === "share" ? 100 : 1;
    const rows = byDay.rows;
    const x = rows.map((r) => ddmmyyyy(r.key));
    const raw = rows.map((r) => r.values[key]);
    const y = raw.map((v) => (v === null || v === undefined ? null : v * scale));
    const flat = (v) => x.map(() => (v === null || v === undefined ? null : v * scale));
    // hover reads as the table does (m:ss, %, two decimals), not the plotted number
    const hover = (values) => ({ customdata: values.map((v) => fmt(key, v)), hovertemplate: "%{x}: %{customdata}<extra>%{fullData.name}</extra>" });
    // today is not over: its point alone is drawn apart (hollow, dotted from the day
    // before), never as a drop; a today without a value (early morning) is not drawn at all
    const at = rows.length && rows[rows.length - 1].key === todayIso ? rows.length - 1 : -1;
    const partial = at >= 0 && y[at] !== null;
    const full = at >= 0 ? y.map((v, i) => (i === at ? null : v)) : y;
    const traces = [{ x, y: full, name: mode === "me" ? T("Me") : T("Selection"), mode: "lines+markers", type: "scatter", ...hover(raw) }];
    if (partial) {
      if (at > 0 && y[at - 1] !== null) {
        traces.push({ x: x.slice(at - 1, at + 1), y: y.slice(at - 1, at + 1), mode: "lines", type: "scatter", line: { dash: "dot", color: "#999" }, showlegend: false, hoverinfo: "skip" });
      }
      traces.push({ x: [x[at]], y: [y[at]], name: T("today, partial day"), mode: "markers", type: "scatter",
        marker: { symbol: "circle-open", size: 10, color: "#999" }, ...hover([raw[at]]) });
    }
    const teamValue = team ? team.values[key] : null;
    if (team) traces.push({ x, y: flat(teamValue), name: T("Team"), mode: "lines", line: { dash: "dot" }, ...hover(x.map(() => teamValue)) });
    if (targets[key] !== null && targets[key] !== undefined) traces.push({ x, y: flat(targets[key]), name: T("Target"), mode: "lines", line: { dash: "dash", color: "#c0392b" }, ...hover(x.map(() => targets[key])) });
    // the chosen period, shaded when the trend reaches back before it
    const from = period && period.start ? rows.findIndex((r) => r.key >= period.start) : 0;
    const shaded = from > 0 ? [{ type: "rect", xref: "x", yref: "paper", x0: from - 0.5, x1: x.length - 0.5, y0: 0, y1: 1, fillcolor: "rgba(52, 152, 219, 0.08)", line: { width: 0 }, layer: "below" }] : [];
    window.Plotly.react($("kpi-chart"), traces, {
      margin: { t: 20, r: 10, b: 70, l: 60 }, legend: { orientation: "h", y: -0.35 }, xaxis: { type: "category", tickangle: -45, automargin: true },
      yaxis: { title: { text: axisTitle(key) }, automargin: true },
      shapes: shaded,
      annotations: x.length ? (partial ? [{ x: x[at], y: y[at], text: T("partial day"), showarrow: true, arrowhead: 0, ay: -30 }] : []) : [{ text: T("no data"), showarrow: false }],
    }, { displayModeBar: false, responsive: true });
    $("kpi-chart").dataset.points = String(x.length);
    $("kpi-chart").dataset.partial = String(Boolean(partial));
    const note = $("kpi-chart-note");
    if (note) {
      note.hidden = !(from > 0);
      note.textContent = from > 0 ? T("The period is shorter than {n} days: the trend shows the last {n}, the period shaded", { n: MIN_TREND_DAYS }) : "";
    }
  }

  async function relativeList() {
    const list = $("relative-list"); if (!list) return;
    const items = await get("/api/v1/analytics/targets/relative").catch(() => []);
    list.textContent = "";
    for (const r of items) {
      const li = document.createElement("li"); li.dataset.testid = "relative-item";
      li.textContent = T("{kpi} {rel} % against {start}–{end} ({base}) → {value}", {
        kpi: UNITS[r.kpi] ? UNITS[r.kpi].label : r.kpi, rel: `${r.relative > 0 ? "+" : ""}${Math.round(r.relative * 100)}`,
        start: ddmmyyyy(r.baseline_start), end: ddmmyyyy(r.baseline_end), base: fmt(r.kpi, r.baseline_value), value: fmt(r.kpi, r.value) });
      list.appendChild(li);
    }
  }

  let last = null;
  async function load() {
    try {
      const q = params();
      const period = { start: q.get("start"), end: q.get("end") };
      const from = trendStart(period.start, period.end);
      // the table keeps the chosen period; only the trend reaches back further
      const longer = from !== period.start;
      if (mode === "me") {
        const mine = await get(`/api/v1/analytics/me?${q}`);
        table(mine);
        const trend = longer ? await get(`/api/v1/analytics/me?${params({ start: from })}`) : mine;
        last = [trend, trend.team, trend.targets, period];
      } else {
        if (!q.get("group")) q.set("group", "operator");
        const report = await get(`/api/v1/analytics/kpis?${q}`);
        table(report);
        // the trend is by day; when the table already is (and covers its days), the same
        // report serves both
        const byDay = report.group === "day" && !longer ? report : await get(`/api/v1/analytics/kpis?${params({ group: "day", start: from })}`);
        $("kpi-csv").href = `/api/v1/analytics/kpis.csv?${q}`;
        $("kpi-xlsx").href = `/api/v1/analytics/kpis.xlsx?${q}`;
        last = [byDay, byDay.team, report.targets, period];
      }
      chart(...last); showError("");
      if (mode === "team") { await tiles(); await relativeList(); }
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
  const relForm = $("relative-form");
  if (relForm) {
    $("relative-start").value = iso(new Date(today.getTime() - 60 * 86400000));
    $("relative-end").value = iso(new Date(today.getTime() - 31 * 86400000));
    relForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = new FormData(relForm);
      try {
        const res = await fetch("/api/v1/analytics/targets/relative", {
          method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ kpi: f.get("kpi"), relative: Number(f.get("relative")) / 100, baseline_start: f.get("baseline_start"), baseline_end: f.get("baseline_end") }),
        });
        const data = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
        showError(""); load();
      } catch (err) { showError(err.message); }
    });
  }
  columnChooser();
  load();
})();
