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

  // --- pickers ---
  // The type-ahead picker of a linked record (customers/_picker.html): htmx fills the
  // listbox as one types; this keeps the hidden id, the text and the listbox in step.
  // The id is only ever set by choosing an option, and typing clears it, so a form never
  // posts an id that no longer matches the text.
  function pickerParts(picker) {
    return {
      text: picker.querySelector("[data-picker-text]"),
      id: picker.querySelector("[data-picker-id]"),
      list: picker.querySelector("[data-picker-list]"),
    };
  }
  function pickerOf(el) { return el && el.closest ? el.closest("[data-picker]") : null; }
  function pickerOptions(picker) {
    return Array.prototype.slice.call(pickerParts(picker).list.querySelectorAll("[data-picker-option]"));
  }
  function pickerClose(picker) {
    var p = pickerParts(picker);
    p.list.innerHTML = "";
    p.text.setAttribute("aria-expanded", "false");
    p.text.removeAttribute("aria-activedescendant");
  }
  function pickerMove(picker, step) {
    var options = pickerOptions(picker);
    if (!options.length) return;
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = current < 0 ? (step > 0 ? 0 : options.length - 1) : (current + step + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    pickerParts(picker).text.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({ block: "nearest" });
  }
  function pickerSet(picker, id, label) {
    var p = pickerParts(picker);
    p.id.value = id;
    p.text.value = label;
    pickerClose(picker);
    p.id.dispatchEvent(new Event("change", { bubbles: true }));  // for scripts that watch the form
  }
  function pickerChoose(picker, option) {
    pickerSet(picker, option.getAttribute("data-picker-option"), option.getAttribute("data-label"));
    var other = document.getElementById(picker.getAttribute("data-picker-exclusive") || "");
    if (other) other.checked = false;  // linking excludes creating
  }

  // A late answer (the user chose meanwhile, or emptied the box) must not reopen the list.
  // htmx fires its swap events on the target: the listbox.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var picker = event.target.matches("[data-picker-list]") && pickerOf(event.target);
    if (!picker) return;
    var p = pickerParts(picker);
    if (p.id.value || !p.text.value.trim()) event.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var picker = event.target.matches("[data-picker-list]") && pickerOf(event.target);
    if (!picker) return;
    var p = pickerParts(picker);
    pickerOptions(picker).forEach(function (o, i) { o.id = p.list.id + "-" + i; });
    p.text.setAttribute("aria-expanded", p.list.children.length ? "true" : "false");
    p.text.removeAttribute("aria-activedescendant");
  });
  document.addEventListener("input", function (event) {
    var picker = event.target.matches("[data-picker-text]") && pickerOf(event.target);
    if (!picker) return;
    var p = pickerParts(picker);
    if (p.id.value) { p.id.value = ""; p.id.dispatchEvent(new Event("change", { bubbles: true })); }
    if (!p.text.value.trim()) pickerClose(picker);
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.target.matches("[data-picker-text]") && pickerOf(event.target);
    if (!picker) return;
    var open = pickerParts(picker).list.children.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      pickerMove(picker, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open) {
      event.preventDefault();  // choosing is not submitting the form
      var active = pickerOptions(picker).find(function (o) { return o.getAttribute("aria-selected") === "true"; });
      if (active) pickerChoose(picker, active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      pickerClose(picker);
    } else if (event.key === "Tab") {
      pickerClose(picker);
    }
  });
  // Pressing on the list keeps the focus in the text box (no blur before the click).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("[data-picker-list]")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-picker-option]");
    if (option) { pickerChoose(pickerOf(option), option); return; }
    var clear = event.target.closest("[data-picker-clear]");
    if (clear) {
      var picker = pickerOf(clear);
      pickerSet(picker, "", "");
      pickerParts(picker).text.focus();
    }
    document.querySelectorAll("[data-picker]").forEach(function (other) {
      if (!other.contains(event.target)) pickerClose(other);
    });
  });
  document.addEventListener("focusout", function (event) {
    var picker = event.target.matches("[data-picker-text]") && pickerOf(event.target);
    if (picker && !picker.contains(event.relatedTarget)) pickerClose(picker);
  });
  // Creating the record instead (a checked "create" box) clears the picker it excludes.
  document.addEventListener("change", function (event) {
    if (event.target.type !== "checkbox" || !event.target.checked || !event.target.id) return;
    document.querySelectorAll('[data-picker-exclusive="' + event.target.id + '"]').forEach(function (picker) {
      pickerSet(picker, "", "");
    });
  });
  // --- end pickers ---
})();
