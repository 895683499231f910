// The celery-beat periodic task form: show the readable form of the chosen crontab.
(function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  if (!$) return;
  $(function () {
    var crontabs = JSON.parse($("#readable-crontabs").text() || "{}");
    var original = $("#crontab-help").data("help") || "";
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
      var help = $(".field-crontab .help").empty().text(original);
      help.append($("<br>")).append(document.createTextNode("Translation: " + (crontabs[$("#id_crontab").val()] || "")));
    });
  });
})();
