// Reveal a masked number on purpose: the server records who looked, then we show it in place.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.reveal");
  if (!button) return;
  const token = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  const response = await fetch(button.dataset.url, {
    method: "POST",
    headers: { "X-CSRFToken": token ? decodeURIComponent(token[1]) : "" },
    credentials: "same-origin",
  });
  const body = await response.json();
  const target = button.parentElement.querySelector(".masked");
  if (response.ok) {
    target.textContent = body.value;
    target.classList.add("revealed");
    // On a call list the number is there to be called: one tap dials it.
    if ("tel" in button.dataset) {
      const link = document.createElement("a");
      link.href = `tel:${body.value}`;
      link.className = "button call-now";
      link.textContent = body.value;
      target.replaceWith(link);
    }
    button.remove();
  } else {
    target.textContent = body.error;
  }
});

// Live progress of a background job (an import, an export of a table or of a campaign): every job's
// progress URL answers the same JSON (lockdown/core/jobs.py: status, status_label, running, done,
// total, percent, message, and any numbers of its own). Ask it every second, show the bar and the
// card's [data-show] elements, and reload the page when the work is done.
for (const card of document.querySelectorAll("[data-progress-url]")) {
  const bar = card.querySelector("progress");
  const poll = async () => {
    const response = await fetch(card.dataset.progressUrl, { credentials: "same-origin" });
    if (!response.ok) return setTimeout(poll, 3000);
    const job = await response.json();
    if (!job.running) return window.location.reload();
    bar.max = Math.max(job.total, 1);
    bar.value = job.done;
    bar.textContent = `${job.percent}%`;
    for (const element of card.querySelectorAll("[data-show]")) element.textContent = job[element.dataset.show];
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}

// A campaign's live numbers: every [data-count] element takes its value from the server every few
// seconds (messages going out, receipts coming in, outcomes recorded by others), and the listed
// residents' rows their SMS state ([data-sms]) and reason to call ([data-call]).
for (const section of document.querySelectorAll("[data-campaign-progress]")) {
  const listed = [...document.querySelectorAll("[data-sms]")].map((cell) => cell.dataset.sms);
  const url = `${section.dataset.campaignProgress}?recipients=${listed.join(",")}`;
  const poll = async () => {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) {
      const { running, counts, recipients, provider_error: providerError } = await response.json();
      section.querySelector("[data-provider-error]").textContent = providerError;
      section.querySelector(".provider-error").hidden = !providerError;
      for (const element of document.querySelectorAll("[data-count]")) {
        const value = counts[element.dataset.count];
        if (value !== undefined) element.textContent = value;
      }
      for (const [pk, row] of Object.entries(recipients)) {
        const sms = document.querySelector(`[data-sms="${pk}"]`);
        if (row.state && sms.dataset.state !== row.state) {
          const status = document.createElement("span");
          status.className = `status status-${row.state}`;
          status.textContent = row.label;
          sms.replaceChildren(status);
          sms.dataset.state = row.state;
        }
        document.querySelector(`[data-call="${pk}"]`).textContent = row.call;
      }
      const bar = section.querySelector("progress[data-progress-of]");
      if (bar) {
        bar.max = Math.max(counts["total.residents"], 1);
        bar.value = counts["total.residents"] - counts["total.waiting"];
      }
      section.classList.toggle("running", running);
    }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 1000);
}

// A button whose work is hard to undo (a check-in wiped, a roster closed, every poster's link
// ended) asks first: a mis-tap with a glove changes nothing.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// A page made to be printed (a compound's registration poster) has a button for it.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

// A roster filling up: ask every ten seconds whether anyone signed up, cancelled or was moved, and
// reload the page when so, unless the person is typing or choosing in a form of it.
for (const section of document.querySelectorAll("[data-roster-changes]")) {
  const poll = async () => {
    const response = await fetch(section.dataset.rosterChanges, { credentials: "same-origin" });
    if (response.ok) {
      const { signature } = await response.json();
      const busy = document.activeElement && document.activeElement.closest("form");
      if (signature !== section.dataset.signature && !busy) return window.location.reload();
    }
    setTimeout(poll, 10000);
  };
  setTimeout(poll, 10000);
}

// A double tap sends a form twice, and its work would be done twice (two parcels, two donations):
// a form that changes something takes one submit, until its page is left (or for a few seconds,
// where it answers with a download and the page stays).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method.toLowerCase() !== "post" || event.defaultPrevented) return;
  if (form.dataset.sent) return event.preventDefault();
  form.dataset.sent = "1";
  setTimeout(() => delete form.dataset.sent, 5000);
});
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-sent]")) delete form.dataset.sent;
});
