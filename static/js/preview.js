/* Markdown preview: posts the text to the server, which renders and sanitises it. */
(function () {
  "use strict";
  document.querySelectorAll("[data-preview-source]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-preview-source"));
      var target = document.getElementById(button.getAttribute("data-preview-target"));
      var form = button.closest("form");
      var token = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
      if (!source || !target || !token) { return; }
      var body = new FormData();
      body.append("text", source.value);
      fetch(button.getAttribute("data-preview-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value }
      })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          target.innerHTML = html;  /* sanitised by the server (nh3) */
          target.hidden = false;
        });
    });
  });
})();
