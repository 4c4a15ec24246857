// The campaign editor's live preview: as staff type, the form goes to …/preview (the same fields as the
// Preview button, CSRF token included), which keeps them for the framed HTML preview and answers the
// text part; the frames then reload. Without this script, the Preview button does the same in one page.
"use strict";
(function () {
  const form = document.getElementById("campaign-editor");
  if (!form || !window.fetch) return;
  const text = document.getElementById("preview-text");
  const who = document.getElementById("preview-who");
  let timer = null;
  let running = false; // one request at a time, so that the kept edits are always the last ones typed
  let again = false;

  function frameQuery() {
    const query = new URLSearchParams({ lang: form.elements.lang.value, to: form.elements.to.value, edits: "true" });
    query.set("t", String(Date.now()));
    return query.toString();
  }

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await ask();
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      refresh();
    }
  }

  async function ask() {
    const body = new URLSearchParams(new FormData(form));
    const token = form.elements._csrf_token ? form.elements._csrf_token.value : "";
    const response = await fetch(form.dataset.preview, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token },
    });
    if (!response.ok) return;
    const answer = await response.json();
    if (answer.error) {
      who.textContent = answer.error;
      return;
    }
    text.textContent = answer.text;
    who.textContent = form.dataset.typedNotSaved; // in the page's language
    for (const frame of document.querySelectorAll(".preview-frame")) {
      frame.src = frame.src.split("?")[0] + "?" + frameQuery();
    }
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
