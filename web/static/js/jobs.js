// Keeps a job's progress bar (templates/macros/jobs.html) up to date by polling its JSON status.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const section of document.querySelectorAll("[data-job-status]")) {
    const bar = section.querySelector("progress");
    const text = section.querySelector(".job-text");
    const refresh = section.querySelector(".job-refresh");
    if (refresh) refresh.hidden = true;
    const poll = async () => {
      let job;
      try {
        const response = await fetch(section.dataset.jobStatus, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(String(response.status));
        job = await response.json();
      } catch (error) {
        if (refresh) refresh.hidden = false;
        return;
      }
      if (job.percent !== null) bar.value = job.percent;
      if (job.status === "done") {
        text.textContent = text.dataset.textDone;
        window.location.assign(section.dataset.jobDone);
        return;
      }
      if (job.status === "failed") {
        text.textContent = `${text.dataset.textFailed} ${job.error || ""}`;
        return;
      }
      text.textContent = job.total
        ? text.dataset.textRunning.replace("{done}", job.done).replace("{total}", job.total)
        : text.dataset.textWaiting;
      window.setTimeout(poll, 1000);
    };
    window.setTimeout(poll, 500);
  }
});
