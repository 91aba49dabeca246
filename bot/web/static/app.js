// newsbot dashboard: the live counter and preview of the edit page. No build step, no library.
// The counter and the preview come from the server (POST /posts/ID/measure) as the editor
// types, so the number shown is the one the server enforces when the post is approved.
(function () {
  "use strict";

  function csrfToken() {
    var field = document.querySelector('input[name="csrf"]');
    return field ? field.value : "";
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  var form = document.getElementById("edit-form");
  if (!form) { return; }
  var textarea = form.querySelector("textarea[data-measure]");
  var live = document.getElementById("live-preview");
  var counter = live.querySelector("[data-counter]");
  var body = live.querySelector("[data-preview-body]");
  var choices = form.querySelector("fieldset[data-compose]");
  var seq = 0;
  var timer = null;

  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });

  function show(result) {
    counter.textContent = result.length + "/" + result.limit;
    counter.dataset.length = String(result.length);
    counter.classList.toggle("over", !result.fits);
    counter.classList.remove("pending");
    body.innerHTML = result.html;  // escaped on the server
  }

  function failed() {
    counter.classList.remove("pending");
    counter.classList.add("stale");
    counter.title = "could not reach the server; the count may be out of date";
  }

  function measure() {
    var mine = ++seq;
    postJSON(textarea.dataset.measure, { text: textarea.value }).then(function (result) {
      if (mine === seq) { counter.classList.remove("stale"); show(result); }
    }, failed);
  }

  textarea.addEventListener("input", function () {
    counter.classList.add("pending");
    clearTimeout(timer);
    timer = setTimeout(measure, 120);
  });

  if (choices) {
    choices.addEventListener("change", function () {
      var picked = choices.querySelector('input[name="quote"]:checked');
      var quote = picked && picked.value !== "none" ? parseInt(picked.value, 10) : null;
      var tags = Array.prototype.map.call(
        choices.querySelectorAll('input[name="hashtags"]:checked'), function (el) { return el.value; });
      var mine = ++seq;
      postJSON(choices.dataset.compose, { quote: quote, hashtags: tags }).then(function (result) {
        if (mine !== seq) { return; }
        textarea.value = result.text;
        show(result);
      }, failed);
    });
  }
})();
