/* Suggest questions with similar titles while a member types a new question's title.
   Progressive: without JavaScript the form works as before. The list is filled into
   an aria-live region named by the title field's data-similar-target; its data-heading,
   data-solved and data-answers attributes carry the translated words. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-similar-url]");
  if (!input || !window.fetch) { return; }
  var region = document.getElementById(input.getAttribute("data-similar-target"));
  if (!region) { return; }
  var url = input.getAttribute("data-similar-url");
  var timer = null;
  var asked = "";

  function show(questions) {
    region.textContent = "";
    if (!questions.length) { return; }
    var heading = document.createElement("p");
    heading.className = "mb-1";
    heading.textContent = region.getAttribute("data-heading");
    var list = document.createElement("ul");
    list.className = "mb-0";
    questions.forEach(function (question) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = question.url;
      link.textContent = question.title;
      item.appendChild(link);
      if (question.solved) {
        var solved = document.createElement("span");
        solved.className = "badge text-bg-success ms-1";
        solved.textContent = region.getAttribute("data-solved");
        item.appendChild(solved);
      }
      item.appendChild(document.createTextNode(
        " (" + region.getAttribute("data-answers") + ": " + question.answer_count + ")"));
      list.appendChild(item);
    });
    region.appendChild(heading);
    region.appendChild(list);
  }

  function lookUp() {
    var title = input.value.trim();
    if (title === asked) { return; }
    asked = title;
    if (title.length < 4) { show([]); return; }
    fetch(url + "?title=" + encodeURIComponent(title), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (answer) {
      return answer.ok ? answer.json() : { questions: [] };
    }).then(function (data) {
      if (input.value.trim() === title) { show(data.questions || []); }
    }).catch(function () { /* suggestions are a help, not a must */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 350);
  });
  lookUp();
})();
