// The trigger pages, progressively enhanced: every form works without this file.
(() => {
  "use strict";

  // Buttons that destroy something ask first (the form still posts without JavaScript).
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // After saving, the list page jumps to the trigger: give it the keyboard focus too.
  if (location.hash.startsWith("#trigger-")) {
    document.getElementById(decodeURIComponent(location.hash.slice(1)))?.focus({ preventScroll: true });
  }

  const form = document.getElementById("trigger-form");
  if (!form) return;

  // Show only the fields of the chosen kind of trigger (all of them show without script).
  const sections = [...form.querySelectorAll("[data-type-section]")];
  const kind = () => form.querySelector("input[name=type]:checked")?.value || "event";
  const syncType = () => {
    sections.forEach((s) => { s.hidden = s.dataset.typeSection !== kind(); });
    // Event properties only filter event triggers.
    form.querySelectorAll("option[value=properties]").forEach((o) => { o.disabled = kind() !== "event"; });
  };
  form.querySelectorAll("input[name=type]").forEach((r) => r.addEventListener("change", syncType));
  syncType();

  // The name box is for attributes and properties only.
  const keyed = new Set(["account.attributes", "contact.attributes", "properties"]);
  const syncKey = (select, box) => {
    const on = keyed.has(select.value);
    box.querySelectorAll("input").forEach((input) => { input.disabled = !on; });
    box.classList.toggle("key-off", !on);
  };
  const dateField = document.getElementById("date_field");
  const dateKey = form.querySelector("[data-key-for=date_field]");
  if (dateField && dateKey) {
    dateField.addEventListener("change", () => syncKey(dateField, dateKey));
    syncKey(dateField, dateKey);
  }
  form.querySelectorAll("[data-filter-row]").forEach((row) => {
    const select = row.querySelector("[data-field-select]");
    const cell = row.querySelector("[data-key-cell]");
    select.addEventListener("change", () => syncKey(select, cell));
    syncKey(select, cell);
  });

  document.getElementById("form-problems")?.focus();
})();
