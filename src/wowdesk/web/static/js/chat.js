// Customer chat: keeps an outbox in localStorage until the server acknowledges each message
// (the ack comes only after commit), reconnects with the last seen seq and resends what is
// unacknowledged; the server stores a resend once (client_id), so nothing is lost or doubled.
(function () {
  "use strict";
  const T = (k) => (window.I18N && window.I18N[k]) || k;
  const root = document.querySelector(".chat");
  const list = root.querySelector("[data-testid=chat-messages]");
  const form = root.querySelector("[data-testid=chat-form]");
  const input = root.querySelector("[data-testid=chat-input]");
  const nameInput = root.querySelector("[data-testid=chat-name]");
  const typingEl = root.querySelector("[data-testid=chat-typing]");
  const errorEl = root.querySelector("[data-testid=chat-error]");
  const statusEl = root.querySelector("[data-testid=chat-status]");
  const csatEl = root.querySelector("[data-testid=csat]");
  const newBtn = root.querySelector("[data-testid=new-conversation]");
  const placeEl = root.querySelector("[data-testid=queue-place]");
  const altEl = root.querySelector("[data-testid=alternatives]");
  const KEY = "wowdesk.chat";
  // A widget on another site is a third-party frame: browsers that block third-party
  // storage throw on any touch of localStorage. The chat then keeps its outbox in memory,
  // which still survives reconnects (only a page reload forgets the conversation).
  const storage = (function () {
    try { const s = window.localStorage; s.getItem(KEY); return s; } catch (e) {
      const mem = new Map();
      return { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => { mem.set(k, String(v)); } };
    }
  })();

  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  function load() {
    try { return JSON.parse(storage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  const state = Object.assign({ identity: uid(), conv: null, outbox: [], lastSeq: 0 }, load());
  // a site that knows the customer passes its id signed by its server (widget.js puts it in
  // the fragment, which never reaches a server log); another signed id is another customer
  const signed = new URLSearchParams(location.hash.slice(1));
  if (signed.get("customer_id") && signed.get("signature")) {
    if (state.identity !== signed.get("customer_id")) { state.conv = null; state.outbox = []; }
    state.identity = signed.get("customer_id");
    state.signature = signed.get("signature");
  }
  state.lastSeq = 0; // always reload the full history on page load
  function save() {
    storage.setItem(KEY, JSON.stringify({ identity: state.identity, signature: state.signature, conv: state.conv, outbox: state.outbox }));
  }
  save();

  const bySeq = new Map();       // seq -> message
  const pending = new Map();     // client_id -> <li>
  let ws = null, retry = 0, deliveredSeq = 0, status = null, typingTimer = null, lastTyping = 0, seenTimer = null;

  function showError(text) { errorEl.textContent = text; errorEl.hidden = !text; }

  function render(m) {
    let li = list.querySelector(`[data-seq="${m.seq}"]`) || pending.get(m.client_id);
    if (!li) { li = document.createElement("li"); }
    li.className = "msg " + (m.author_kind === "customer" ? "mine" : m.author_kind === "system" ? "system" : "theirs");
    li.dataset.seq = m.seq;
    li.dataset.clientId = m.client_id;
    li.textContent = "";
    if (m.author_kind === "operator" || m.author_kind === "bot") {
      const a = document.createElement("span"); a.className = "author";
      a.textContent = m.author_name || T("Support"); li.appendChild(a);
    }
    li.appendChild(window.wowdeskLinkify ? window.wowdeskLinkify(m.text) : document.createTextNode(m.text));
    if (m.author_kind !== "system") {
      const meta = document.createElement("span"); meta.className = "meta";
      meta.textContent = When.time(m.created_at || Date.now());
      if (m.author_kind === "customer") {
        const mark = document.createElement("span"); mark.className = "mark";
        mark.dataset.testid = "mark";
        mark.textContent = m.seq <= deliveredSeq ? "✓✓" : "✓";
        mark.title = m.seq <= deliveredSeq ? T("delivered") : T("sent");
        meta.appendChild(mark);
      }
      li.appendChild(meta);
    }
    pending.delete(m.client_id);
    // keep the list ordered by seq, whatever order events arrive in
    const after = Array.from(list.children).find((el) => el.dataset.seq && Number(el.dataset.seq) > m.seq);
    list.insertBefore(li, after || list.querySelector(".pending") || null);
    list.scrollTop = list.scrollHeight;
  }

  function renderPending(item) {
    if (pending.has(item.client_id)) return;
    const li = document.createElement("li");
    li.className = "msg mine pending";
    li.dataset.clientId = item.client_id;
    li.textContent = item.text;
    const meta = document.createElement("span"); meta.className = "meta"; meta.textContent = T("sending");
    li.appendChild(meta);
    list.appendChild(li); pending.set(item.client_id, li);
    list.scrollTop = list.scrollHeight;
  }

  function onMessage(m) {
    if (bySeq.has(m.seq)) return;
    bySeq.set(m.seq, m);
    // resume from the highest seq with none missing below it: a reconnect between seq 3
    // and a late seq 2 asks for 2 again instead of skipping it until reload
    while (bySeq.has(state.lastSeq + 1)) state.lastSeq += 1;
    state.outbox = state.outbox.filter((o) => o.client_id !== m.client_id);
    save();
    render(m);
    if (m.author_kind !== "customer") scheduleSeen();
  }

  function scheduleSeen() {
    if (seenTimer) return;
    seenTimer = setTimeout(() => {
      seenTimer = null;
      if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "seen", seq: state.lastSeq }));
    }, 250);
  }

  function setDelivered(seq) {
    deliveredSeq = Math.max(deliveredSeq, seq);
    list.querySelectorAll(".msg.mine [data-testid=mark]").forEach((mark) => {
      const li = mark.closest("li");
      if (Number(li.dataset.seq) <= deliveredSeq) { mark.textContent = "✓✓"; mark.title = T("delivered"); }
    });
  }

  // The place in the queue and the estimate, as routing last computed them.
  function showPlace(p) {
    const waiting = status === "queued" && p && p.text;
    placeEl.hidden = !waiting; placeEl.textContent = waiting ? p.text : "";
    if (altEl.dataset.upfront) return; // the callback chosen up front stays on screen
    if (!waiting || !p.alternatives) altEl.hidden = true;
    else if (altEl.hidden && !altEl.dataset.chosen) altEl.hidden = false;
  }
  async function fetchPlace() {
    if (!state.conv || status !== "queued") { showPlace(null); return; }
    const res = await fetch(`/api/v1/chat/conversations/${state.conv.id}/place`, { headers: { "X-Conversation-Token": state.conv.token } }).catch(() => null);
    if (res && res.ok) showPlace(await res.json());
  }
  async function choose(body) {
    const res = await fetch(`/api/v1/chat/conversations/${state.conv.id}/alternative`, {
      method: "POST", headers: { "Content-Type": "application/json", "X-Conversation-Token": state.conv.token }, body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { showError((data.error && data.error.message) || res.statusText); return; }
    showError(""); altEl.dataset.chosen = body.kind; delete altEl.dataset.upfront; altEl.hidden = true; placeEl.hidden = true;
  }
  altEl.querySelectorAll("button[data-alt]").forEach((b) => b.addEventListener("click", () => {
    const kind = b.dataset.alt;
    altEl.querySelectorAll("form").forEach((f) => { f.hidden = f.dataset.form !== kind; });
    if (kind === "bot") choose({ kind: "bot" });
  }));
  altEl.querySelector("[data-form=email]").addEventListener("submit", (ev) => { ev.preventDefault(); choose({ kind: "email", email: ev.target.email.value.trim() }); });
  altEl.querySelector("[data-form=callback]").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const at = new Date(ev.target.at.value);
    choose({ kind: "callback", phone: ev.target.phone.value.trim(), at: at.toISOString() });
  });

  function setStatus(conv) {
    const before = status;
    status = conv.status;
    if (status !== "queued") showPlace(null);
    else if (before !== "queued" && before !== null) fetchPlace();
    if (conv.operator_delivered_seq) setDelivered(conv.operator_delivered_seq);
    if (conv.operator_name && (status === "assigned")) statusEl.textContent = T("Operator") + ": " + conv.operator_name;
    const closed = status === "wrapup" || status === "closed";
    const thanked = csatEl.querySelector("[data-testid=csat-thanks]");
    if (!thanked) csatEl.hidden = !closed || conv.csat != null;
    newBtn.hidden = !closed;
  }

  function connect() {
    if (!state.conv) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/chat`);
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", conversation_id: state.conv.id, token: state.conv.token, after_seq: state.lastSeq }));
    };
    ws.onmessage = (ev) => {
      const e = JSON.parse(ev.data);
      if (e.type === "ready") {
        retry = 0; showError("");
        setStatus(e.conversation); fetchPlace();
        flush();
      } else if (e.type === "message") {
        onMessage(e.message);
      } else if (e.type === "ack") {
        state.outbox = state.outbox.filter((o) => o.client_id !== e.client_id); save();
      } else if (e.type === "conversation") {
        setStatus(e.conversation);
      } else if (e.type === "queue") {
        showPlace(e);
      } else if (e.type === "typing") {
        typingEl.hidden = false; clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typingEl.hidden = true; }, 3000);
      } else if (e.type === "delivered") {
        setDelivered(e.seq);
      } else if (e.type === "error") {
        if (e.client_id) {
          // a rejected message is not retried: it goes back into the input for the customer
          const item = state.outbox.find((o) => o.client_id === e.client_id);
          state.outbox = state.outbox.filter((o) => o.client_id !== e.client_id); save();
          const li = pending.get(e.client_id); if (li) { li.remove(); pending.delete(e.client_id); }
          if (item && !input.value) input.value = item.text;
          if (e.code === "conversation_closed") newBtn.hidden = false;
        }
        showError(e.message);
      }
    };
    ws.onclose = (ev) => {
      ws = null;
      if (ev.code === 4401) { // the conversation is gone or the token is wrong: start afresh
        state.conv = null; save(); return;
      }
      showError(T("Connection lost, reconnecting…"));
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 300 * retry);
    };
  }

  function flush() {
    if (!ws || ws.readyState !== 1) return;
    for (const item of state.outbox) ws.send(JSON.stringify({ type: "send", client_id: item.client_id, text: item.text }));
  }

  // the customer chooses up front: the bot (default), a person, or a call back (a person's
  // queue, then the callback form of the waiting alternatives)
  const upfront = root.querySelector("[data-testid=upfront]");
  let choice = "bot";
  upfront.querySelectorAll("button[data-choice]").forEach((b) => b.addEventListener("click", () => {
    choice = b.dataset.choice;
    upfront.querySelectorAll("button[data-choice]").forEach((o) => o.setAttribute("aria-pressed", String(o === b)));
    input.focus();
  }));

  async function start(item) {
    const body = { identity: state.identity, channel: "web", name: nameInput.value.trim(), message: item,
      choice: choice === "bot" ? "bot" : "human" };
    if (state.signature) body.identity_signature = state.signature;
    let res;
    try {
      res = await fetch("/api/v1/chat/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch (err) {
      showError(T("Could not send the message; it will be retried"));
      setTimeout(() => start(item), 2000);
      return;
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      state.outbox = []; save();
      const li = pending.get(item.client_id); if (li) { li.remove(); pending.delete(item.client_id); }
      if (!input.value) input.value = item.text;
      showError((data.error && data.error.message) || res.statusText);
      return;
    }
    state.conv = { id: data.conversation.id, token: data.token };
    save();
    nameInput.hidden = true; upfront.hidden = true;
    if (choice === "callback") {
      altEl.hidden = false; altEl.dataset.upfront = "callback";
      const cb = altEl.querySelector("[data-form=callback]");
      const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
      cb.at.value = now.toISOString().slice(0, 16); cb.hidden = false;
    }
    onMessage(data.message);
    connect();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (status === "wrapup" || status === "closed") { showError(T("This conversation is closed; start a new one")); return; }
    showError("");
    const item = { client_id: uid(), text };
    input.value = "";
    state.outbox.push(item); save();
    renderPending(item);
    if (!state.conv) start(item); else flush();
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", () => {
    const now = Date.now();
    if (ws && ws.readyState === 1 && now - lastTyping > 2000) { lastTyping = now; ws.send(JSON.stringify({ type: "typing" })); }
  });
  csatEl.querySelectorAll("button[data-score]").forEach((b) => b.addEventListener("click", async () => {
    const res = await fetch(`/api/v1/chat/conversations/${state.conv.id}/csat`, {
      method: "POST", headers: { "Content-Type": "application/json", "X-Conversation-Token": state.conv.token },
      body: JSON.stringify({ score: Number(b.dataset.score) }),
    });
    const data = await res.json().catch(() => ({}));
    if (res.ok) { csatEl.innerHTML = ""; const p = document.createElement("p"); p.dataset.testid = "csat-thanks"; p.textContent = T("Thank you for your rating!"); csatEl.appendChild(p); csatEl.hidden = false; }
    else showError((data.error && data.error.message) || res.statusText);
  }));
  newBtn.addEventListener("click", () => {
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    state.conv = null; state.outbox = []; state.lastSeq = 0; save();
    bySeq.clear(); pending.clear(); list.textContent = ""; status = null;
    newBtn.hidden = true; csatEl.hidden = true; showError("");
    showPlace(null); delete altEl.dataset.chosen; delete altEl.dataset.upfront;
    nameInput.hidden = false; upfront.hidden = false;
    input.focus();
  });

  // A reload keeps the conversation: unacknowledged messages are shown and resent.
  if (state.conv) { nameInput.hidden = true; upfront.hidden = true; for (const item of state.outbox) renderPending(item); connect(); }
  else if (state.outbox.length) { const item = state.outbox[0]; state.outbox = [item]; renderPending(item); start(item); }
  window.wowdeskChat = { state, socket: () => ws };
})();
