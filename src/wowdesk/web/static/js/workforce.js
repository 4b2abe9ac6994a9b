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
    $("wfm-summary").classList.remove("muted");  // no longer «counting…»
    if (!res.ok) { $("wfm-summary").textContent = ""; $("wfm-error").textContent = (data.error && data.error.message) || res.statusText; $("wfm-error").hidden = false; return; }
    $("wfm-error").hidden = true;
    $("wfm-csv").href = `/api/v1/workforce/staffing.csv?day=${data.day}`;
    $("wfm-xlsx").href = `/api/v1/workforce/staffing.xlsx?day=${data.day}`;
    const iv = data.intervals, x = iv.map((i) => i.start);
    const short = iv.filter((i) => i.planned < i.scheduled_agents).length;
    $("wfm-summary").textContent = T("Short of agents in {n} half hours", { n: short }) + ". " + (data.holdout
      ? T("Forecast error (WAPE) on the last week of history: {wape} %; the simplest forecast, the same half hour a week earlier, errs by {baseline} %.",
          { wape: (data.holdout.wape * 100).toFixed(0), baseline: (data.holdout.baseline_wape * 100).toFixed(0) }) + " " + T("Model: {model}.", { model: T(data.model) })
      : T("Not enough history to measure the forecast error (three weeks are needed)") + ".");
    $("wfm-basis").textContent = T("Planned from the contacts that reach people (handed off by the bot or started where the bot does not answer), at {concurrency} concurrent chats per operator (measured).", { concurrency: When.number(data.concurrency) });
    const cb = $("wfm-channels").querySelector("tbody"); cb.textContent = "";
    const pct = (v) => `${(v * 100).toFixed(0)} %`;
    for (const c of data.channels) {
      const tr = document.createElement("tr"); tr.dataset.testid = "wfm-channel"; tr.dataset.channel = c.channel;
      for (const v of [T(c.channel), c.contacts, c.offered, pct(c.containment), pct(c.share), Math.round(c.aht_seconds), When.number(c.concurrency)]) {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      }
      cb.appendChild(tr);
    }
    const top = Math.max(1, ...iv.map((i) => Math.max(i.scheduled_agents, i.planned)));
    window.Plotly.react($("wfm-chart"), [
      { x, y: iv.map((i) => i.scheduled_agents), type: "bar", name: T("Required with shrinkage"), marker: { color: "#9aa5d6" } },
      { x, y: iv.map((i) => i.planned), type: "scatter", mode: "lines+markers", name: T("Planned"), line: { color: "#1e7b34", shape: "hv" } },
      { x, y: iv.map((i) => i.volume), type: "scatter", mode: "lines", name: T("Contacts reaching people (forecast)"), yaxis: "y2", line: { dash: "dot", color: "#c0392b" } },
    ], { margin: { t: 20, r: 60, b: 80, l: 60 }, legend: { orientation: "h", y: -0.3 },
         xaxis: { type: "category", tickangle: -45, automargin: true, nticks: 24 },
         yaxis: { title: { text: T("Agents") }, dtick: top > 12 ? Math.ceil(top / 10) : 1, tickformat: "d", rangemode: "tozero", automargin: true },
         yaxis2: { title: { text: T("Contacts reaching people (forecast)") }, overlaying: "y", side: "right", showgrid: false, rangemode: "tozero", tickformat: ".1~f", automargin: true } },
       { displayModeBar: false, responsive: true });
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
