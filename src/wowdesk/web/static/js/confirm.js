// Forms with data-confirm ask before they submit (a static script: the Content-Security-Policy
// forbids inline handlers such as onsubmit="…").
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (ev) => { if (!confirm(form.dataset.confirm)) ev.preventDefault(); });
});
