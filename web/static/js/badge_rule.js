// The award rule builder, progressive enhancement only (the page works without it): in each
// condition row, only the fields of the chosen condition type are shown as soon as it is
// chosen, without a round trip; the conditions are hidden when the badge is given by hand.
"use strict";

function showParts(row) {
  const type = row.querySelector("select[name$='-type']");
  if (!type) {
    return;
  }
  for (const part of row.querySelectorAll("[data-kinds]")) {
    part.hidden = !part.dataset.kinds.split(" ").includes(type.value);
  }
}

function setUpRuleForm(form) {
  for (const row of form.querySelectorAll("[data-condition]")) {
    for (const button of row.querySelectorAll("[data-no-js]")) {
      button.hidden = true;
    }
    const type = row.querySelector("select[name$='-type']");
    if (type) {
      type.addEventListener("change", () => showParts(row));
    }
  }
  const automatic = form.querySelector("[data-automatic]");
  const modes = form.querySelectorAll("input[name='mode']");
  const showAutomatic = () => {
    const chosen = form.querySelector("input[name='mode']:checked");
    if (automatic) {
      automatic.hidden = chosen !== null && chosen.value === "manual";
    }
  };
  for (const mode of modes) {
    mode.addEventListener("change", showAutomatic);
  }
  showAutomatic();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("[data-rule-form]")) {
    setUpRuleForm(form);
  }
});
