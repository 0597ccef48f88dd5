// The calendar: click an empty slot to plan an activity there; drag one to reschedule it.
// Data comes from data-* attributes (the CSP allows no inline script).
(function () {
  "use strict";

  function showProblem(html, text) {
    var box = document.getElementById("cal-problem");
    if (box) box.innerHTML = html;
    if (window.kliento) window.kliento.toast(text, "error");
  }

  function openDialog(start) {
    var dialog = document.getElementById("cal-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return false;
    var input = dialog.querySelector('input[name="start"]');
    if (input) input.value = start;
    dialog.showModal();
    var subject = dialog.querySelector('input[name="subject"]');
    if (subject) subject.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
      return;
    }
    if (event.target.closest(".cal-event, a, button, input, select, dialog")) return;
    var slot = event.target.closest("[data-slot]");
    if (slot && slot.closest("[data-calendar]")) openDialog(slot.getAttribute("data-slot"));
  });

  function newStart(item, target) {
    var slot = target.closest("[data-slot]");
    if (!slot) return null;
    var time = item.getAttribute("data-time") || "09:00";
    var hour = slot.getAttribute("data-hour");
    if (hour !== null) {
      // A time slot: the hour of the slot, the minutes the activity had.
      var hh = ("0" + hour).slice(-2);
      return slot.getAttribute("data-date") + "T" + hh + ":" + time.slice(3, 5);
    }
    return slot.getAttribute("data-date") + "T" + time; // a month day: same time of day
  }

  function putBack(evt) {
    var before = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, before);
  }

  function reschedule(evt, calendar) {
    if (evt.from === evt.to) return;
    var item = evt.item;
    var start = newStart(item, evt.to);
    if (!start) { putBack(evt); return; }
    var url = calendar.getAttribute("data-reschedule-url").replace(/0\/reschedule\/$/, item.getAttribute("data-id") + "/reschedule/");
    var body = new FormData();
    body.append("start", start);
    body.append("version", item.getAttribute("data-version"));
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": window.kliento.csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      return response.text().then(function (text) {
        if (response.ok) {
          var holder = document.createElement("div");
          holder.innerHTML = text.trim();
          var fresh = holder.firstElementChild;
          if (fresh) item.replaceWith(fresh);
          var box = document.getElementById("cal-problem");
          if (box) box.innerHTML = "";
          if (window.kliento) window.kliento.toast(calendar.getAttribute("data-moved"), "ok");
        } else {
          putBack(evt);
          showProblem(text, calendar.getAttribute("data-failed"));
        }
      });
    }).catch(function () {
      putBack(evt);
      showProblem("", calendar.getAttribute("data-failed"));
    });
  }

  function init() {
    var calendar = document.querySelector("[data-calendar]");
    if (!calendar || typeof window.Sortable === "undefined") return;
    calendar.querySelectorAll("[data-drop]").forEach(function (list) {
      window.Sortable.create(list, {
        group: "calendar",
        draggable: ".cal-event",
        animation: 120,
        emptyInsertThreshold: 24,
        onEnd: function (evt) { reschedule(evt, calendar); }
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
