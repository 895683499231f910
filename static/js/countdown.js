/* Live SLA countdowns: every element with data-due (ISO 8601) shows the time left. */
(function () {
  "use strict";
  var root = document.documentElement;
  var overdueLabel = root.getAttribute("data-overdue-label") || "overdue";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) { return d + "d " + h + "h"; }
    if (h > 0) { return h + "h " + pad(m) + "m"; }
    return m + "m " + pad(sec) + "s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var left = due - now;
      if (left < 0) {
        el.textContent = overdueLabel + " " + format(left);
        el.classList.add("overdue");
      } else {
        el.textContent = format(left);
        el.classList.remove("overdue");
      }
    });
  }

  window.tierdeskCountdown = tick;
  tick();
  window.setInterval(tick, 1000);
})();
