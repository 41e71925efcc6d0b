// newsprism: the few interactions the pages need. No inline script anywhere (the CSP forbids it).
"use strict";

// Coverage bar: a segment lists only that side's headlines; pressing it again lists them all.
function setupCoverageFilter(bar) {
  const section = bar.closest("section") || document;
  const list = section.querySelector(".headlines");
  const status = section.querySelector(".filter-status");
  if (!list) return;
  const buttons = Array.from(bar.querySelectorAll("button[data-side]"));
  function show(side) {
    let shown = 0;
    for (const item of list.querySelectorAll("li[data-side]")) {
      const match = !side || item.dataset.side === side;
      item.hidden = !match;
      if (match) shown += 1;
    }
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.side === side));
    }
    if (status) {
      status.textContent = side
        ? `Showing ${shown} ${side} headline${shown === 1 ? "" : "s"}. Press the segment again to show all.`
        : "";
    }
  }
  for (const button of buttons) {
    button.addEventListener("click", () => {
      const active = button.getAttribute("aria-pressed") === "true";
      show(active ? null : button.dataset.side);
    });
  }
}

// Citation markers: Escape hides the open source list (hover and focus show it via CSS).
function setupCitations() {
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.activeElement?.classList.contains("cite")) {
      document.activeElement.blur();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const bar of document.querySelectorAll(".coverage-bar.interactive")) {
    setupCoverageFilter(bar);
  }
  setupCitations();
});
