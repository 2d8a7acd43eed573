// The office's few conveniences; every page works without them.
// Served from /static (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  // htmx sends the session's CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var token = document.body && document.body.dataset.csrf;
    if (token) { e.detail.headers["X-CSRF-Token"] = token; }
  });
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) { return; }
    // A picked account fills its line's account box.
    var pick = t.closest("[data-pick]");
    if (pick) {
      var cell = pick.closest("td");
      var input = cell && cell.querySelector("input.acct");
      if (input) {
        input.value = pick.getAttribute("data-pick");
        var box = cell.querySelector(".pick");
        if (box) { box.innerHTML = ""; }
      }
      return;
    }
    // A print-ready page's 打印 button.
    if (t.closest("[data-print]")) {
      window.print();
      return;
    }
    // A line or document row removed in place.
    var remove = t.closest("[data-remove]");
    if (remove) {
      var row = remove.closest(remove.getAttribute("data-remove"));
      var body = row && row.parentElement;
      if (row && body && body.children.length > 1) {
        row.remove();
        var form = document.getElementById("voucher-form");
        if (form) { form.dispatchEvent(new Event("input", { bubbles: true })); }
      }
    }
  });
  // The picker's list closes when focus moves to another box.
  document.addEventListener("focusin", function (e) {
    var cell = e.target instanceof Element ? e.target.closest("td") : null;
    document.querySelectorAll(".pick").forEach(function (b) {
      if (!cell || !cell.contains(b)) { b.innerHTML = ""; }
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      document.querySelectorAll(".pick").forEach(function (b) { b.innerHTML = ""; });
    }
  });
})();
