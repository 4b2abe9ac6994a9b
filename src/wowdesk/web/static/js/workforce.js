// Schedule page: forecast contacts, agents required (Erlang C with shrinkage) and agents
// planned by the shifts, per half hour of one day; the service level the schedule gives
// beside the one the required agents would. Numbers through When (the page's language).
(function () {
  "use strict";
  const T = (k, p) => { let s = (window.I18N && window.I18N[k]) || k; for (const [a, b] of Object.entries(p || {})) s = s.replace(`{${a}}`, b); return s; };
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  const pct = (v, digits = 1) => `${When.number(Math.round(v * 100 * 10 ** digits) / 10 ** digits)} %`;
  const num = (v) => When.number(v);
  const secs = (v) => When.seconds(v, T("s"));
  // plotly's decimal and thousands marks, as the page's language writes 1000.5: «1 000,5»
  const marks = When.number(1000.5).replace(/\d/g, ""), separators = marks.slice(-1) + (marks.slice(0, -1) || " ");
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
          { wape: num(Math.round(data.holdout.wape * 100)), baseline: num(Math.round(data.holdout.baseline_wape * 100)) }) + " " + T("Model: {model}.", { model: T(data.model) })
      : T("Not enough history to measure the forecast error (three weeks are needed)") + ".");
    $("wfm-basis").textContent = T("Planned from the contacts that reach people (handed off by the bot or started where the bot does not answer), at {concurrency} concurrent chats per operator (measured).", { concurrency: num(data.concurrency) });
    $("wfm-at-required").textContent = T("At the required count, target {target} %", { target: num(Math.round(data.sl_target * 1000) / 10) });
    const cb = $("wfm-channels").querySelector("tbody"); cb.textContent = "";
    for (const c of data.channels) {
      const tr = document.createElement("tr"); tr.dataset.testid = "wfm-channel"; tr.dataset.channel = c.channel;
      for (const v of [T(c.channel), num(c.contacts), num(c.offered), pct(c.containment, 0), pct(c.share, 0), secs(c.aht_seconds), num(c.concurrency)]) {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      }
      cb.appendChild(tr);
    }
    const top = Math.max(1, ...iv.map((i) => Math.max(i.scheduled_agents, i.planned)));
    window.Plotly.react($("wfm-chart"), [
      { x, y: iv.map((i) => i.scheduled_agents), type: "bar", name: T("Required with shrinkage"), marker: { color: "#9aa5d6" } },
      { x, y: iv.map((i) => i.planned), type: "scatter", mode: "lines+markers", name: T("Planned"), line: { color: "#1e7b34", shape: "hv" } },
      { x, y: iv.map((i) => i.volume), type: "scatter", mode: "lines", name: T("Contacts reaching people (forecast)"), yaxis: "y2", line: { dash: "dot", color: "#c0392b" } },
    ], { separators, margin: { t: 20, r: 60, b: 80, l: 60 }, legend: { orientation: "h", y: -0.3 },
         xaxis: { type: "category", tickangle: -45, automargin: true, nticks: 24 },
         yaxis: { title: { text: T("Agents") }, dtick: top > 12 ? Math.ceil(top / 10) : 1, tickformat: "d", rangemode: "tozero", automargin: true },
         yaxis2: { title: { text: T("Contacts reaching people (forecast)") }, overlaying: "y", side: "right", showgrid: false, rangemode: "tozero", tickformat: ".1~f", automargin: true } },
       { displayModeBar: false, responsive: true });
    $("wfm-chart").dataset.intervals = String(iv.length);
    const body = $("wfm-table").querySelector("tbody"); body.textContent = "";
    for (const i of iv) {
      const tr = document.createElement("tr"); tr.dataset.testid = "wfm-row";
      if (i.planned < i.scheduled_agents) tr.className = "short";
      // the schedule's service level: 0 where contacts come and nobody is on shift, said so
      const uncovered = i.volume > 0 && i.planned === 0;
      const cells = [i.start, num(i.volume), secs(i.aht_seconds), num(i.agents), num(i.scheduled_agents), num(i.planned),
        uncovered ? `${pct(0)} · ${T("nobody scheduled")}` : pct(i.planned_service_level), pct(i.service_level), pct(i.occupancy)];
      cells.forEach((v, k) => {
        const td = document.createElement("td"); td.textContent = v;
        if (k === 6 && i.planned_service_level < data.sl_target) td.className = "bad";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }
  $("wfm-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  load();
})();
