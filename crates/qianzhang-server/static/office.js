// The office's few conveniences; every page works without them.
// Served from /static (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  // htmx sends the session's CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var token = document.body && document.body.dataset.csrf;
    if (token) { e.detail.headers["X-CSRF-Token"] = token; }
  });
  // A fragment refused because the sign-in lapsed: say so, keep the page.
  document.addEventListener("htmx:responseError", function (e) {
    if (!e.detail.xhr || e.detail.xhr.status !== 401 || document.getElementById("lapsed")) { return; }
    var note = document.createElement("div");
    note.id = "lapsed";
    note.className = "refusal";
    note.setAttribute("role", "alert");
    note.textContent = "登录已过期（30 分钟没有操作，或已在别处退出）。请在新的标签页里重新登录，再回到这里点“保存”：本页填写的内容仍在。";
    var main = document.querySelector("main");
    if (main) { main.insertBefore(note, main.firstChild); }
  });
  // In the account box: Enter or ↓ picks from the list instead of sending the form.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!(t instanceof HTMLInputElement) || !t.classList.contains("acct")) { return; }
    var box = t.closest("td") && t.closest("td").querySelector(".pick");
    var first = box && box.querySelector("[data-pick]");
    if (!first) { return; }
    if (e.key === "Enter") {
      e.preventDefault();
      first.click();
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      first.focus();
    }
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
