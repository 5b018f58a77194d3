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
    button.remove();
  } else {
    target.textContent = body.error;
  }
});

// An import's live progress: ask the server every second, reload the page when the work is done.
const progressCard = document.querySelector("[data-progress-url]");
if (progressCard) {
  const bar = progressCard.querySelector("progress");
  const show = (selector, value) => { progressCard.querySelector(selector).textContent = value; };
  const poll = async () => {
    const response = await fetch(progressCard.dataset.progressUrl, { credentials: "same-origin" });
    if (!response.ok) return setTimeout(poll, 3000);
    const job = await response.json();
    if (!job.running) return window.location.reload();
    bar.max = Math.max(job.lines_total, 1);
    bar.value = job.status === "committing" ? bar.max : job.lines_read;
    show(".progress-status", job.status_label);
    show(".lines-read", job.lines_read);
    show(".lines-total", job.lines_total);
    show(".rows-checked", job.rows_checked);
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
