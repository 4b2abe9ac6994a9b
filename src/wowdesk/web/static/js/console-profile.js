// Customer 360 in the console's right column: who the customer is (identities, tier,
// segment), loyalty, orders, other departments' open cases, earlier conversations (a click
// opens one) and, while the conversation is calm, up to three offers with their reason.
// Filled on "wowdesk:open"; a new customer message reloads it, since an upset message
// must take the offers away at once.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  const { root, T, api } = c;
  const $ = (id) => root.querySelector(`[data-testid=${id}]`);
  const box = $("profile");
  let shown = null, timer = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function empty(ul, text) { ul.appendChild(el("li", text, "muted")); }

  function render(p) {
    const cu = p.customer;
    $("profile-name").textContent = cu.display_name || `#${cu.id}`;
    renaming = cu; renameForm.hidden = true; $("profile-rename").hidden = false;
    $("profile-tier").textContent = cu.tier_label;
    const seg = $("profile-segment"); seg.textContent = cu.segment; seg.hidden = !cu.segment;
    $("profile-unverified").hidden = cu.verified !== false;

    const facts = $("profile-facts"); facts.textContent = "";
    const fact = (k, v, id) => { if (!v) return; const dd = el("dd", v); dd.dataset.testid = id; facts.append(el("dt", k), dd); };
    fact(T("E-mail"), cu.email, "profile-email");
    fact(T("Phone"), cu.phone, "profile-phone");
    fact(T("Customer since"), When.day(cu.since), "profile-since");

    const ids = $("profile-identities"); ids.textContent = "";
    for (const i of p.identities) {
      const li = el("li"); li.dataset.testid = "profile-identity";
      li.append(el("span", i.channel, "badge"), document.createTextNode(" " + i.external_id));
      ids.appendChild(li);
    }

    // records of other channels that may be this person: confirm or reject
    const linkBox = $("profile-links"), linkList = $("profile-link-list"); linkList.textContent = "";
    for (const l of p.proposals || []) {
      const li = el("li"); li.dataset.testid = "profile-link";
      li.append(document.createTextNode(`${l.other_name} — ${l.reason_label} `));
      for (const [label, confirm] of [[T("Same person"), true], [T("Different people"), false]]) {
        const b = el("button", label); b.type = "button"; b.dataset.testid = confirm ? "link-confirm" : "link-reject";
        b.addEventListener("click", async () => {
          try { await api("POST", `/api/v1/customers/links/${l.id}/decide`, { confirm }); const cur = c.current(); if (cur) load(cur); }
          catch (err) { c.showError(err.message); }
        });
        li.append(b, document.createTextNode(" "));
      }
      linkList.appendChild(li);
    }
    linkBox.hidden = !(p.proposals || []).length;

    $("profile-loyalty").textContent = p.loyalty.label;

    const offersBox = $("profile-offers-box"), offers = $("profile-offers"); offers.textContent = "";
    for (const o of p.offers) {
      const li = el("li"); li.dataset.testid = "profile-offer";
      li.textContent = o.reason; li.dataset.item = o.item;
      offers.appendChild(li);
    }
    offersBox.hidden = !p.offers.length;
    const quiet = $("profile-quiet");
    quiet.hidden = p.calm;
    quiet.textContent = p.calm ? "" : T("Offers are hidden: {reasons}").replace("{reasons}", p.quiet_reasons.join("; "));

    $("profile-orders-total").textContent = p.orders_count ? `${p.orders_count} · ${p.orders_total_text}` : "";
    const body = $("profile-orders").querySelector("tbody"); body.textContent = "";
    if (!p.orders.length) { const tr = el("tr"); const td = el("td", T("No orders"), "muted"); td.colSpan = 3; tr.appendChild(td); body.appendChild(tr); }
    for (const o of p.orders) {
      const tr = el("tr"); tr.dataset.testid = "profile-order";
      const when = el("td", When.day(o.placed_at)); when.appendChild(el("span", o.status_label, "sub"));
      tr.append(when, el("td", o.products.join(", ")), el("td", o.total_text, "sum"));
      tr.title = `${o.source} ${o.order_id}`;
      body.appendChild(tr);
    }

    const cases = $("profile-cases"); cases.textContent = "";
    if (!p.cases.length) empty(cases, T("Nothing open"));
    for (const k of p.cases) {
      const li = el("li"); li.dataset.testid = "profile-case";
      li.append(el("strong", k.department + ": "), document.createTextNode(`${k.title} (${When.day(k.opened_at)})`));
      cases.appendChild(li);
    }

    const convs = $("profile-conversations"); convs.textContent = "";
    if (!p.conversations.length) empty(convs, T("No earlier conversations"));
    for (const e of p.conversations) {
      const li = el("li"); li.dataset.testid = "earlier-item"; li.dataset.id = e.id;
      li.appendChild(el("strong", `${When.day(e.created_at)} · ${e.topic || e.subject}`));
      const outcome = [T(e.status)];
      if (e.csat) outcome.push(`${T("Rating")}: ${e.csat}`);
      if (e.operator_name) outcome.push(e.operator_name);
      if (e.topic) outcome.push(e.subject);
      li.appendChild(el("span", outcome.join(" · "), "sub"));
      li.addEventListener("click", () => c.open(e.id).catch((err) => c.showError(err.message)));
      convs.appendChild(li);
    }
    box.hidden = false;
  }

  // the name the operator heard or corrected: the inbox, the header and the next
  // conversations show it (a web chat's customer is «#3007» until someone names them)
  const renameForm = $("rename-form"), renameInput = $("rename-input");
  let renaming = null;
  $("profile-rename").addEventListener("click", () => {
    if (!renaming) return;
    renameInput.value = renaming.display_name; renameForm.hidden = false; $("profile-rename").hidden = true;
    renameInput.focus(); renameInput.select();
  });
  $("rename-cancel").addEventListener("click", () => { renameForm.hidden = true; $("profile-rename").hidden = false; c.showError(""); });
  renameForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!renaming) return;
    try {  // the server says what is wrong with a name (blank, too long)
      await api("PATCH", `/api/v1/customers/${renaming.id}`, { display_name: renameInput.value });
      await c.reload();
    } catch (err) { c.showError(err.message); }
  });

  // the operator writes first, through a channel the customer has (Telegram, e-mail)
  const outForm = $("outbound-form"), outChannel = $("outbound-channel");
  let outCustomer = null;
  async function loadReachable(customerId) {
    outCustomer = customerId; outForm.hidden = true; outChannel.textContent = "";
    const r = await api("GET", `/api/v1/customers/${customerId}/reachable`).catch(() => null);
    if (!r || outCustomer !== customerId) return;
    for (const ch of r.channels) { const o = el("option", ch); o.value = ch; outChannel.appendChild(o); }
    outForm.hidden = !r.channels.length;
  }
  outForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("outbound-text").value.trim();
    if (!text || !outCustomer) return;
    try {
      const started = await api("POST", "/api/v1/outbound", {
        customer_id: outCustomer, channel: outChannel.value, text,
        client_id: "out-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8),
      });
      $("outbound-text").value = "";
      await c.open(started.conversation_id);
    } catch (err) { c.showError(err.message); }
  });

  async function load(conv) {
    shown = conv.id;
    loadReachable(conv.customer_id);
    const url = `/api/v1/customers/${conv.customer_id}/profile?conversation_id=${conv.id}`;
    try {
      const p = await api("GET", url);
      if (shown === conv.id) render(p);
    } catch (err) {
      if (shown === conv.id) { box.hidden = true; c.showError(err.message); }
    }
  }

  root.addEventListener("wowdesk:open", (ev) => load(ev.detail.conversation));
  root.addEventListener("wowdesk:event", (ev) => {
    const e = ev.detail, cur = c.current();
    if (e.type !== "message" || !cur || e.message.conversation_id !== cur.id || e.message.author_kind !== "customer") return;
    clearTimeout(timer);
    timer = setTimeout(() => { const now = c.current(); if (now && now.id === cur.id) load(now); }, 300);
  });
})();
