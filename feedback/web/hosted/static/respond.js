/* The hosted survey page, better with JavaScript: keyboard digits pick a score, the text counter
   counts, "Other" follows its text box, and a form is sent once. Without it every control still
   posts as a plain form. In the designer's preview (data-preview) nothing is ever sent. */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("form.respond-form");
    if (!form) { return; }
    var preview = form.hasAttribute("data-preview");
    var sending = false;
    var scores = Array.prototype.slice.call(form.querySelectorAll("[data-score]"));

    function select(button) {
      scores.forEach(function (b) {
        var on = b === button;
        b.classList.toggle("is-selected", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-score]");
      if (!button) { return; }
      select(button);
      if (preview) { event.preventDefault(); }
    });

    form.addEventListener("submit", function (event) {
      if (preview || sending) { event.preventDefault(); return; }
      sending = true;  // a double tap must not post twice
      form.classList.add("is-sending");
    });

    // Digits choose a score; on a 0-10 scale "1" waits a moment for a "0".
    if (scores.length) {
      var hint = form.querySelector("[data-keyboard-hint]");
      if (hint && window.matchMedia && window.matchMedia("(pointer: fine)").matches) { hint.hidden = false; }
      var highest = parseInt(scores[scores.length - 1].value, 10);
      var pendingOne = null;
      var press = function (value) {
        var button = scores.filter(function (b) { return b.value === String(value); })[0];
        if (!button) { return; }
        select(button);
        button.focus();
        button.click();
      };
      document.addEventListener("keydown", function (event) {
        var target = event.target;
        if (event.ctrlKey || event.metaKey || event.altKey || !/^[0-9]$/.test(event.key)) { return; }
        if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
        event.preventDefault();
        if (pendingOne !== null) {
          clearTimeout(pendingOne);
          pendingOne = null;
          press(event.key === "0" ? 10 : 1);
          return;
        }
        if (event.key === "1" && highest >= 10) {
          select(scores.filter(function (b) { return b.value === "1"; })[0]);
          pendingOne = setTimeout(function () { pendingOne = null; press(1); }, 600);
          return;
        }
        press(event.key);
      });
    }

    // The characters-left counter of open text.
    Array.prototype.forEach.call(form.querySelectorAll("textarea[data-counter]"), function (area) {
      var counter = document.getElementById(area.getAttribute("data-counter"));
      var template = counter && counter.getAttribute("data-template");
      var max = parseInt(area.getAttribute("maxlength"), 10);
      if (!counter || !template || !max) { return; }
      var update = function () {
        counter.textContent = template.replace("{n}", (max - area.value.length).toLocaleString());
      };
      area.addEventListener("input", update);
      update();
    });

    // Typing an "Other" answer picks "Other"; picking "Other" moves to its text box.
    var otherChoice = form.querySelector("[data-other-choice]");
    var otherText = form.querySelector("[data-other-text]");
    if (otherChoice && otherText) {
      otherText.addEventListener("input", function () { if (otherText.value.trim()) { otherChoice.checked = true; } });
      otherChoice.addEventListener("change", function () { if (otherChoice.checked) { otherText.focus(); } });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
