// Reskill's own small behaviours, served locally (the CSP allows no inline script).

// <form data-confirm="question">: ask before sending (destructive actions).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// <button data-copy="input-id" data-copied="label">: copy that read-only field (a set-password link).
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("button[data-copy]") : null;
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copy);
  if (!field) {
    return;
  }
  const done = () => {
    button.textContent = button.dataset.copied || button.textContent;
  };
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => {
      // Clipboard refused (permissions): the field stays selected for Ctrl+C.
      if (document.execCommand("copy")) {
        done();
      }
    });
  } else if (document.execCommand("copy")) {
    done();
  }
});

// [data-autofocus]: an alert that says why a form was refused takes the focus, so it is read first.
document.addEventListener("DOMContentLoaded", () => {
  const alert = document.querySelector("[data-autofocus]");
  if (alert) {
    alert.focus();
  }
});
