/* Opens and closes <dialog> elements; refuses an escalation without a hand-off note. */
(function () {
  "use strict";
  document.querySelectorAll("[data-dialog-open]").forEach(function (button) {
    button.addEventListener("click", function () {
      var dialog = document.getElementById(button.getAttribute("data-dialog-open"));
      if (dialog && dialog.showModal) {
        dialog.showModal();
        var first = dialog.querySelector("textarea, input, select");
        if (first) { first.focus(); }
      }
    });
  });
  document.querySelectorAll("[data-dialog-close]").forEach(function (button) {
    button.addEventListener("click", function () {
      var dialog = button.closest("dialog");
      if (dialog) { dialog.close(); }
    });
  });
  document.querySelectorAll("dialog form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var missing = false;
      form.querySelectorAll("textarea[required]").forEach(function (area) {
        var empty = area.value.trim() === "";
        area.setCustomValidity(empty ? (area.getAttribute("data-empty-message") || " ") : "");
        if (empty) { missing = true; }
      });
      if (missing) {
        event.preventDefault();
        form.reportValidity();
      }
    });
    form.querySelectorAll("textarea[required]").forEach(function (area) {
      area.addEventListener("input", function () { area.setCustomValidity(""); });
    });
  });
  document.querySelectorAll("dialog[data-open-on-load]").forEach(function (dialog) {
    if (dialog.showModal) { dialog.showModal(); }
  });
})();
