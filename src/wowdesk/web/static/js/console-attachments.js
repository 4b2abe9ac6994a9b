// Files customers sent through a channel (Telegram photos and documents): a photo shows as a
// small preview, any file as a link; both come from the staff-only attachments route.
(function () {
  "use strict";
  const c = window.wowdeskConsole;
  if (!c) return;
  c.root.addEventListener("wowdesk:message", (ev) => {
    const { el, message } = ev.detail;
    const a = message.attachment;
    if (!a || el.querySelector(".attachment")) return;
    const url = `/api/v1/attachments/${a.id}`;
    const box = document.createElement("span"); box.className = "attachment"; box.dataset.testid = "attachment";
    const link = document.createElement("a"); link.href = url; link.target = "_blank"; link.rel = "noopener";
    if (a.content_type === "image/jpeg" || a.content_type === "image/png") {
      const img = document.createElement("img"); img.src = url; img.alt = a.name || ""; img.loading = "lazy";
      img.style.maxWidth = "220px"; img.style.maxHeight = "160px"; img.style.display = "block";
      link.appendChild(img);
    } else {
      link.textContent = `📎 ${a.name || a.content_type} (${Math.max(1, Math.round(a.size / 1024))} KB)`;
    }
    box.appendChild(link);
    el.insertBefore(box, el.querySelector(".meta"));
  });
})();
