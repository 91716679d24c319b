/* Suggest what was already asked or filed while someone types a title: similar
   questions on the ask page, similar reports on the report form. Progressive: without
   JavaScript the form works as before.
   The title input names the endpoint (data-similar-url), the aria-live region to fill
   (data-similar-target) and the list in the JSON answer (data-similar-key). Each item
   brings its url, title, an optional badge and a note, already in the reader's language;
   the region's data-heading introduces the list. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-similar-url]");
  if (!input || !window.fetch) { return; }
  var region = document.getElementById(input.getAttribute("data-similar-target"));
  if (!region) { return; }
  var url = input.getAttribute("data-similar-url");
  var key = input.getAttribute("data-similar-key");
  var timer = null;
  var asked = "";

  function entry(found) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = found.url;
    link.textContent = found.title;
    item.appendChild(link);
    if (found.badge) {
      var badge = document.createElement("span");
      badge.className = "badge text-bg-success ms-1";
      badge.textContent = found.badge;
      item.appendChild(badge);
    }
    if (found.note) { item.appendChild(document.createTextNode(" (" + found.note + ")")); }
    return item;
  }

  function show(items) {
    region.textContent = "";
    if (!items.length) { return; }
    var heading = document.createElement("p");
    heading.className = "mb-1";
    heading.textContent = region.getAttribute("data-heading");
    var list = document.createElement("ul");
    list.className = "mb-0";
    items.forEach(function (found) { list.appendChild(entry(found)); });
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
      return answer.ok ? answer.json() : {};
    }).then(function (data) {
      if (input.value.trim() === title) { show(data[key] || []); }
    }).catch(function () { /* suggestions are a help, not a must */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 350);
  });
  lookUp();
})();
