// The assessment journey's enhancements. Everything works without this file: it adds move
// up / down buttons to ordering items, reads the question aloud, shows an item's timer
// (with a pause button when the learner asked for more time) and puts the focus on a practice
// procedure's new screen. CSP: no inline script anywhere.
"use strict";

(() => {
  const live = () => document.getElementById("live");

  function announce(message) {
    const region = live();
    if (!region) return;
    region.textContent = "";
    // A new text node after a tick makes screen readers announce the same sentence twice.
    window.setTimeout(() => { region.textContent = message; }, 50);
  }

  // ---- Ordering: move up / down, keeping each step's "place" select in sync -----------------
  function setupOrdering(fieldset) {
    const list = fieldset.querySelector(".ordering-list");
    if (!list) return;
    const up = fieldset.dataset.labelUp;
    const down = fieldset.dataset.labelDown;
    const moved = fieldset.dataset.labelMoved;

    const items = () => Array.from(list.querySelectorAll(".ordering-item"));
    const renumber = () => {
      items().forEach((li, index) => {
        li.querySelector("select").value = String(index + 1);
      });
    };
    const textOf = (li) => li.querySelector(".ordering-text").textContent.trim();

    // Show the list in the order the selects say (after an error, the server kept them).
    const sorted = items().slice().sort(
      (a, b) => Number(a.querySelector("select").value) - Number(b.querySelector("select").value));
    const distinct = new Set(sorted.map((li) => li.querySelector("select").value));
    if (distinct.size === sorted.length) sorted.forEach((li) => list.appendChild(li));

    items().forEach((li) => {
      const moves = document.createElement("div");
      moves.className = "ordering-moves";
      for (const [label, delta] of [[up, -1], [down, 1]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary outline";
        button.textContent = label;
        button.setAttribute("aria-label", `${label} : ${textOf(li)}`);
        button.addEventListener("click", () => {
          const all = items();
          const index = all.indexOf(li);
          const target = index + delta;
          if (target < 0 || target >= all.length) {
            announce(moved.replace("__TEXT__", textOf(li)).replace("__N__", String(index + 1)));
            return;
          }
          if (delta < 0) list.insertBefore(li, all[target]);
          else list.insertBefore(all[target], li);
          renumber();
          button.focus();
          announce(moved.replace("__TEXT__", textOf(li)).replace("__N__", String(target + 1)));
        });
        moves.appendChild(button);
      }
      li.appendChild(moves);
    });
  }

  // ---- Read aloud (speechSynthesis, each text in its own language) ---------------------------
  // A text's language is the lang of its closest marked ancestor (the page is French; English
  // material carries lang="en"), so an English e-mail is read by an English voice.
  const SPEECH_LANGS = { fr: "fr-FR", en: "en-GB" };

  function langOf(element) {
    const marked = element.closest("[lang]");
    const lang = (marked && marked.getAttribute("lang")) || document.documentElement.lang || "fr";
    return lang.includes("-") ? lang : (SPEECH_LANGS[lang] || lang);
  }

  // The texts to read, in page order, as runs of one language: [{lang, text}, …].
  function speechRuns() {
    const parts = Array.from(document.querySelectorAll("[data-speak]"))
      .map((el) => ({ lang: langOf(el), text: el.textContent.trim() }));
    const matching = document.querySelector("[data-matching] select");
    if (matching) {
      parts.push(...Array.from(matching.options).slice(1)
        .map((o) => ({ lang: langOf(o), text: o.textContent.trim() })));
    }
    const runs = [];
    for (const part of parts.filter((p) => p.text)) {
      const last = runs[runs.length - 1];
      if (last && last.lang === part.lang) last.text += `. ${part.text}`;
      else runs.push({ ...part });
    }
    return runs;
  }

  function setupSpeech(button) {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
      return;
    }
    button.hidden = false;
    const label = button.querySelector(".js-speak-label");
    const readLabel = label.textContent;
    const stopLabel = button.dataset.labelStop;
    let speaking = false;
    const reset = () => { speaking = false; label.textContent = readLabel; };

    button.addEventListener("click", () => {
      const synth = window.speechSynthesis;
      if (speaking) { synth.cancel(); reset(); return; }
      const voices = synth.getVoices();
      const runs = speechRuns();
      if (!runs.length) return;
      synth.cancel();
      runs.forEach((run, index) => {
        const utterance = new window.SpeechSynthesisUtterance(run.text);
        utterance.lang = run.lang;
        const primary = run.lang.split("-")[0].toLowerCase();
        const voice = voices.find((v) => v.lang && v.lang.toLowerCase() === run.lang.toLowerCase())
          || voices.find((v) => v.lang && v.lang.toLowerCase().startsWith(primary));
        if (voice) utterance.voice = voice;
        utterance.rate = 0.9;
        utterance.addEventListener("error", reset);
        if (index === runs.length - 1) utterance.addEventListener("end", reset);
        synth.speak(utterance);
      });
      speaking = true;
      label.textContent = stopLabel;
    });
  }

  // ---- Timer: shown, announced at the start, at 10 s and at the end; pausable -----------------
  function setupTimer(display) {
    let seconds = Number(display.dataset.seconds);
    if (!Number.isFinite(seconds)) return;
    const moreTime = display.dataset.moreTime === "true";
    const left = (n) => display.dataset.labelLeft.replace("__N__", String(n));
    display.hidden = false;
    display.textContent = seconds > 0 ? left(seconds) : display.dataset.labelOver;
    if (moreTime) {
      const pause = document.querySelector(".js-timer-pause");
      if (!pause) return;
      // With more time, nothing counts down until the learner wants it: the pause is the default.
      let running = false;
      let timer = null;
      const pauseLabel = pause.textContent;
      pause.hidden = false;
      pause.textContent = pause.dataset.labelResume;
      pause.addEventListener("click", () => {
        running = !running;
        pause.textContent = running ? pauseLabel : pause.dataset.labelResume;
        announce(running ? display.dataset.labelResumed : display.dataset.labelPaused);
        if (running) {
          timer = window.setInterval(() => {
            seconds = Math.max(seconds - 1, 0);
            display.textContent = seconds > 0 ? left(seconds) : display.dataset.labelOver;
            if (seconds === 0) { window.clearInterval(timer); running = false; }
          }, 1000);
        } else {
          window.clearInterval(timer);
        }
      });
      return;
    }
    const timer = window.setInterval(() => {
      seconds = Math.max(seconds - 1, 0);
      display.textContent = seconds > 0 ? left(seconds) : display.dataset.labelOver;
      if (seconds === 10) announce(left(10));
      if (seconds === 0) {
        announce(display.dataset.labelOver);
        window.clearInterval(timer);
      }
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-ordering]").forEach(setupOrdering);
    const speak = document.querySelector(".js-speak");
    if (speak) setupSpeech(speak);
    const timer = document.querySelector(".timer-remaining");
    if (timer) setupTimer(timer);
    // A practice procedure's next screen: the focus goes to its title, so a screen reader
    // says where the person now is (the link's #ecran alone only scrolls there).
    const screen = window.location.hash === "#ecran" && document.getElementById("ecran");
    if (screen) screen.focus();
  });
})();
