// "Prove it is us": facts only the company knows about the customer in focus (their previous
// contact, their last purchase) and a button that mails them a confirmation code through the
// e-mail they registered; the operator then says the same code in the chat.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const T = c.T;
  const box = c.root.querySelector("[data-testid=verification]");
  const $ = (id) => box.querySelector(`[data-testid=${id}]`);
  const sendBtn = $("verify-send"), codeEl = $("verify-code");
  let conv = null, address = "";

  function canSend() { return conv && conv.status === "assigned" && conv.operator_id === c.me; }
  // SMS and push through the company's provider, when it is set up and the customer has them
  let other = { sms: "", push: false };
  const extra = {};
  for (const channel of ["sms", "push"]) {
    const b = document.createElement("button"); b.type = "button"; b.hidden = true;
    b.dataset.testid = `verify-send-${channel}`;
    b.addEventListener("click", async () => {
      if (!conv) return;
      b.disabled = true;
      try { showSent(await c.api("POST", `/api/v1/safety/conversations/${conv.id}/verification/${channel}`)); c.showError(""); }
      catch (err) { c.showError(err.message); }
      finally { b.disabled = false; }
    });
    sendBtn.after(b); extra[channel] = b;
  }
  function renderButton() {
    extra.sms.hidden = !(other.sms && canSend());
    extra.sms.textContent = `${T("Send the code by SMS to")} ${other.sms}`;
    extra.push.hidden = !(other.push && canSend());
    extra.push.textContent = T("Send the code to the app");
    sendBtn.hidden = !(address && canSend());
    $("verify-no-channel").hidden = !!(address || other.sms || other.push);
    sendBtn.textContent = `${T("Send a confirmation code to")} ${address}`;
  }
  function showSent(s) {
    codeEl.hidden = !s;
    if (s) codeEl.textContent = `${T("Confirmation code")}: ${s.code} — ${T("say it in the chat; the customer got it at")} ${s.address}`;
  }
  async function load(current) {
    conv = current;
    const id = current.id;
    const data = await c.api("GET", `/api/v1/safety/conversations/${id}/verification`).catch(() => null);
    if (!data || !conv || conv.id !== id) return;
    const p = data.previous_contact;
    $("verify-previous").textContent = p
      ? `${When.day(p.date)} — ${p.subject}${p.topic ? ` (${p.topic})` : ""}`
      : T(conv.customer_gender === "f" ? "No earlier contact [f]" : "No earlier contact");
    const b = data.last_purchase;
    $("verify-purchase").hidden = $("verify-purchase-label").hidden = !b;
    if (b) $("verify-purchase").textContent = b.product + (b.date ? ` (${When.day(b.date)})` : "");
    address = data.registered_address;
    other = { sms: data.sms_address, push: data.push };
    renderButton(); showSent(data.last_sent);
    box.hidden = false;
  }

  sendBtn.addEventListener("click", async () => {
    if (!conv) return;
    sendBtn.disabled = true;
    try { showSent(await c.api("POST", `/api/v1/safety/conversations/${conv.id}/verification`)); c.showError(""); }
    catch (err) { c.showError(err.message); }
    finally { sendBtn.disabled = false; }
  });
  c.root.addEventListener("wowdesk:open", (ev) => { box.hidden = true; codeEl.hidden = true; load(ev.detail.conversation); });
  c.root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail;
    if (e.type === "conversation" && conv && e.id === conv.id) { conv = e.conversation; renderButton(); }
  });
})();
