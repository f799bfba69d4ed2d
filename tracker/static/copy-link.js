// "Copy link" buttons: <button data-copy-target="ID" data-copy-status="ID" data-copied="..." data-failed="..." hidden>.
// The button stays hidden without this script; the field it copies from stays selectable either way.
"use strict";

document.querySelectorAll("button[data-copy-target]").forEach((button) => {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!field || !status) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = button.dataset.copied;
    } catch (error) {
      // No clipboard access (an insecure address, or permission refused): select the text for a manual copy.
      field.focus();
      field.select();
      status.textContent = button.dataset.failed;
    }
  });
});
