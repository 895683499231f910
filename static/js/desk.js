/* Technician tools on the ticket and queue pages: canned replies in the reply box,
   presence and the collision warning, keyboard shortcuts. No inline script (CSP). */
(function () {
  "use strict";
  var QUEUE_KEY = "tierdesk.queue";

  function csrf(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  var body = document.getElementById("id_body");
  var replyForm = body ? body.closest("form") : null;

  /* ---------------------------------------------------------------- canned replies */
  var picker = document.querySelector("[data-macro-picker]");
  if (picker && replyForm) {
    var search = picker.querySelector("input[type=search]");
    var chosen = picker.querySelector("[data-macro-chosen]");
    var options = document.querySelectorAll("#macro-options option");
    var originalAction = replyForm.getAttribute("action");
    var insert = function () {
      var match = null;
      options.forEach(function (option) {
        if (option.value.toLowerCase() === search.value.trim().toLowerCase()) { match = option; }
      });
      if (!match) { return false; }
      fetch(match.getAttribute("data-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (macro) {
          if (!macro) { return; }
          body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + "\n\n" + macro.body : macro.body;
          var internal = replyForm.querySelector("input[name=internal]");
          if (internal) { internal.checked = !!macro.internal; }
          var hidden = replyForm.querySelector("input[name=macro]");
          if (!hidden) {
            hidden = document.createElement("input");
            hidden.type = "hidden";
            hidden.name = "macro";
            replyForm.appendChild(hidden);
          }
          hidden.value = String(macro.id);
          replyForm.setAttribute("action", picker.getAttribute("data-apply-url"));
          if (chosen) { chosen.textContent = macro.name; }
          search.value = "";
          body.focus();
        });
      return true;
    };
    search.addEventListener("change", insert);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); insert(); }
    });
    body.addEventListener("input", function () {
      if (!body.value.trim() && replyForm.querySelector("input[name=macro]")) {
        replyForm.querySelector("input[name=macro]").remove();
        replyForm.setAttribute("action", originalAction);
        if (chosen) { chosen.textContent = ""; }
      }
    });
  }

  /* ------------------------------------------------------ presence and collisions */
  var presence = document.getElementById("presence");
  if (presence && window.fetch) {
    var url = presence.getAttribute("data-url");
    var seen = parseInt(presence.getAttribute("data-latest-reply"), 10) || 0;
    var seconds = parseInt(presence.getAttribute("data-poll-seconds"), 10) || 5;
    var lastTyped = 0;
    var confirmed = false;
    var warning = document.getElementById("reply-collision");
    if (body) { body.addEventListener("input", function () { lastTyped = Date.now(); }); }

    var show = function (data) {
      var others = (data && data.others) || [];
      presence.textContent = "";
      if (!others.length) { presence.hidden = true; return; }
      var label = document.createElement("strong");
      label.textContent = presence.getAttribute("data-also-label") + " ";
      presence.appendChild(label);
      others.forEach(function (other, index) {
        var item = document.createElement("span");
        item.className = other.writing ? "present writing" : "present";
        item.textContent = other.name + (other.writing ? " (" + presence.getAttribute("data-writing-label") + ")" : "");
        presence.appendChild(item);
        if (index < others.length - 1) { presence.appendChild(document.createTextNode(", ")); }
      });
      presence.hidden = false;
    };
    var ping = function () {
      var data = new FormData();
      data.append("writing", Date.now() - lastTyped < 10000 && body && body.value.trim() ? "1" : "0");
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(replyForm) }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) { if (result) { show(result); } return result; })
        .catch(function () { return null; });
    };
    ping();
    window.setInterval(function () { if (!document.hidden) { ping(); } }, seconds * 1000);

    if (replyForm && warning) {
      replyForm.addEventListener("submit", function (event) {
        if (confirmed) { return; }
        event.preventDefault();
        ping().then(function (result) {
          if (result && result.latest_reply > seen) {
            warning.hidden = false;
            var again = warning.querySelector("[data-send-anyway]");
            if (again) { again.focus(); }
          } else {
            confirmed = true;
            replyForm.submit();
          }
        });
      });
      var anyway = warning.querySelector("[data-send-anyway]");
      if (anyway) {
        anyway.addEventListener("click", function () { confirmed = true; replyForm.submit(); });
      }
    }
  }

  /* ------------------------------------------------------------ keyboard shortcuts */
  var rows = document.querySelectorAll("#queue-rows tr[data-reference]");
  if (document.getElementById("queue-rows")) {
    var remember = function () {
      var refs = [];
      document.querySelectorAll("#queue-rows tr[data-reference]").forEach(function (row) {
        refs.push(row.getAttribute("data-reference"));
      });
      try { window.sessionStorage.setItem(QUEUE_KEY, JSON.stringify(refs)); } catch (e) { /* private mode */ }
    };
    remember();
    new MutationObserver(remember).observe(document.getElementById("queue-rows"), { childList: true, subtree: true });
  }
  var dialog = document.getElementById("shortcuts-dialog");
  if (dialog) {
    dialog.querySelectorAll("[data-dialog-close]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
  }
  var selected = -1;
  var select = function (step) {
    rows = document.querySelectorAll("#queue-rows tr[data-reference]");
    if (!rows.length) { return; }
    selected = Math.max(0, Math.min(rows.length - 1, selected + step));
    rows.forEach(function (row) { row.classList.remove("selected"); });
    var link = rows[selected].querySelector("a");
    rows[selected].classList.add("selected");
    if (link) { link.focus(); }
  };
  var nextTicket = function () {
    var here = document.querySelector("[data-ticket-reference]");
    var ref = here ? here.getAttribute("data-ticket-reference") : "";
    var refs = [];
    try { refs = JSON.parse(window.sessionStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { refs = []; }
    var index = refs.indexOf(ref);
    var next = index >= 0 ? refs[index + 1] : refs[0];
    if (next && next !== ref) { window.location.href = "/tickets/" + encodeURIComponent(next) + "/"; }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (dialog && dialog.open) { return; }
    var key = event.key;
    if (key === "?") {
      if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
      return;
    }
    if (document.getElementById("queue-rows")) {
      if (key === "j") { event.preventDefault(); select(1); }
      if (key === "k") { event.preventDefault(); select(-1); }
      return;
    }
    if ((key === "r" || key === "n") && body) {
      event.preventDefault();
      var internal = replyForm && replyForm.querySelector("input[name=internal]");
      if (internal) { internal.checked = key === "n"; }
      body.focus();
    } else if (key === "t") {
      var take = document.querySelector("form[action$='/claim/'] button[type=submit]");
      if (take) { event.preventDefault(); take.click(); }
    } else if (key === "j") {
      event.preventDefault();
      nextTicket();
    }
  });
})();
