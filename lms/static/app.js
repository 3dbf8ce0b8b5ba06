// Reskill's own small behaviours, served locally (the CSP allows no inline script).

// <form data-confirm="question">: ask before sending (destructive actions).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
