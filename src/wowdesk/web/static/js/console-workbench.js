// The operator's own tools in the console: search the published knowledge base and insert a
// passage (with its article's link) into the reply box; internal notes with @login mentions
// answered live in the conversation's note thread; follow-up reminders that come back in the
// inbox at their time. Nothing here sends anything to the customer.
(function () {
  "use strict";
  const C = window.wowdeskConsole;
  if (!C) return;
  const root = C.root, input = C.replyInput;
  const T = (k, p) => { let s = (window.I18N_WORKBENCH && window.I18N_WORKBENCH[k]) || C.T(k); for (const [a, b] of Object.entries(p || {})) s = s.replace(`{${a}}`, b); return s; };
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  let colleagues = [];

  // --- knowledge base ---------------------------------------------------------------------
  let kbSeq = 0, kbTimer = null;
  async function searchKb(q) {
    const seq = ++kbSeq, list = $("kb-hits");
    if (!q.trim()) { list.textContent = ""; return; }
    const hits = await C.api("GET", `/api/v1/kb/search?q=${encodeURIComponent(q)}&k=5`).catch(() => []);
    if (seq !== kbSeq) return;
    list.textContent = "";
    if (!hits.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = T("Nothing found in the published articles"); list.appendChild(li); return; }
    for (const h of hits) {
      const li = document.createElement("li"); li.className = "kb-hit"; li.dataset.testid = "kb-hit";
      const title = document.createElement("a"); title.href = `/help/${h.article_id}`; title.target = "_blank"; title.rel = "noopener"; title.textContent = h.title;
      const text = document.createElement("div"); text.className = "text"; text.textContent = h.text;
      const b = document.createElement("button"); b.type = "button"; b.dataset.testid = "kb-insert"; b.textContent = T("Insert");
      b.addEventListener("click", () => {
        const link = `${location.origin}/help/${h.article_id}`;
        const piece = `${h.text}\n${link}`;
        input.value = input.value.trim() ? `${input.value.trimEnd()}\n${piece}` : piece;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.focus();
      });
      li.append(title, text, b); list.appendChild(li);
    }
  }
  $("kb-search-form").addEventListener("submit", (ev) => { ev.preventDefault(); searchKb($("kb-search-input").value); });
  $("kb-search-input").addEventListener("input", () => { clearTimeout(kbTimer); kbTimer = setTimeout(() => searchKb($("kb-search-input").value), 300); });

  // --- notes ------------------------------------------------------------------------------
  async function loadNotes() {
    const c = C.current(), list = $("note-thread");
    if (!c) return;
    const notes = await C.api("GET", `/api/v1/conversations/${c.id}/notes`).catch(() => null);
    if (!notes || !C.current() || C.current().id !== c.id) return;
    list.textContent = "";
    if (!notes.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = T("No notes yet"); list.appendChild(li); }
    for (const n of notes) {
      const li = document.createElement("li"); li.className = "note" + (n.author_id === C.me ? " mine" : ""); li.dataset.testid = "note";
      const a = document.createElement("span"); a.className = "author"; a.textContent = `${n.author_id === C.me ? T("You") : n.author_name} · ${When.dayTime(n.created_at)}`;
      li.append(a, document.createTextNode(n.text)); list.appendChild(li);
    }
  }
  function mentionHelp() {
    const box = $("note-mention-help"), text = $("note-input").value;
    const m = text.match(/@([\w.-]*)$/);
    box.textContent = "";
    if (!m) { box.hidden = true; return; }
    const q = m[1].toLowerCase();
    const found = colleagues.filter((u) => u.username.toLowerCase().startsWith(q) || u.display_name.toLowerCase().includes(q)).slice(0, 8);
    box.hidden = !found.length;
    if (found.length) box.appendChild(document.createTextNode(T("Mention:") + " "));
    for (const u of found) {
      const b = document.createElement("button"); b.type = "button"; b.dataset.testid = "mention-option";
      b.textContent = `${u.display_name} (@${u.username})`;
      b.addEventListener("click", () => { $("note-input").value = text.replace(/@[\w.-]*$/, `@${u.username} `); box.hidden = true; $("note-input").focus(); });
      box.appendChild(b);
    }
  }
  $("note-input").addEventListener("input", mentionHelp);
  $("note-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const c = C.current(); if (!c) return;
    try { await C.api("POST", `/api/v1/conversations/${c.id}/notes`, { text: $("note-input").value }); $("note-input").value = ""; $("note-mention-help").hidden = true; C.showError(""); loadNotes(); loadMentions(); }
    catch (err) { C.showError(err.message); }
  });

  async function loadMentions() {
    const items = await C.api("GET", "/api/v1/me/mentions").catch(() => null);
    if (!items) return;
    const list = $("mentions-list"); list.textContent = "";
    $("mentions-count").textContent = items.length;
    for (const m of items) {
      const li = document.createElement("li"); li.dataset.testid = "mention-item"; li.dataset.id = m.note.conversation_id; li.className = "due";
      const b = document.createElement("b"); b.textContent = `${m.note.author_name} ${T("asked you")}`;
      const sub = document.createElement("span"); sub.className = "sub"; sub.textContent = m.note.text;
      const w = document.createElement("span"); w.className = "sub"; w.textContent = `${m.customer_name || ""} · ${m.conversation_subject}`;
      li.append(b, sub, w);
      li.addEventListener("click", () => C.open(m.note.conversation_id));
      list.appendChild(li);
    }
  }

  // --- follow-ups -------------------------------------------------------------------------
  let dueTimer = null;
  async function loadFollowUps() {
    const items = await C.api("GET", "/api/v1/me/follow-ups").catch(() => null);
    if (!items) return;
    const list = $("follow-ups-list"); list.textContent = "";
    const now = Date.now();
    let due = 0, next = null;
    for (const f of items) {
      const t = new Date(f.due_at).getTime(), isDue = t <= now;
      if (isDue) due += 1; else if (next === null || t < next) next = t;
      const li = document.createElement("li"); li.dataset.testid = "follow-up-item"; li.dataset.due = String(isDue);
      if (isDue) li.className = "due";
      const b = document.createElement("b"); b.textContent = f.note || T("Reminder");
      const w = document.createElement("span"); w.className = "when"; w.textContent = ` ${When.dayTime(f.due_at)}`;
      const done = document.createElement("button"); done.type = "button"; done.className = "link"; done.dataset.testid = "follow-up-done"; done.textContent = ` ${T("Done")}`;
      done.addEventListener("click", async (ev) => { ev.stopPropagation(); await C.api("POST", `/api/v1/follow-ups/${f.id}/done`).catch((e) => C.showError(e.message)); loadFollowUps(); });
      li.append(b, w, done);
      li.addEventListener("click", () => C.open(f.conversation_id));
      list.appendChild(li);
    }
    $("follow-ups-count").textContent = due;
    clearTimeout(dueTimer);
    // come back exactly when the next reminder falls due (and at least every minute)
    dueTimer = setTimeout(loadFollowUps, next === null ? 60000 : Math.min(60000, Math.max(500, next - now + 250)));
  }
  $("follow-up-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const c = C.current(); if (!c) return;
    const due = new Date($("follow-up-due").value);
    try {
      await C.api("POST", `/api/v1/conversations/${c.id}/follow-ups`, { due_at: due.toISOString(), note: $("follow-up-note").value });
      $("follow-up-saved").textContent = T("Reminder set for {when}", { when: When.dayTime(due) }); $("follow-up-saved").hidden = false;
      ev.target.reset(); loadFollowUps();
    } catch (err) { C.showError(err.message); }
  });

  root.addEventListener("wowdesk:open", () => {
    $("note-thread").textContent = ""; $("follow-up-saved").hidden = true; loadNotes();
    const c = C.current();
    if (c && !$("kb-search-input").value) { $("kb-search-input").value = ""; $("kb-hits").textContent = ""; }
  });
  root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail || {};
    if (e.type !== "note") return;
    const c = C.current();
    if (c && c.id === e.conversation_id) loadNotes();
    loadMentions();
  });
  C.api("GET", "/api/v1/colleagues").then((list) => { colleagues = list; }).catch(() => {});
  loadMentions();
  loadFollowUps();
})();
