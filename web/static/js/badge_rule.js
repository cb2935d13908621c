// The award rule builder, progressive enhancement only (the page works without it): in each
// condition row, only the fields of the chosen condition type are shown as soon as it is
// chosen, without a round trip; the conditions are hidden when the badge is given by hand;
// « La règle en clair » follows every change (the server writes the words: one wording only).
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

function followWords(form) {
  const words = form.querySelector("[data-rule-words]");
  if (!words || !window.fetch) {
    return;
  }
  let pending = null;
  let asked = 0;
  const refresh = async () => {
    const number = ++asked;
    const url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("partie", "clair");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
      if (response.ok && number === asked) {
        words.innerHTML = await response.text();
      }
    } catch (error) {
      // The « Mettre à jour la règle en clair » button still works.
    }
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "campaign") {
      return;
    }
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 150);
  });
}

// Choosing the framework fills every condition's competence lists at once: the page is asked
// again behind the scenes (as the « Afficher les compétences » button does without script,
// keeping all that was typed) and only those lists are taken from it.
function followFramework(form) {
  const framework = form.querySelector("select[name='framework']");
  const button = form.querySelector("button[name='show_framework']");
  if (!framework || !button || !window.fetch || !window.DOMParser) {
    return;
  }
  button.hidden = true;
  framework.addEventListener("change", async () => {
    const body = new FormData(form);
    body.set("show_framework", "1");
    try {
      const response = await fetch(window.location.pathname, {
        method: "POST",
        body,
        credentials: "same-origin",
      });
      if (!response.ok && response.status !== 422) {
        button.hidden = false;
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const lists = "[id$='-competence'], [id$='-competences']";
      for (const fresh of page.querySelectorAll(`[data-condition] :is(${lists})`)) {
        const current = form.querySelector(`#${CSS.escape(fresh.id)}`);
        if (current) {
          current.replaceChildren(...fresh.childNodes);
        }
      }
    } catch (error) {
      button.hidden = false; // the button still works
    }
  });
}

function setUpRuleForm(form) {
  followWords(form);
  followFramework(form);
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
