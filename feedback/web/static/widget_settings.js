// The widget's settings, progressively enhanced: every form works without this file.
(() => {
  "use strict";
  // A colour picker and its #rrggbb text box stay in step (<input type=color data-color-for="text-id">).
  document.querySelectorAll("input[type=color][data-color-for]").forEach((picker) => {
    const text = document.getElementById(picker.dataset.colorFor);
    if (!text) return;
    picker.addEventListener("input", () => { text.value = picker.value; });
    text.addEventListener("input", () => {
      if (/^#[0-9a-f]{6}$/i.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
    });
  });
})();
