// Quick actions on a record's detail page: drop a file anywhere to attach it, show the
// upload's progress, and tell the result in a toast. No inline code: the CSP forbids it.
(function () {
  "use strict";
  if (window.klientoQuick) return;
  window.klientoQuick = true;

  var depth = 0;

  function overlay() { return document.querySelector("[data-drop-overlay]"); }
  function attachForm() { return document.querySelector("[data-attach-form]"); }
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }
  function show(on) {
    var el = overlay();
    if (el) el.hidden = !on;
  }
  function toast(text, kind) {
    if (window.kliento && text) window.kliento.toast(text, kind);
  }

  window.addEventListener("dragenter", function (event) {
    if (!hasFiles(event) || !attachForm()) return;
    depth += 1;
    show(true);
  });
  window.addEventListener("dragover", function (event) {
    if (!hasFiles(event) || !attachForm()) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  window.addEventListener("dragleave", function (event) {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) show(false);
  });
  window.addEventListener("drop", function (event) {
    var form = attachForm();
    if (!hasFiles(event) || !form) return;
    event.preventDefault();
    depth = 0;
    show(false);
    var input = form.querySelector("[data-attach-input]");
    if (!input || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { depth = 0; show(false); }
  });

  // Choosing a file with the button uploads it at once: one click, no second step.
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-attach-input]");
    if (input && input.files && input.files.length && input.form) input.form.requestSubmit();
  });

  // The upload's progress, from htmx's XMLHttpRequest upload events.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("[data-attach-form]");
    if (!form) return;
    var bar = form.querySelector("[data-attach-progress]");
    var detail = event.detail || {};
    if (!bar || !detail.lengthComputable || !detail.total) return;
    bar.hidden = false;
    bar.value = Math.round((detail.loaded / detail.total) * 100);
    bar.textContent = bar.value + "%";
  });

  // After a post the form comes back new: the cursor returns to it, on the first field in
  // error or else on its first field, ready for the next entry.
  var lastForm = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest(".qa-form");
    if (form && form.id) lastForm = form.id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastForm) return;
    var form = document.getElementById(lastForm);
    lastForm = null;
    if (!form || form.matches("[data-attach-form]")) return;
    var field = form.querySelector('[aria-invalid="true"]') || form.querySelector("input[type=text], textarea");
    if (field) field.focus();
  });

  // The server names the result in the HX-Trigger header (the form comes back as well).
  document.body.addEventListener("quick-done", function (event) {
    toast(event.detail && event.detail.message);
  });
  document.body.addEventListener("quick-failed", function (event) {
    toast(event.detail && event.detail.message, "error");
  });
})();
