// The pipeline board: drag a card to another column (or use its "Move to" form) to move
// the deal. Lost and won stages first ask for the reason. A refused move (409 someone
// else changed the deal, 422 bad input) shows the message and puts the card back.
(function () {
  "use strict";

  function toast(text, kind) {
    if (window.kliento && window.kliento.toast) window.kliento.toast(text, kind);
  }

  function failedText() {
    return document.body.dataset.failed || "Error";
  }

  // Ask for the reason of a won or lost stage; resolves with {won, lost, note} or null.
  function askReason(kind) {
    var dialog = document.getElementById("reason-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return Promise.resolve(null);
    var form = dialog.querySelector("form");
    form.reset();
    dialog.setAttribute("data-kind", kind);
    var won = form.querySelector("[name=won_reason_id]");
    var lost = form.querySelector("[name=lost_reason_id]");
    won.disabled = kind !== "won";
    won.required = kind === "won";
    lost.disabled = kind !== "lost";
    lost.required = kind === "lost";
    return new Promise(function (resolve) {
      var done = false;
      function finish(value) {
        if (done) return;
        done = true;
        dialog.removeEventListener("close", onClose);
        cancel.removeEventListener("click", onCancel);
        resolve(value);
      }
      function onClose() {
        if (dialog.returnValue === "ok") {
          finish({
            won: kind === "won" ? won.value : "",
            lost: kind === "lost" ? lost.value : "",
            note: form.querySelector("[name=reason_text]").value
          });
        } else {
          finish(null);
        }
      }
      function onCancel() { dialog.close(""); }
      var cancel = form.querySelector("[data-reason-cancel]");
      dialog.returnValue = "";
      dialog.addEventListener("close", onClose);
      cancel.addEventListener("click", onCancel);
      dialog.showModal();
      (kind === "won" ? won : lost).focus();
    });
  }

  // Replace the elements of `html` that have an id with the page's elements of that id.
  function swapById(html) {
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    var swapped = [];
    Array.prototype.forEach.call(doc.body.children, function (fresh) {
      if (!fresh.id) return;
      var old = document.getElementById(fresh.id);
      if (!old) return;
      fresh.removeAttribute("hx-swap-oob");
      var node = document.importNode(fresh, true);
      old.replaceWith(node);
      if (window.htmx) window.htmx.process(node);
      swapped.push(node);
    });
    return swapped;
  }

  function errorText(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var el = doc.querySelector("[data-error]");
    return el ? el.textContent.trim() : "";
  }

  // Post the move; resolves true when the deal moved, false when it was refused.
  function postMove(card, stageId, reason) {
    var board = document.getElementById("board");
    var body = new FormData();
    body.append("stage_id", stageId);
    body.append("version", card.dataset.version);
    body.append("owner", board.dataset.owner || "");
    body.append("team", board.dataset.team || "");
    if (reason) {
      if (reason.won) body.append("won_reason_id", reason.won);
      if (reason.lost) body.append("lost_reason_id", reason.lost);
      body.append("reason_text", reason.note || "");
    }
    card.classList.add("is-moving");
    return fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": window.kliento.csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      return response.text().then(function (html) {
        card.classList.remove("is-moving");
        if (response.ok) {
          var nodes = swapById(html);
          var moved = nodes.filter(function (n) { return n.classList.contains("board-card"); })[0];
          return moved || true;
        }
        if (response.status === 409 || response.status === 422) {
          toast(errorText(html) || failedText(), "error");
        } else {
          toast(failedText(), "error");
        }
        return false;
      });
    }, function () {
      card.classList.remove("is-moving");
      toast(failedText(), "error");
      return false;
    });
  }

  function columnOf(stageId) {
    return document.querySelector('.board-col[data-stage="' + stageId + '"]');
  }

  // Move `card` to the column of `stageId`: ask for a reason if needed, post, or undo.
  function move(card, stageId, undo) {
    var column = columnOf(stageId);
    var kind = column ? column.dataset.kind : "open";
    var ask = kind === "won" || kind === "lost" ? askReason(kind) : Promise.resolve(undefined);
    return ask.then(function (reason) {
      if (reason === null) { undo(); return false; }
      return postMove(card, stageId, reason).then(function (result) {
        if (!result) undo();
        return result;
      });
    });
  }

  function init() {
    var board = document.getElementById("board");
    if (!board) return;

    if (window.Sortable) {
      board.querySelectorAll(".board-cards").forEach(function (list) {
        window.Sortable.create(list, {
          group: "deals",
          sort: false,
          draggable: ".board-card",
          filter: "select, button, input, label",
          preventOnFilter: false,
          animation: 120,
          // Mouse and touch events instead of the browser's drag and drop: the same on
          // phones, and a drag can be driven like any pointer (keyboard: "Move to").
          forceFallback: true,
          fallbackOnBody: true,
          fallbackTolerance: 4,
          onEnd: function (event) {
            if (event.from === event.to) return;
            var card = event.item;
            var from = event.from;
            var oldIndex = event.oldIndex;
            function undo() {
              from.insertBefore(card, from.children[oldIndex] || from.querySelector(".board-more"));
            }
            move(card, event.to.dataset.stage, undo);
          }
        });
      });
    }

    // The keyboard way: the "Move to" form of a card does the same as a drop.
    board.addEventListener("submit", function (event) {
      var form = event.target.closest(".board-move");
      if (!form) return;
      event.preventDefault();
      var card = form.closest(".board-card");
      var stageId = form.querySelector("[name=stage_id]").value;
      if (String(stageId) === String(card.dataset.stage)) return;
      var list = card.parentNode;
      var next = card.nextSibling;
      var target = columnOf(stageId);
      var targetList = target && target.querySelector(".board-cards");
      if (targetList) targetList.insertBefore(card, targetList.firstChild);
      move(card, stageId, function () {
        list.insertBefore(card, next);
        var select = card.querySelector("[name=stage_id]");
        if (select) select.value = card.dataset.stage;
      }).then(function (moved) {
        if (moved && moved.querySelector) {
          var select = moved.querySelector("[name=stage_id]");
          if (select) select.focus();
        }
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
