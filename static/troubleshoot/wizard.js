// Our only script. Everything works without it; it adds focus and title after each htmx swap,
// and the copy buttons.
"use strict";

function showCopyButtons(root) {
  root.querySelectorAll("[data-copy]").forEach((button) => { button.hidden = false; });
}

document.addEventListener("DOMContentLoaded", () => showCopyButtons(document));

document.addEventListener("htmx:afterSwap", () => {
  const step = document.getElementById("step");
  if (!step) return;
  if (step.dataset.title) document.title = step.dataset.title;
  const announcer = document.getElementById("announcer");
  if (announcer) announcer.textContent = step.dataset.announce || "";
  showCopyButtons(step);
  // Moving focus to the new heading tells keyboard and screen-reader users the step changed.
  const heading = step.querySelector("h1");
  if (heading) heading.focus();
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(source.value);
    button.textContent = "Copied";
  } catch {
    source.select();  // Clipboard refused (e.g. not https): leave it selected to copy by hand.
    button.textContent = "Press Ctrl+C to copy";
  }
  setTimeout(() => { button.textContent = label; }, 2500);
});
