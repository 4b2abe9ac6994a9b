// Operator console: inbox (queue + own conversations), the open conversation, live over one
// WebSocket. On every (re)connect the console reloads its state from the REST API, so an
// event missed while offline never leaves it stale. Replies are acknowledged after commit;
// unacknowledged ones are resent with the same client_id and stored once.
// Panels that live in their own scripts listen on the console element for
// "wowdesk:open" (a conversation came into focus), "wowdesk:message" (a message was drawn),
// "wowdesk:event" (any live event) and "wowdesk:sent" (a reply left the reply box), and use
// window.wowdeskConsole for the rest.
(function () {
  "use strict";
  const T = (k) => (window.I18N && window.I18N[k]) || k;
  const root = document.querySelector(".console");
  const me = Number(root.dataset.userId);
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const $ = (id) => root.querySelector(`[data-testid=${id}]`);
  const queueList = $("queue-list"), mineList = $("mine-list");
  const convEl = $("conversation"), msgList = $("console-messages"), contextEl = $("context");
  const replyForm = $("reply-form"), replyInput = $("reply-input"), wrapForm = $("wrapup-form");
  const errorEl = $("console-error"), typingEl = $("console-typing"), connEl = $("console-conn");
  const takeBtn = $("take"), closeBtn = $("close");
  const transferBtn = $("transfer"), escalateBtn = $("escalate");
  const transferForm = $("transfer-form"), escalateForm = $("escalate-form");

  const inbox = new Map();     // id -> conversation
  const unread = new Map();    // id -> count
  let current = null;          // conversation in focus
  let seqs = new Set();
  let outbox = [];             // [{conversation_id, client_id, text}]
  let ws = null, retry = 0, typingTimer = null, lastTyping = 0, seenTimer = null;

  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  async function api(method, url, body) {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrf }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 401) { location.href = "/login?next=/console&expired=1"; throw new Error("401"); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data;
  }
  function showError(text) { errorEl.textContent = text || ""; errorEl.hidden = !text; }
  function waited(iso) { return Math.max(0, Math.round((Date.now() - new Date(iso)) / 60000)); }

  function renderInbox() {
    const queue = [], mine = [];
    for (const c of inbox.values()) {
      if (c.status === "queued") queue.push(c);
      else if (c.operator_id === me && (c.status === "assigned" || c.status === "wrapup")) mine.push(c);
    }
    queue.sort((a, b) => (a.queued_at || "").localeCompare(b.queued_at || ""));
    mine.sort((a, b) => (a.assigned_at || "").localeCompare(b.assigned_at || ""));
    fill(queueList, queue); fill(mineList, mine);
    $("queue-count").textContent = queue.length; $("mine-count").textContent = mine.length;
  }
  function fill(ul, items) {
    ul.textContent = "";
    if (!items.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = T("No conversations"); ul.appendChild(li); return; }
    for (const c of items) {
      const li = document.createElement("li");
      li.dataset.id = c.id; li.dataset.testid = "inbox-item";
      if (current && current.id === c.id) li.classList.add("active");
      const name = document.createElement("strong"); name.textContent = c.customer_name || `#${c.id}`; li.appendChild(name);
      const n = unread.get(c.id);
      if (n) { const u = document.createElement("span"); u.className = "unread"; u.textContent = n; li.appendChild(u); }
      const sub = document.createElement("span"); sub.className = "sub";
      sub.textContent = c.status === "queued" ? `${T("waiting")} ${waited(c.queued_at)} ${T("min")} · ${c.subject}` : `${T(c.status)} · ${c.subject}`;
      li.appendChild(sub);
      li.addEventListener("click", () => open(c.id));
      ul.appendChild(li);
    }
  }

  function renderMessage(m) {
    if (seqs.has(m.seq)) return;
    seqs.add(m.seq);
    const li = document.createElement("li");
    li.className = "msg " + (m.author_kind === "customer" ? "theirs" : m.author_kind === "system" ? "system" : m.author_kind === "bot" ? "mine bot" : "mine");
    li.dataset.seq = m.seq; li.dataset.clientId = m.client_id;
    if (m.author_kind !== "system") {
      const a = document.createElement("span"); a.className = "author";
      a.textContent = m.author_kind === "customer" ? (current.customer_name || T("Customer")) : (m.author_kind === "bot" ? T("Bot") : (m.author_name || T("Operator")));
      li.appendChild(a);
    }
    li.appendChild(window.wowdeskLinkify ? window.wowdeskLinkify(m.text) : document.createTextNode(m.text));
    const meta = document.createElement("span"); meta.className = "meta"; meta.textContent = When.time(m.created_at);
    if (m.author_kind === "operator") {
      const mark = document.createElement("span"); mark.className = "mark"; mark.dataset.testid = "mark";
      mark.textContent = m.seq <= (current.customer_delivered_seq || 0) ? "✓✓" : "✓"; meta.appendChild(mark);
    }
    li.appendChild(meta);
    const pend = msgList.querySelector(`.pending[data-client-id="${m.client_id}"]`);
    if (pend) pend.remove();
    const after = Array.from(msgList.children).find((el) => el.dataset.seq && Number(el.dataset.seq) > m.seq);
    msgList.insertBefore(li, after || msgList.querySelector(".pending") || null);
    root.dispatchEvent(new CustomEvent("wowdesk:message", { detail: { el: li, message: m, conversation: current } }));
    msgList.scrollTop = msgList.scrollHeight;
    if (m.author_kind === "customer") scheduleSeen();
  }
  function scheduleSeen() {
    if (seenTimer || !current || current.operator_id !== me) return;
    seenTimer = setTimeout(() => {
      seenTimer = null;
      if (ws && ws.readyState === 1 && current) ws.send(JSON.stringify({ type: "seen", conversation_id: current.id, seq: Math.max(0, ...seqs) }));
    }, 250);
  }

  function renderHeader() {
    const c = current;
    $("conv-customer").textContent = c.customer_name || `#${c.id}`;
    $("conv-status").textContent = T(c.status);
    const mine = c.operator_id === me;
    takeBtn.hidden = c.status !== "queued";
    closeBtn.hidden = !(c.status === "assigned" && mine);
    transferBtn.hidden = escalateBtn.hidden = !(c.status === "assigned" && mine);
    if (transferBtn.hidden) { transferForm.hidden = true; escalateForm.hidden = true; }
    replyForm.hidden = !(c.status === "assigned" && mine);
    wrapForm.hidden = !(c.status === "wrapup" && mine);
  }
  // The bot's handoff card: the request in the customer's own words, the facts they gave,
  // and why the bot passed, so the operator never asks the customer to repeat themselves.
  async function renderHandoff(id) {
    const box = $("handoff-card");
    const data = await api("GET", `/api/v1/conversations/${id}/handoff`).catch(() => null);
    if (!current || current.id !== id) return;
    const card = data && data.card;
    box.hidden = !card;
    if (!card) return;
    $("handoff-summary").textContent = card.summary;
    const facts = $("handoff-facts"); facts.textContent = "";
    for (const f of card.facts) {
      const dt = document.createElement("dt"); dt.textContent = T(f.kind);
      const dd = document.createElement("dd"); dd.textContent = f.value; facts.append(dt, dd);
    }
    $("handoff-reasons").textContent = card.reasons.join("; ");
    const answers = $("handoff-bot-answers"); const ol = answers.querySelector("ol"); ol.textContent = "";
    for (const a of card.bot_answers) { const li = document.createElement("li"); li.textContent = a; ol.appendChild(li); }
    answers.hidden = !card.bot_answers.length;
  }

  // A note left by whoever passed the conversation on (a colleague, routing, a callback).
  async function renderTicket(id) {
    const box = $("ticket-note");
    const t = await fetch(`/api/v1/conversations/${id}/ticket`, { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null).catch(() => null);
    if (!current || current.id !== id) return;
    box.hidden = !(t && t.note);
    if (t && t.note) box.querySelector("p").textContent = (t.escalated ? `${T("escalated")}: ` : "") + t.note;
  }
  async function refreshStatus() {
    const s = await api("GET", "/api/v1/me/status").catch(() => null);
    if (!s) return;
    for (const b of document.querySelectorAll("[data-testid=status-buttons] button")) b.setAttribute("aria-pressed", String(b.dataset.status === s.status));
    $("my-load").textContent = `${s.load}/${s.capacity} ${T("in conversations")}`;
  }

  // the last conversation asked for wins: an earlier open() whose answer comes late (a
  // reconnect's reload, a routing offer) must not take the focus back, or the reply typed
  // next goes to the conversation the operator left
  let opening = 0, wanted = null;
  async function open(id) {
    const ticket = ++opening; wanted = id;
    showError("");
    const detail = await api("GET", `/api/v1/conversations/${id}`);
    if (ticket !== opening) return;
    current = detail.conversation; seqs = new Set(); msgList.textContent = "";
    unread.delete(id);
    convEl.hidden = false; contextEl.hidden = false; $("console-empty").hidden = true;
    renderHeader(); renderHandoff(id); renderTicket(id);
    for (const m of detail.messages) renderMessage(m);
    for (const o of outbox.filter((o) => o.conversation_id === id)) renderPending(o);
    renderInbox();
    root.dispatchEvent(new CustomEvent("wowdesk:open", { detail: { conversation: current, detail } }));
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "watch", conversation_id: id }));
    scheduleSeen();
  }
  function renderPending(o) {
    const li = document.createElement("li"); li.className = "msg mine pending"; li.dataset.clientId = o.client_id;
    li.textContent = o.text; const meta = document.createElement("span"); meta.className = "meta"; meta.textContent = T("sending"); li.appendChild(meta);
    msgList.appendChild(li); msgList.scrollTop = msgList.scrollHeight;
  }

  async function reload() {
    const items = await api("GET", "/api/v1/conversations?view=active");
    inbox.clear(); for (const c of items) inbox.set(c.id, c);
    renderInbox();
    refreshStatus();
    if (wanted !== null) await open(wanted);
  }

  function onEvent(e) {
    root.dispatchEvent(new CustomEvent("wowdesk:event", { detail: e }));
    if (e.type === "operator") { if (e.id === me) refreshStatus(); return; }
    if (e.type === "conversation") {
      const c = e.conversation;
      if (c.operator_id === me || e.op === "requeued") refreshStatus();
      const before = inbox.get(c.id);
      const offered = c.operator_id === me && c.status === "assigned" && !(before && before.operator_id === me);
      if (c.status === "queued" || (c.operator_id === me && c.status !== "closed")) inbox.set(c.id, c); else inbox.delete(c.id);
      // routing hands conversations out; an operator with nothing in hand sees the new one at once
      if (offered && !(current && current.operator_id === me && current.status === "assigned")) { renderInbox(); open(c.id); return; }
      if (current && current.id === c.id) { current = c; renderHeader(); }
      renderInbox();
    } else if (e.type === "message") {
      const m = e.message;
      if (current && current.id === m.conversation_id) renderMessage(m);
      else if (m.author_kind === "customer") { unread.set(m.conversation_id, (unread.get(m.conversation_id) || 0) + 1); renderInbox(); }
    } else if (e.type === "ack") {
      outbox = outbox.filter((o) => o.client_id !== e.client_id);
    } else if (e.type === "typing" && current && e.conversation_id === current.id) {
      typingEl.hidden = false; clearTimeout(typingTimer); typingTimer = setTimeout(() => { typingEl.hidden = true; }, 3000);
    } else if (e.type === "delivered" && current && e.conversation_id === current.id) {
      current.customer_delivered_seq = Math.max(current.customer_delivered_seq || 0, e.seq);
      msgList.querySelectorAll(".msg.mine[data-seq]").forEach((li) => {
        const mark = li.querySelector("[data-testid=mark]");
        if (mark && Number(li.dataset.seq) <= e.seq) mark.textContent = "✓✓";
      });
    } else if (e.type === "error") {
      if (e.client_id) {
        const o = outbox.find((x) => x.client_id === e.client_id);
        outbox = outbox.filter((x) => x.client_id !== e.client_id);
        const p = msgList.querySelector(`.pending[data-client-id="${e.client_id}"]`); if (p) p.remove();
        if (o && !replyInput.value) replyInput.value = o.text;
      }
      showError(e.message);
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/console`);
    ws.onmessage = (ev) => {
      const e = JSON.parse(ev.data);
      if (e.type === "ready") {
        retry = 0; connEl.hidden = true;
        reload().then(() => { for (const o of outbox) ws.send(JSON.stringify(Object.assign({ type: "send" }, o))); }).catch((err) => showError(err.message));
      } else onEvent(e);
    };
    ws.onclose = (ev) => {
      ws = null; connEl.hidden = false;
      if (ev.code === 4401) { location.href = "/login?next=/console&expired=1"; return; }
      retry = Math.min(retry + 1, 6); setTimeout(connect, 300 * retry);
    };
  }

  replyForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = replyInput.value.trim(); if (!text || !current) return;
    const o = { conversation_id: current.id, client_id: uid(), text };
    outbox.push(o); replyInput.value = ""; renderPending(o); showError("");
    root.dispatchEvent(new CustomEvent("wowdesk:sent", { detail: o }));
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(Object.assign({ type: "send" }, o)));
  });
  replyInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); replyForm.requestSubmit(); } });
  replyInput.addEventListener("input", () => {
    const now = Date.now();
    if (current && ws && ws.readyState === 1 && now - lastTyping > 2000) { lastTyping = now; ws.send(JSON.stringify({ type: "typing", conversation_id: current.id })); }
  });
  takeBtn.addEventListener("click", async () => {
    try { current = await api("POST", `/api/v1/conversations/${current.id}/assign`); inbox.set(current.id, current); renderHeader(); renderInbox(); await open(current.id); replyInput.focus(); }
    catch (err) { showError(err.message); }
  });
  closeBtn.addEventListener("click", async () => {
    try { current = await api("POST", `/api/v1/conversations/${current.id}/close`); inbox.set(current.id, current); renderHeader(); renderInbox(); }
    catch (err) { showError(err.message); }
  });
  wrapForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const topic = Number(wrapForm.topic_id.value); if (!topic) return;
    try {
      current = await api("POST", `/api/v1/conversations/${current.id}/wrapup`, { topic_id: topic, note: wrapForm.note.value });
      inbox.delete(current.id); renderHeader(); renderInbox(); wrapForm.reset();
    } catch (err) { showError(err.message); }
  });

  // one click changes the status: operators start offline and go on the line themselves
  for (const b of document.querySelectorAll("[data-testid=status-buttons] button")) {
    b.addEventListener("click", async () => {
      // going offline with customers in hand: routing gives them to colleagues after the
      // grace (a reload loses nothing), and the operator should know that before, not after
      const held = [...inbox.values()].filter((c) => c.operator_id === me && c.status === "assigned").length;
      if (b.dataset.status === "offline" && held && !confirm(T("You hold {n} conversations: they go back to the queue in {s} s unless you come back on the line. Go offline?").replace("{n}", held).replace("{s}", root.dataset.graceSeconds))) return;
      try { await api("PUT", "/api/v1/me/status", { status: b.dataset.status }); await refreshStatus(); showError(""); }
      catch (err) { showError(err.message); refreshStatus(); }
    });
  }
  transferBtn.addEventListener("click", async () => {
    escalateForm.hidden = true;
    const sel = transferForm.target; sel.textContent = "";
    const add = (value, label) => { const o = document.createElement("option"); o.value = value; o.textContent = label; sel.appendChild(o); };
    for (const p of await api("GET", "/api/v1/routing/colleagues").catch(() => [])) add(`user:${p.user_id}`, `${T("Colleague")}: ${p.name} (${p.load}/${p.capacity})`);
    add("queue:", `${T("Queue")}: ${T("General queue")}`);
    for (const name of (root.dataset.topics || "").split("\n").filter(Boolean)) add(`queue:${name}`, `${T("Queue")}: ${name}`);
    transferForm.hidden = false;
  });
  escalateBtn.addEventListener("click", () => { transferForm.hidden = true; escalateForm.hidden = false; escalateForm.note.focus(); });
  root.querySelectorAll("[data-action=cancel-move]").forEach((b) => b.addEventListener("click", () => { transferForm.hidden = true; escalateForm.hidden = true; }));
  async function moved(promise) {
    try { current = await promise; inbox.delete(current.id); transferForm.hidden = true; escalateForm.hidden = true; transferForm.reset(); escalateForm.reset(); renderHeader(); renderInbox(); refreshStatus(); showError(""); }
    catch (err) { showError(err.message); }
  }
  transferForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const [kind, value] = transferForm.target.value.split(/:(.*)/s);
    const body = kind === "user" ? { to_user_id: Number(value) } : { queue: value };
    body.note = transferForm.note.value;
    moved(api("POST", `/api/v1/conversations/${current.id}/transfer`, body));
  });
  escalateForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    moved(api("POST", `/api/v1/conversations/${current.id}/escalate`, { note: escalateForm.note.value }));
  });

  connect();
  setInterval(renderInbox, 30000); // waiting minutes tick
  // the heartbeat that tells routing this operator is still here
  setInterval(() => { if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "ping" })); }, 1000 * Number(root.dataset.pingSeconds || 20));
  window.wowdeskConsole = { socket: () => ws, open, reload, api, T, showError, current: () => current, me, root, replyInput };
})();
