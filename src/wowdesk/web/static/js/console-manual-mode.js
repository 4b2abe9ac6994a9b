// The console's manual-mode panel: shows where the bot is off, lets an operator ask a
// supervisor to switch it off (for the open conversation's topic, its channel or
// everything) and shows what became of their requests. Lives beside console.js and uses
// only its events and window.wowdeskConsole.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const T = c.T, root = c.root;
  const $ = (id) => root.querySelector(`[data-testid=${id}]`);
  const offEl = $("bot-off"), form = $("manual-request-form"), scopeSel = $("manual-scope");
  const listEl = $("manual-requests"), openBtn = $("manual-request-open");
  let topic = "", channel = "";

  function scopeText(kind, value) {
    if (kind === "global") return T("everywhere");
    return `${T(kind)} «${value}»`;
  }
  async function refreshSwitches() {
    const data = await c.api("GET", "/api/v1/safety/switches").catch(() => null);
    if (!data) return;
    offEl.hidden = !data.off.length;
    offEl.textContent = data.off.length
      ? `${T("The bot is off")}: ${data.off.map((s) => scopeText(s.scope_kind, s.scope_value)).join(", ")}`
      : "";
  }
  async function refreshRequests() {
    const rows = await c.api("GET", "/api/v1/safety/requests?mine=true").catch(() => null);
    if (!rows) return;
    listEl.textContent = "";
    for (const r of rows.slice(0, 5)) {
      const li = document.createElement("li");
      li.dataset.testid = "manual-request"; li.dataset.status = r.status;
      li.textContent = `${scopeText(r.scope_kind, r.scope_value)}: ${T(r.status)}` + (r.decision_note ? ` — ${r.decision_note}` : "");
      listEl.appendChild(li);
    }
  }
  function fillScopes() {
    // the open conversation's topic may arrive after the operator chose a scope: keep it
    const chosen = form.hidden ? "" : scopeSel.value;
    scopeSel.textContent = "";
    const add = (kind, value, label) => {
      const o = document.createElement("option"); o.value = `${kind}:${value}`; o.textContent = label; scopeSel.appendChild(o);
    };
    if (topic) add("topic", topic, `${T("Topic")}: ${topic}`);
    if (channel) add("channel", channel, `${T("Channel")}: ${channel}`);
    add("global", "", T("Everything"));
    if (chosen && [...scopeSel.options].some((o) => o.value === chosen)) scopeSel.value = chosen;
  }
  openBtn.addEventListener("click", () => { fillScopes(); form.hidden = false; openBtn.hidden = true; $("manual-reason").focus(); });
  $("manual-request-cancel").addEventListener("click", () => { form.hidden = true; openBtn.hidden = false; });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const [kind, ...rest] = scopeSel.value.split(":");
    const current = c.current();
    try {
      await c.api("POST", "/api/v1/safety/requests", {
        scope_kind: kind, scope_value: rest.join(":"), reason: $("manual-reason").value,
        conversation_id: current ? current.id : null,
      });
      form.reset(); form.hidden = true; openBtn.hidden = false; c.showError("");
      refreshRequests();
    } catch (err) { c.showError(err.message); }
  });

  root.addEventListener("wowdesk:open", async (ev) => {
    const conv = ev.detail.conversation;
    channel = conv.channel || ""; topic = "";
    const data = await c.api("GET", `/api/v1/conversations/${conv.id}/handoff`).catch(() => null);
    const decisions = (data && data.decisions) || [];
    for (const d of decisions) if (d.topic) topic = d.topic;
    if (!form.hidden) fillScopes();
  });
  root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail;
    if (e.type === "ready") { refreshSwitches(); refreshRequests(); }
    if (e.type !== "safety") return;
    if (e.op === "switch") refreshSwitches();
    if (e.op === "request" && e.requested_by === c.me) refreshRequests();
  });
  refreshSwitches(); refreshRequests();
})();
