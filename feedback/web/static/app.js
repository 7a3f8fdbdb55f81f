// Progressive enhancement only: every page works without this file.
// Copy buttons: <button data-copy="#input-id"> copies that field's value.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  const label = button.querySelector("[data-copy-label]") || button;
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();  // no clipboard API (plain http): select it so Ctrl+C works
    document.execCommand && document.execCommand("copy");
  }
  const before = label.textContent;
  label.textContent = "Copied";
  setTimeout(() => { label.textContent = before; }, 2000);
});
