// Message text with its links clickable: absolute http(s) URLs and the knowledge base's
// /help/N paths (a bot answer composed where no public URL was known). Built from text
// nodes and <a> elements, never innerHTML.
(function () {
  "use strict";
  const LINK = /(https?:\/\/[^\s<>"«»]+[^\s<>"«».,;:!?)])|((?:^|(?<=\s))\/help\/\d+)/g;
  window.wowdeskLinkify = function (text) {
    const span = document.createElement("span");
    span.className = "msg-text";
    let last = 0;
    for (const m of String(text).matchAll(LINK)) {
      span.appendChild(document.createTextNode(text.slice(last, m.index)));
      const a = document.createElement("a");
      a.href = m[0]; a.textContent = m[0]; a.target = "_blank"; a.rel = "noopener noreferrer";
      a.dataset.testid = "message-link";
      span.appendChild(a);
      last = m.index + m[0].length;
    }
    span.appendChild(document.createTextNode(text.slice(last)));
    return span;
  };
})();
