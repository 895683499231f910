/* Deflection: while a customer types a new ticket, matching public articles appear beside
   the form (rendered and scoped by the server); "This solved it" files nothing. */
(function () {
  "use strict";
  var panel = document.querySelector("[data-suggest-url]");
  if (!panel) { return; }
  var subject = document.getElementById("id_subject");
  var description = document.getElementById("id_description");
  var timer = null;
  var last = "";
  function ask() {
    var text = ((subject ? subject.value : "") + " " + (description ? description.value.slice(0, 300) : "")).trim();
    if (text === last) { return; }
    last = text;
    if (text.length < 3) { panel.innerHTML = ""; return; }
    var url = panel.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(text.slice(0, 200)) +
      "&token=" + encodeURIComponent(panel.getAttribute("data-suggest-token"));
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (text === last) { panel.innerHTML = html; } });
  }
  function later() { clearTimeout(timer); timer = setTimeout(ask, 250); }
  [subject, description].forEach(function (field) {
    if (field) { field.addEventListener("input", later); }
  });
})();
