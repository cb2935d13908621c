// The studio's campaigns pages, progressive enhancement only (every page works without it):
// the « Copier le lien » button, announced to screen readers through a status region; and on
// the creation form, only the settings that apply to what is chosen are shown.
"use strict";

function copyFallback(input) {
  input.focus();
  input.select();
  try {
    return document.execCommand("copy");
  } catch (error) {
    return false;
  }
}

function setUpCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!input || !status) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(input.value);
        copied = true;
      } catch (error) {
        copied = copyFallback(input);
      }
      status.textContent = "";
      // A fresh text node, so that the same message is announced again on a second click.
      window.setTimeout(() => {
        status.textContent = copied ? button.dataset.copied : button.dataset.copyFailed;
        if (!copied) {
          input.focus();
          input.select();
        }
      }, 50);
    });
  }
}

function checked(form, name) {
  const input = form.querySelector(`input[name="${name}"]:checked`);
  return input ? input.value : "";
}

function show(element, visible) {
  element.hidden = !visible;
}

function setUpCampaignForm(form) {
  const framework = form.querySelector("#framework");
  const update = () => {
    const source = checked(form, "source");
    for (const section of form.querySelectorAll("[data-source]")) {
      show(section, section.dataset.source === source);
    }
    const mode = checked(form, "mode");
    for (const part of form.querySelectorAll("[data-mode]")) {
      show(part, part.dataset.mode === mode);
    }
    for (const group of form.querySelectorAll("[data-framework]")) {
      const mine = framework && group.dataset.framework === framework.value;
      show(group, mine);
      group.open = mine;
      // Competences of another framework are not sent: they would not belong to the one chosen.
      for (const box of group.querySelectorAll("input")) {
        box.disabled = !mine;
      }
    }
  };
  form.addEventListener("change", update);
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpCopyButtons();
  const form = document.querySelector("[data-campaign-form]");
  if (form) {
    setUpCampaignForm(form);
  }
});
