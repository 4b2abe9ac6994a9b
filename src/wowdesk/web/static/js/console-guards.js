// Secrets guard in the console: a reply that asks the customer for an SMS code, a password,
// a CVV, a PIN or a card number comes back from the server as the error
// "secret_request_warning" (nothing was sent). This panel shows the warning and lets the
// operator send that same message anyway, with the explicit confirmation the server audits,
// or go back and edit it. With the "block" policy the server refuses and console.js shows why.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const box = c.root.querySelector("[data-testid=secret-warning]");
  const text = box.querySelector("[data-testid=secret-warning-text]");
  let held = null; // {conversation_id, client_id, text}

  function hide() { held = null; box.hidden = true; }

  c.root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail;
    if (e.type !== "error" || e.code !== "secret_request_warning" || !e.client_id) return;
    const conv = c.current();
    // console.js puts the held text back into the reply box right after this event
    setTimeout(() => {
      held = { conversation_id: conv && conv.id, client_id: e.client_id, text: c.replyInput.value.trim() };
      text.textContent = e.message; box.hidden = false; c.showError("");
    }, 0);
  });
  box.querySelector("[data-testid=secret-confirm]").addEventListener("click", async () => {
    if (!held || !held.text) return;
    const h = held;
    try {
      await c.api("POST", `/api/v1/conversations/${h.conversation_id}/messages`,
        { client_id: h.client_id, text: h.text, confirm_secret_request: true });
      if (c.replyInput.value.trim() === h.text) c.replyInput.value = "";
      hide();
    } catch (err) { c.showError(err.message); }
  });
  box.querySelector("[data-testid=secret-edit]").addEventListener("click", () => { hide(); c.replyInput.focus(); });
  // another conversation clears it; the same one opened again (the socket reconnected and
  // the console reloaded) keeps the held message waiting for the operator's decision
  c.root.addEventListener("wowdesk:open", (ev) => {
    if (!held || held.conversation_id !== ev.detail.conversation.id) hide();
  });
})();
