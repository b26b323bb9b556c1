// "Print this page" buttons: shown only when JavaScript runs (no inline handlers: the CSP forbids them).
document.querySelectorAll("[data-print]").forEach(function (button) {
  var holder = button.closest("[hidden]");
  if (holder) holder.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
