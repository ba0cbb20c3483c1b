// Progressive enhancement only: everything works without this file. Forms marked data-working show that a long
// request (an upload being evaluated, an export) is under way and cannot be sent twice.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (!f.hasAttribute("data-working")) return;
  if (f.classList.contains("busy")) { e.preventDefault(); return; }
  f.classList.add("busy");
});
// A page restored from the back-forward cache shows its forms ready again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form.busy").forEach(function (f) { f.classList.remove("busy"); });
});
