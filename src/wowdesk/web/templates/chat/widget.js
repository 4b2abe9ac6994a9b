(function () {
  if (window.__wowdeskWidget) return;
  window.__wowdeskWidget = true;
  var origin = {{ origin | tojson }};
  var label = {{ _("Chat with support") | tojson }};
  // <script src=".../widget.js" data-customer-id="42" data-signature="hex HMAC"> signs in a
  // known customer (see the README, "Verified customers")
  var me = document.currentScript;
  var signed = "";
  if (me && me.dataset.customerId && me.dataset.signature) {
    signed = "#customer_id=" + encodeURIComponent(me.dataset.customerId) +
      "&signature=" + encodeURIComponent(me.dataset.signature);
  }
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.title = label;
  // an inline icon: an emoji would depend on the visitor's fonts
  button.innerHTML = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#4b3fd1;color:#fff;display:flex;align-items:center;justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer;z-index:2147483646";
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/chat?embed=1" + signed;
      frame.title = label;
      frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-height:calc(100vh - 110px);max-width:calc(100vw - 40px);border:0;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);background:#fff;z-index:2147483647";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
  });
  document.body.appendChild(button);
})();
