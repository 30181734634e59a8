// Loket page: one key per action (the letter shown on each button), the waiting list kept
// fresh every 5 s, and no double submit.
(function () {
  "use strict";
  var REFRESH_MS = 5000;
  var typing = function (el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  };
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) { return; }
    if (typing(e.target)) {
      if (e.key === "Escape") { e.target.blur(); }
      return;
    }
    var el = document.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
    if (!el || el.disabled) { return; }
    e.preventDefault();
    if (el.tagName === "BUTTON") { el.click(); } else { el.focus(); }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
  });
  var lists = document.getElementById("lists");
  if (lists) {
    setInterval(function () {
      if (document.querySelector("#lists form[data-sent]")) { return; }
      fetch(lists.getAttribute("data-src"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { lists.innerHTML = html; } })
        .catch(function () {});
    }, REFRESH_MS);
  }
})();
