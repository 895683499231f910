/* Queue bulk actions: tick all on the page, show only the chosen action's fields. */
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var counter = form.querySelector("[data-selected-count]");

  function boxes() { return document.querySelectorAll("input[name=ids][form=bulk-form]"); }
  function count() {
    var n = 0;
    boxes().forEach(function (box) { if (box.checked) { n += 1; } });
    if (counter) { counter.textContent = n ? n + " ✓" : ""; }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-select-all")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    count();
  });

  var action = document.getElementById("bulk-action");
  function show() {
    form.querySelectorAll("[data-for-action]").forEach(function (field) {
      field.hidden = field.getAttribute("data-for-action") !== action.value;
    });
  }
  action.addEventListener("change", show);
  show();
})();
