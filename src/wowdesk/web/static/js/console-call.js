// A phone call in focus: its times as the telephony system reported them (wait, talk,
// after-call work, handle time) and a link to the recording, beside the transcript.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const T = c.T;
  const box = c.root.querySelector("[data-testid=call-card]");
  if (!box) return;
  const $ = (id) => box.querySelector(`[data-testid=${id}]`);
  function secs(v) {
    if (v === null || v === undefined) return "—";
    const s = Math.round(v);
    return s >= 60 ? `${Math.floor(s / 60)} ${T("min")} ${s % 60} ${T("s")}` : `${s} ${T("s")}`;
  }
  c.root.addEventListener("wowdesk:open", async (ev) => {
    const conv = ev.detail.conversation;
    box.hidden = true;
    if (conv.channel !== "phone") return;
    const call = await c.api("GET", `/api/v1/conversations/${conv.id}/call`).catch(() => null);
    if (!call || c.current() === null || c.current().id !== conv.id) return;
    $("call-started").textContent = When.dayTime(call.started_at);
    $("call-wait").textContent = secs(call.wait_seconds);
    $("call-talk").textContent = secs(call.talk_seconds);
    $("call-acw").textContent = secs(call.acw_seconds);
    $("call-aht").textContent = secs(call.handle_seconds);
    const ident = $("call-identification");
    ident.hidden = !call.identification_lines;
    ident.textContent = `${T("Identification lines masked")}: ${call.identification_lines}`;
    const rec = $("call-recording");
    rec.hidden = !call.recording_url;
    rec.querySelector("a").href = call.recording_url || "#";
    box.hidden = false;
  });
})();
