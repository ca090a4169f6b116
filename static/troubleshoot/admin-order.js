// Reorders admin inline rows with "Move up" / "Move down" buttons instead of typed numbers.
// Without this script the order numbers stay visible and editable, so nothing depends on it.
"use strict";

(function () {
  const ROW = "tr.form-row, div.inline-related:not(.tabular)";  // a tabular group wraps its table in .inline-related

  function orderInput(row) {
    return row.querySelector("input[name$='-order']");
  }

  function isUsed(row) {
    // Blank extra rows must stay untouched, or Django would validate them as new entries.
    const id = row.querySelector("input[name$='-id']");
    if (id && id.value) return true;
    return [...row.querySelectorAll("input[type=text], textarea, select")].some(
      (field) => field !== orderInput(row) && field.value && !field.name.endsWith("-kind"));
  }

  function rowsOf(group) {
    return [...group.querySelectorAll(ROW)].filter((row) => !row.classList.contains("empty-form") && orderInput(row));
  }

  function renumber(group) {
    rowsOf(group).filter(isUsed).forEach((row, index) => { orderInput(row).value = index; });
  }

  function move(row, step) {
    const group = row.closest(".inline-group");
    const rows = rowsOf(group);
    const other = rows[rows.indexOf(row) + step];
    if (!other) return;
    if (step < 0) other.before(row); else other.after(row);
    renumber(group);
  }

  function button(label, row, step) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "order-move";
    b.textContent = step < 0 ? "↑" : "↓";
    b.title = label;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", () => { move(row, step); b.focus(); });
    return b;
  }

  function enhance(row) {
    const input = orderInput(row);
    if (!input || row.classList.contains("empty-form") || row.dataset.ordered) return;
    row.dataset.ordered = "1";
    input.type = "hidden";
    input.after(button("Move up", row, -1), button("Move down", row, 1));
  }

  function enhanceAll() {
    document.querySelectorAll(".inline-group").forEach((group) => {
      rowsOf(group).forEach(enhance);
      const header = group.querySelector("th.column-order");
      if (header) header.textContent = "Move";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    enhanceAll();
    const form = document.querySelector("#content-main form");
    if (form) form.addEventListener("submit", () => document.querySelectorAll(".inline-group").forEach(renumber));
  });
  document.addEventListener("formset:added", enhanceAll);
})();
