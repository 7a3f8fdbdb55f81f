// The widget demo page: buttons call window.feedback as a product would; its events are listed.
(() => {
  "use strict";
  const feedback = window.feedback;
  if (!feedback) return;
  const log = document.getElementById("demo-log");
  const note = (text) => {
    if (!log) return;
    if (log.dataset.used !== "1") { log.textContent = ""; log.dataset.used = "1"; }
    const item = document.createElement("li");
    item.className = "list-group-item small";
    item.textContent = `${new Date().toLocaleTimeString()} · ${text}`;
    log.prepend(item);
  };
  ["shown", "answered", "dismissed"].forEach((name) => {
    feedback.on(name, (detail) => note(`${name} ${detail ? JSON.stringify(detail) : ""}`));
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-show], [data-track], [data-reset]");
    if (!button) return;
    if (button.dataset.show) {
      feedback.show(Number(button.dataset.show));
      note(`show(${button.dataset.show})`);
    } else if (button.dataset.track) {
      feedback.track(button.dataset.track, { source: "demo page" });
      note(`track("${button.dataset.track}")`);
    } else {
      feedback.reset();
      note("reset()");
    }
  });
})();
