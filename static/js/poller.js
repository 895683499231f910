/* Refreshes the queue rows in place every few seconds (no full reload). */
(function () {
  "use strict";
  var box = document.querySelector("[data-poll-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-poll-url");
  var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 15;

  /* What a listener cares about: which tickets, in which order, in which SLA state. */
  function signature(html) {
    return (html.match(/data-reference="[^"]*" data-sla="[^"]*"/g) || []).join("|");
  }
  var last = signature(box.innerHTML);

  function refresh() {
    if (document.hidden || box.contains(document.activeElement)) { return; }
    /* Tickets ticked for a bulk action: keep the rows until the action is sent. */
    if (box.querySelector("input[name=ids]:checked")) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.redirected) {  /* signed out meanwhile: show the sign-in page */
          window.location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) { return; }
        box.innerHTML = html;
        var now = signature(html);
        if (now !== last) {
          last = now;
          /* One short announcement instead of a live region that reads every tick. */
          var status = document.getElementById(box.getAttribute("data-status"));
          if (status) { status.textContent = box.getAttribute("data-updated-label") || ""; }
        }
        box.setAttribute("data-refreshed", String(Date.now()));
        if (window.tierdeskCountdown) { window.tierdeskCountdown(); }
      })
      .catch(function () { /* offline for a moment: try again next round */ });
  }

  window.setInterval(refresh, seconds * 1000);
})();
