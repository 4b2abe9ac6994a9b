// The routing board's live adherence: who should be on the line now and is not, who is on a
// break longer than planned, who is online outside their shift. Polled every 20 s.
(function () {
  "use strict";
  const T = (k, p) => { let s = (window.I18N_ADHERENCE && window.I18N_ADHERENCE[k]) || k; for (const [a, b] of Object.entries(p || {})) s = s.replace(`{${a}}`, b); return s; };
  const table = document.querySelector("[data-testid=adherence-table] tbody");
  const TEXT = {
    absent: (r) => T("Should be on the line, is not: {n} min", { n: r.minutes }),
    long_break: (r) => T("Break longer than planned: {n} min", { n: r.minutes }),
    off_shift: () => T("Online outside the shift"),
    "": () => T("On plan"),
  };
  async function refresh() {
    const res = await fetch("/api/v1/workforce/adherence/live", { credentials: "same-origin" });
    if (!res.ok) return;
    const rows = await res.json();
    table.textContent = "";
    for (const r of rows) {
      const tr = document.createElement("tr"); tr.dataset.testid = "adherence-row"; tr.dataset.problem = r.problem;
      if (r.problem === "absent" || r.problem === "long_break") tr.className = "bad";
      const shift = r.shift_starts_at ? `${When.time(r.shift_starts_at)}–${When.time(r.shift_ends_at)}` : "—";
      for (const v of [r.name, T(r.status), shift, TEXT[r.problem](r)]) { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); }
      table.appendChild(tr);
    }
    if (!rows.length) { const tr = document.createElement("tr"); const td = document.createElement("td"); td.colSpan = 4; td.textContent = T("Nobody is due on the line now"); tr.appendChild(td); table.appendChild(tr); }
  }
  refresh();
  setInterval(refresh, 20000);
})();
