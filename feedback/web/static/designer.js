// The survey designer, progressively enhanced: every page works without this file.
// Never puts user text into innerHTML: messages go through textContent, and the preview's
// HTML (rendered and escaped by the server) only ever reaches an iframe's srcdoc.
(() => {
  "use strict";

  const status = document.getElementById("preview-status");
  const frame = document.getElementById("preview-frame");
  const say = (text) => { if (status) status.textContent = text; };

  // Buttons that destroy something ask first (the form still posts without JavaScript).
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // Reordering: after the page reloads, keep the keyboard focus on the button that was used.
  document.querySelectorAll("form[action$='/move']").forEach((form) => {
    form.addEventListener("submit", () => {
      const card = form.closest("[data-question]");
      const direction = form.querySelector("input[name=direction]").value;
      if (card) sessionStorage.setItem("designer-focus", JSON.stringify([card.dataset.question, direction]));
    });
  });
  // Runs after the load event: the browser's own jump to the #fragment would otherwise take focus back.
  const restoreFocus = () => {
    const remembered = sessionStorage.getItem("designer-focus");
    sessionStorage.removeItem("designer-focus");
    let qid = null;
    let direction = null;
    try { [qid, direction] = JSON.parse(remembered || "[]"); } catch { /* an old value: ignore */ }
    const card = [...document.querySelectorAll("[data-question]")].find((el) => el.dataset.question === qid);
    if (card) {
      const buttons = [...card.querySelectorAll("form[action$='/move']")].map((f) => ({
        dir: f.querySelector("input[name=direction]").value, button: f.querySelector("button") }));
      const same = buttons.find((b) => b.dir === direction && !b.button.disabled);
      const other = buttons.find((b) => !b.button.disabled);
      (same || other || { button: card }).button.focus();
    } else if (location.hash.startsWith("#q-")) {
      document.getElementById(decodeURIComponent(location.hash.slice(1)))?.focus();
    }
  };
  if (document.readyState === "complete") setTimeout(restoreFocus);
  else window.addEventListener("load", () => setTimeout(restoreFocus));

  // Preview controls: the step and language pickers update the iframe as soon as they change.
  const controls = document.querySelector("[data-preview-controls]");
  if (controls) {
    const show = controls.querySelector("[data-preview-show]");
    if (show) show.classList.add("visually-hidden-focusable");
    const showStep = () => {
      controls.requestSubmit ? controls.requestSubmit() : controls.submit();
      const step = controls.querySelector("select[name=question]");
      if (step) say(`Showing ${step.options[step.selectedIndex].text}.`);
    };
    controls.addEventListener("change", showStep);
    // A question's own Preview button picks it in the step list, keeping the chosen language.
    document.querySelectorAll("[data-preview-link]").forEach((link) => {
      link.addEventListener("click", (event) => {
        const question = new URL(link.href, location.href).searchParams.get("question");
        const select = controls.querySelector("select[name=question]");
        if (!select || !question) return;
        event.preventDefault();
        select.value = question;
        showStep();
        frame?.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
    });
  }

  // Logic: show only the ticks of the question chosen in "Show this question".
  const logicSelect = document.getElementById("logic_question");
  const groups = [...document.querySelectorAll("[data-logic-for]")];
  if (logicSelect && groups.length) {
    const hint = document.querySelector(".logic-hint");
    if (hint) hint.hidden = true;
    const sync = () => groups.forEach((g) => { g.hidden = g.dataset.logicFor !== logicSelect.value; });
    logicSelect.addEventListener("change", sync);
    sync();
  }

  // Live preview of the question being edited: post the unsaved form, show what comes back.
  const form = document.getElementById("question-form");
  if (form && frame && form.dataset.previewUrl) {
    let timer = null;
    let controller = null;
    const refresh = async () => {
      if (controller) controller.abort();
      controller = new AbortController();
      say("Updating the preview…");
      try {
        const response = await fetch(form.dataset.previewUrl, {
          method: "POST", body: new FormData(form), signal: controller.signal,
          headers: { "X-Requested-With": "fetch" }, credentials: "same-origin",
        });
        if (response.status === 422) {
          const body = await response.json();
          say(`Preview not updated: ${(body.errors || []).join(" ")}`);
          return;
        }
        if (!response.ok) { say("The preview could not be updated."); return; }
        frame.srcdoc = await response.text();
        say("Preview updated. Not saved yet.");
      } catch (error) {
        if (error.name !== "AbortError") say("The preview could not be updated.");
      }
    };
    const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 300); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (/\/questions\/new\//.test(form.dataset.previewUrl)) refresh();
  }
})();
