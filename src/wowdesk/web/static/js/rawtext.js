// "Show the original text": where a page shows a message's PII-masked copy, a role allowed to
// see raw text may reveal it; the server checks the role and writes the view to the audit.
// In the console the control is added to every masked message as it is drawn; on other pages
// to every button with data-raw-message (its text goes into the closest [data-raw-target]).
(function () {
  "use strict";
  const T = (k) => (window.I18N && window.I18N[k]) || k;
  const csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  const place = (document.body.dataset.rawPlace || (window.wowdeskConsole ? "console" : location.pathname.split("/")[1] || "page")).replace(/[^a-z0-9_-]/g, "").slice(0, 40) || "page";

  async function raw(id) {
    const res = await fetch(`/api/v1/safety/messages/${id}/raw?place=${encodeURIComponent(place)}`, { credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data.text;
  }
  function button(onShow) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "link raw-toggle"; b.dataset.testid = "show-raw"; b.textContent = T("Show the original text");
    b.addEventListener("click", async () => {
      b.disabled = true;
      try { onShow(await raw(b.dataset.messageId)); b.remove(); }
      catch (err) { b.disabled = false; b.textContent = err.message; }
    });
    return b;
  }

  document.querySelectorAll("button[data-raw-message]").forEach((b) => {
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        const text = await raw(b.dataset.rawMessage);
        const target = b.closest("[data-raw-scope]").querySelector("[data-raw-target]");
        target.textContent = text; b.remove();
      } catch (err) { b.disabled = false; b.textContent = err.message; }
    });
  });

  const c = window.wowdeskConsole;
  if (!c) return;
  const allowed = c.api("GET", "/api/v1/safety/raw-text/access").then((r) => r.allowed).catch(() => false);
  c.root.addEventListener("wowdesk:message", async (ev) => {
    const { el, message } = ev.detail;
    if (!message.masked || !(await allowed) || el.querySelector("[data-testid=show-raw]")) return;
    const b = button((text) => {
      const span = el.querySelector(".msg-text");
      const node = Array.from(el.childNodes).find((n) => n.nodeType === Node.TEXT_NODE);
      if (span) span.textContent = text; else if (node) node.data = text;
      el.classList.add("revealed");
    });
    b.dataset.messageId = message.id;
    el.insertBefore(b, el.querySelector(".meta"));
  });
})();
