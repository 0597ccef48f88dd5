// Behaviour every page shares. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  function toast(text, kind) {
    var area = document.getElementById("toast-area");
    if (!area) return;
    var el = document.createElement("div");
    el.className = "toast" + (kind ? " toast-" + kind : "");
    el.textContent = text;
    area.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }
  // The CSRF token base.html gives htmx, for scripts that post with fetch().
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  window.kliento = { toast: toast, csrfToken: csrfToken };

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle-nav]");
    if (toggle) {
      var nav = document.getElementById("sidebar");
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    // A click outside closes open dropdowns and the search results.
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
    var results = document.getElementById("global-results");
    if (results && !event.target.closest(".global-search")) results.innerHTML = "";
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) event.preventDefault();
  });

  document.addEventListener("keydown", function (event) {
    var box = document.querySelector("[data-search-box]");
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (event.key === "/" && !typing && box) { event.preventDefault(); box.focus(); }
    if (event.key === "Escape") {
      var results = document.getElementById("global-results");
      if (results) results.innerHTML = "";
      document.querySelectorAll("details.dropdown[open]").forEach(function (d) { d.removeAttribute("open"); });
    }
  });

  // A request htmx could not complete says so instead of failing silently.
  document.addEventListener("htmx:responseError", function () { toast(document.body.dataset.failed, "error"); });
  document.addEventListener("htmx:sendError", function () { toast(document.body.dataset.failed, "error"); });

  // Checkbox "select all" for bulk actions: data-select-all="name of the row checkboxes".
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var name = all.getAttribute("data-select-all");
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) { box.checked = all.checked; });
    }
    var autosubmit = event.target.closest("[data-autosubmit]");
    if (autosubmit && autosubmit.form) autosubmit.form.requestSubmit();
  });
})();
