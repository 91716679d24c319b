/* Suggest reports with similar titles while a tester types a new report's title.
   Progressive: without JavaScript the form works as before. The list is filled into
   an aria-live region named by the title field's data-similar-target. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-similar-url]");
  if (!input || !window.fetch) { return; }
  var region = document.getElementById(input.getAttribute("data-similar-target"));
  if (!region) { return; }
  var url = input.getAttribute("data-similar-url");
  var timer = null;
  var asked = "";

  function show(reports) {
    region.textContent = "";
    if (!reports.length) { return; }
    var heading = document.createElement("p");
    heading.className = "mb-1";
    heading.textContent = region.getAttribute("data-heading");
    var list = document.createElement("ul");
    list.className = "mb-0";
    reports.forEach(function (report) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = report.url;
      link.textContent = report.title;
      item.appendChild(link);
      item.appendChild(document.createTextNode(
        " (" + report.status_label + " · " + region.getAttribute("data-me-too") + ": " +
        report.me_too_count + ")"));
      list.appendChild(item);
    });
    region.appendChild(heading);
    region.appendChild(list);
  }

  function lookUp() {
    var title = input.value.trim();
    if (title === asked) { return; }
    asked = title;
    if (title.length < 3) { show([]); return; }
    fetch(url + "?title=" + encodeURIComponent(title), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (answer) {
      return answer.ok ? answer.json() : { reports: [] };
    }).then(function (data) {
      if (input.value.trim() === title) { show(data.reports || []); }
    }).catch(function () { /* suggestions are a help, not a must */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 350);
  });
  lookUp();
})();
