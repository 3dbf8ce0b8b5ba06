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

// A box that scrolls sideways (a wide table on a phone, a long line of a sample file) takes the
// keyboard focus while it scrolls, so it can be scrolled without a mouse (WCAG 2.1.1).
const focusScrollers = () => {
  document.querySelectorAll(".table-responsive, pre, .lesson-body table").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.dataset.scrollFocus = "1";
    } else if (!scrolls && box.dataset.scrollFocus) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  });
};
document.addEventListener("DOMContentLoaded", focusScrollers);
window.addEventListener("resize", focusScrollers);
