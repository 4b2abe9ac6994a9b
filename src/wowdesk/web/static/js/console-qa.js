// The open conversation's quality score in the console's right column: the total and each
// criterion not met (or critical) with its evidence (which message, which phrase). Loaded
// on "wowdesk:open"; when the conversation closes, auto-QA scores it within seconds, so the
// panel asks again a few times until the score is there.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const { root, T, api } = c;
  const $ = (id) => root.querySelector(`[data-testid=${id}]`);
  const box = $("qa-panel");
  if (!box) return;
  let shown = null, timer = null, tries = 0;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function render(score) {
    $("qa-panel-total").textContent = Math.round(score.total) + (score.critical_failed ? " · " + T("critical error") : "");
    const ul = $("qa-panel-criteria"); ul.textContent = "";
    for (const r of score.results) {
      if (r.value === null) continue;
      const li = el("li"); li.dataset.testid = "qa-panel-criterion"; li.dataset.key = r.key;
      li.append(el("span", (r.value ? "✔ " : "✘ ") + r.title));
      for (const e of r.evidence) li.append(el("span", `#${e.seq} «${e.phrase}»`, "evidence"));
      ul.appendChild(li);
    }
    box.hidden = false;
  }

  async function load(id) {
    shown = id; clearTimeout(timer);
    const open = c.current();
    // scored when closed: a conversation still in work has nothing to show
    if (open && open.id === id && !["wrapup", "closed"].includes(open.status)) { box.hidden = true; return; }
    let scores = [];
    try { scores = await api("GET", `/api/v1/quality/conversations/${id}/scores`); } catch (e) { scores = []; }
    if (shown !== id) return;
    $("qa-panel-link").href = `/quality/conversations/${id}`;
    const score = scores.find((s) => s.source === "manual") || scores.find((s) => s.source === "auto");
    if (score) { render(score); return; }
    box.hidden = true;
    const cur = c.current();
    if (cur && cur.id === id && ["wrapup", "closed"].includes(cur.status) && tries++ < 15) {
      timer = setTimeout(() => load(id), 2000);
    }
  }

  root.addEventListener("wowdesk:open", (ev) => { tries = 0; load(ev.detail.conversation.id); });
  root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail;
    if (e.type === "conversation" && e.id === shown && ["closed", "wrapped_up"].includes(e.op)) {
      tries = 0; timer = setTimeout(() => load(shown), 1500);
    }
  });
})();
