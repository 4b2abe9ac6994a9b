// Operator assist in the console: up to three suggested replies for the customer's latest
// message (pushed live as "assist" events, fetched when a conversation opens), "/" at the
// start of the reply box to search templates, and variables that could not be filled kept
// visible: the reply cannot be sent while a {placeholder} is left in it. Nothing here sends:
// a click only puts text in the reply box. After a reply is stored (its ack), the console
// reports which suggestion or template it started from, so the server can tell used,
// edited and ignored apart.
(function () {
  "use strict";
  const C = window.wowdeskConsole;
  if (!C) return;
  const root = C.root, T = C.T, input = C.replyInput;
  const $ = (id) => root.querySelector(`[data-testid=${id}]`);
  const panel = $("assist-panel"), cards = $("assist-suggestions");
  const missingEl = $("assist-missing"), popup = $("template-popup");
  const PLACEHOLDER = /\{[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*\}/g;
  const SOURCES = { kb: "Knowledge base", template: "Template", colleague: "Colleague's answer", case: "From the case library" };

  let shown = null;            // the suggestions on screen: {conversation_id, log_id, suggestions}
  let inserted = null;         // what the reply box started from: {rank} or {template_id}
  const pending = new Map();   // client_id of a sent reply -> what to report once it is stored
  let found = [], active = -1, searchTimer = null, searchSeq = 0;
  // conversation id -> id of its latest operator reply: suggestions for a customer message
  // before it are answered, however late they arrive (a reconnect's reload asked for them
  // while the reply was being stored)
  const answered = new Map();
  const stale = (d) => !!d && d.message_id != null && d.message_id < (answered.get(d.conversation_id) || 0);

  const current = () => C.current();
  const canReply = (c) => !!c && c.status === "assigned" && c.operator_id === C.me;

  // text with its {placeholders} marked, built from text nodes (never innerHTML)
  function marked(el, text) {
    el.textContent = "";
    let last = 0;
    for (const m of text.matchAll(PLACEHOLDER)) {
      el.appendChild(document.createTextNode(text.slice(last, m.index)));
      const mark = document.createElement("mark"); mark.textContent = m[0]; el.appendChild(mark);
      last = m.index + m[0].length;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
    return el;
  }

  function render(data) {
    shown = data && data.log_id ? data : null;
    cards.textContent = "";
    const items = (shown && shown.suggestions) || [];
    panel.hidden = !items.length;
    for (const s of items) {
      const li = document.createElement("li");
      const card = document.createElement("button");
      card.type = "button"; card.className = "assist-card"; card.dataset.testid = "assist-card";
      card.dataset.source = s.source; card.dataset.rank = s.rank;
      const badge = document.createElement("span"); badge.className = `assist-badge ${s.source}`;
      badge.dataset.testid = "assist-source"; badge.textContent = T(SOURCES[s.source] || s.source);
      const text = marked(document.createElement("span"), s.text); text.className = "text";
      const why = document.createElement("span"); why.className = "why"; why.dataset.testid = "assist-why"; why.textContent = s.why;
      card.title = s.title;
      card.append(badge, text, why);
      card.addEventListener("click", () => insert(s.text, { rank: s.rank }));
      li.appendChild(card);
      const url = s.ref && s.ref.url;
      if (typeof url === "string" && url.startsWith("/")) {  // the case it came from
        const link = document.createElement("a");
        link.href = url; link.target = "_blank"; link.rel = "noopener"; link.className = "assist-link";
        link.dataset.testid = "assist-link"; link.textContent = T("Open the case");
        li.appendChild(link);
      }
      cards.appendChild(li);
    }
  }

  async function load(id) {
    const data = await C.api("GET", `/api/v1/assist/conversations/${id}/suggestions`).catch(() => null);
    const c = current();
    if (data && !stale(data) && c && c.id === id && canReply(c)) render(data);
  }

  function placeholdersIn(text) { return Array.from(new Set(text.match(PLACEHOLDER) || [])); }
  function selectPlaceholder() {
    PLACEHOLDER.lastIndex = 0;
    const m = PLACEHOLDER.exec(input.value);
    if (m) input.setSelectionRange(m.index, m.index + m[0].length);
  }
  function showMissing() {
    const left = placeholdersIn(input.value);
    missingEl.hidden = !left.length;
    if (left.length) missingEl.textContent = `${T("Fill in before sending:")} ${left.join(", ")}`;
    return left;
  }

  function insert(text, choice) {
    input.value = text;
    inserted = choice;
    closePopup();
    input.focus();
    if (showMissing().length) selectPlaceholder();
    else input.setSelectionRange(text.length, text.length);
  }

  // "/" search of templates, filled in for this conversation
  function closePopup() { popup.hidden = true; popup.textContent = ""; found = []; active = -1; }
  function drawPopup() {
    popup.textContent = "";
    if (!found.length) {
      const li = document.createElement("li"); li.className = "muted"; li.textContent = T("No templates found"); popup.appendChild(li);
    }
    found.forEach((t, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option"); li.dataset.testid = "template-option"; li.dataset.id = t.id;
      li.setAttribute("aria-selected", String(i === active));
      const title = document.createElement("strong"); title.textContent = t.title;
      const cat = document.createElement("span"); cat.className = "badge"; cat.textContent = t.category_label;
      const sub = marked(document.createElement("span"), t.text); sub.className = "sub";
      li.append(title, cat, sub);
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(i); });
      popup.appendChild(li);
    });
    popup.hidden = false;
    const sel = popup.querySelector("[aria-selected=true]"); if (sel) sel.scrollIntoView({ block: "nearest" });
  }
  function search(q) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const c = current(); if (!c) return;
      const seq = ++searchSeq;
      const url = `/api/v1/assist/templates?limit=8&conversation_id=${c.id}&q=${encodeURIComponent(q)}`;
      const items = await C.api("GET", url).catch(() => []);
      if (seq !== searchSeq || !input.value.startsWith("/")) return;
      found = items; active = items.length ? 0 : -1; drawPopup();
    }, 120);
  }
  function pick(i) {
    const t = found[i]; if (!t) return;
    insert(t.text, { template_id: t.id });
  }

  input.addEventListener("input", () => {
    if (!input.value.trim()) inserted = null;
    showMissing();
    const v = input.value;
    if (v.startsWith("/") && !v.includes("\n")) search(v.slice(1).trim()); else if (!popup.hidden) closePopup();
  });
  input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) closePopup(); }, 150));
  // capture on the console element: runs before the reply box's own Enter-to-send
  root.addEventListener("keydown", (ev) => {
    if (ev.target !== input || popup.hidden) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (found.length) { active = (active + (ev.key === "ArrowDown" ? 1 : -1) + found.length) % found.length; drawPopup(); }
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      if (active >= 0) pick(active);
    } else if (ev.key === "Escape") {
      closePopup();
    } else return;
    ev.preventDefault(); ev.stopPropagation();
  }, true);
  // a template variable nobody filled never goes to the customer, blank or as {code}
  root.addEventListener("submit", (ev) => {
    if (ev.target !== input.form) return;
    const left = placeholdersIn(input.value);
    if (!left.length) return;
    ev.preventDefault(); ev.stopPropagation();
    C.showError(`${T("Fill in before sending:")} ${left.join(", ")}`);
    input.focus(); selectPlaceholder();
  }, true);

  // opening the conversation already on screen again (a click on it in the inbox, a
  // reconnect's reload) keeps what the reply box started from: only another one resets it
  let openId = null;
  root.addEventListener("wowdesk:open", (ev) => {
    const c = ev.detail.conversation, again = c.id === openId;
    openId = c.id;
    if (!again) { inserted = null; closePopup(); render(null); }
    else if (!canReply(c)) render(null);
    showMissing();
    if (canReply(c)) load(c.id);
  });
  root.addEventListener("wowdesk:sent", (ev) => {
    const o = ev.detail;
    const log = shown && shown.conversation_id === o.conversation_id ? shown.log_id : null;
    if (log || inserted) pending.set(o.client_id, Object.assign({ conversation_id: o.conversation_id, log_id: log }, inserted || {}));
    inserted = null; render(null); showMissing();
  });
  root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail, c = current();
    if (e.type === "assist") {
      if (c && e.conversation_id === c.id && canReply(c) && !stale(e)) render(e);
    } else if (e.type === "message" && e.message.author_kind === "operator") {
      const m = e.message;
      answered.set(m.conversation_id, Math.max(m.id, answered.get(m.conversation_id) || 0));
      if (c && m.conversation_id === c.id) render(null);
    } else if (e.type === "ack" && pending.has(e.client_id)) {
      const p = pending.get(e.client_id); pending.delete(e.client_id);
      C.api("POST", `/api/v1/assist/conversations/${p.conversation_id}/choice`, {
        message_id: e.id, log_id: p.log_id, rank: p.rank === undefined ? null : p.rank,
        template_id: p.template_id === undefined ? null : p.template_id,
      }).catch(() => {});
    } else if (e.type === "conversation" && c && e.id === c.id && !canReply(e.conversation)) {
      render(null);
    }
  });
})();
