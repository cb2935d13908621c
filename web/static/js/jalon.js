// Jalon's only script (CSP forbids inline ones): small progressive enhancements.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A form with errors: move focus to the summary so screen readers announce it.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  // Print buttons work only with JavaScript, so they are hidden until it runs.
  for (const button of document.querySelectorAll(".js-print")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
