// Schedule page: forecast contacts, agents required (Erlang C with shrinkage) and agents
// planned by the shifts, per half hour of one day.
(function () {
  "use strict";
  const T = (k, p) => { let s = (window.I18N && window.I18N[k]) || k; for (const [a, b] of Object.entries(p || {})) s = s.replace(`{${a}}`, b); return s; };
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  const iso = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  $("wfm-day").value = iso(new Date(Date.now() + 86400000));

  async function load() {
    const res = await fetch(`/api/v1/workforce/staffing?day=${$("wfm-day").value}`, { credentials: "same-origin" });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { $("wfm-error").textContent = (data.error && data.error.message) || res.statusText; $("wfm-error").hidden = false; return; }
    $("wfm-error").hidden = true;
    $("wfm-csv").href = `/api/v1/workforce/staffing.csv?day=${data.day}`;
    $("wfm-xlsx").href = `/api/v1/workforce/staffing.xlsx?day=${data.day}`;
    const iv = data.intervals, x = iv.map((i) => i.start);
    const short = iv.filter((i) => i.planned < i.scheduled_agents).length;
    $("wfm-summary").textContent = (data.holdout
      ? T("Forecast error on the last week of history: WAPE {wape} % (a week earlier as the forecast: {baseline} %), model {model}",
          { wape: (data.holdout.wape * 100).toFixed(1), baseline: (data.holdout.baseline_wape * 100).toFixed(1), model: data.model })
      : T("Not enough history to measure the forecast error (three weeks are needed)")) + ". " + T("Short of agents in {n} half hours", { n: short }) + ".";
    window.Plotly.react($("wfm-chart"), [
      { x, y: iv.map((i) => i.scheduled_agents), type: "bar", name: T("Required with shrinkage"), marker: { color: "#9aa5d6" } },
      { x, y: iv.map((i) => i.planned), type: "scatter", mode: "lines+markers", name: T("Planned"), line: { color: "#1e7b34", shape: "hv" } },
      { x, y: iv.map((i) => i.volume), type: "scatter", mode: "lines", name: T("Contacts (forecast)"), yaxis: "y2", line: { dash: "dot", color: "#c0392b" } },
    ], { margin: { t: 20, r: 50, b: 50, l: 40 }, legend: { orientation: "h" }, xaxis: { type: "category" },
         yaxis2: { overlaying: "y", side: "right", showgrid: false } }, { displayModeBar: false, responsive: true });
    $("wfm-chart").dataset.intervals = String(iv.length);
    const body = $("wfm-table").querySelector("tbody"); body.textContent = "";
    for (const i of iv) {
      const tr = document.createElement("tr"); tr.dataset.testid = "wfm-row";
      if (i.planned < i.scheduled_agents) tr.className = "short";
      for (const v of [i.start, i.volume, Math.round(i.aht_seconds), i.agents, i.scheduled_agents, i.planned, `${(i.service_level * 100).toFixed(1)} %`, `${(i.occupancy * 100).toFixed(1)} %`]) {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }
  $("wfm-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  load();
})();
