// «Неверно» under every bot answer in the console: a small form (reason, comment, screenshot)
// posted as multipart to /api/v1/safety/flags; the answer then shows «отмечено». Answers this
// operator flagged before are marked when the conversation opens. Also opens the
// conversation named in the address (/console#conversation-123), which incident pages link to.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const { root, T } = c;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const template = document.getElementById("flag-form-template");

  function mark(li) {
    li.querySelectorAll(".flag-form, [data-testid=flag-button]").forEach((el) => el.remove());
    if (li.querySelector("[data-testid=flagged]")) return;
    const done = document.createElement("span");
    done.className = "flagged"; done.dataset.testid = "flagged"; done.textContent = T("flagged");
    li.appendChild(done);
  }

  function openForm(li, message) {
    if (li.querySelector(".flag-form")) return;
    const form = template.content.firstElementChild.cloneNode(true);
    const errorEl = form.querySelector("[data-testid=flag-error]");
    const showError = (text) => { errorEl.textContent = text || ""; errorEl.hidden = !text; };
    form.querySelector("[data-action=cancel-flag]").addEventListener("click", () => form.remove());
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = new FormData(form);
      body.append("message_id", String(message.id));
      if (!form.screenshot.files.length) body.delete("screenshot");
      const send = form.querySelector("[data-testid=flag-send]");
      send.disabled = true; showError("");
      try {
        const res = await fetch("/api/v1/safety/flags", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }, body });
        const data = await res.json().catch(() => ({}));
        if (res.ok || (data.error && data.error.code === "already_flagged")) { mark(li); return; }
        showError((data.error && data.error.message) || res.statusText);
      } catch (err) { showError(err.message); }
      send.disabled = false;
    });
    li.appendChild(form);
    form.reason.focus();
  }

  root.addEventListener("wowdesk:message", (ev) => {
    const { el, message } = ev.detail;
    if (message.author_kind !== "bot") return;
    el.dataset.messageId = String(message.id);
    const button = document.createElement("button");
    button.type = "button"; button.className = "link flag-button"; button.dataset.testid = "flag-button";
    button.textContent = T("Wrong"); button.title = T("Flag this bot answer as wrong");
    button.addEventListener("click", () => openForm(el, message));
    el.appendChild(button);
  });

  root.addEventListener("wowdesk:open", async (ev) => {
    const id = ev.detail.conversation.id;
    const flagged = await c.api("GET", `/api/v1/safety/conversations/${id}/flags`).catch(() => []);
    const now = c.current();
    if (!now || now.id !== id) return;
    for (const messageId of flagged) {
      const li = root.querySelector(`li[data-message-id="${messageId}"]`);
      if (li) mark(li);
    }
  });

  function openFromAddress() {
    const m = /^#conversation-(\d+)$/.exec(location.hash);
    if (m) c.open(Number(m[1])).catch((err) => c.showError(err.message));
  }
  window.addEventListener("hashchange", openFromAddress);
  openFromAddress();
})();
