// Customer forms: "Add a row" for channels (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  var counter = 0;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-channel]");
    if (!button) return;
    var template = document.getElementById("channel-row-template");
    var rows = document.getElementById("channel-rows");
    if (!template || !rows) return;
    var row = template.content.firstElementChild.cloneNode(true);
    counter += 1;
    row.querySelectorAll("[id]").forEach(function (el) {
      var id = el.id.replace(/-tpl$/, "-added" + counter);
      var label = row.querySelector('label[for="' + el.id + '"]');
      if (label) label.setAttribute("for", id);
      el.id = id;
    });
    rows.appendChild(row);
    if (window.htmx) window.htmx.process(row);
    var value = row.querySelector('[name="channel_value"]');
    if (value) value.focus();
  });
})();
