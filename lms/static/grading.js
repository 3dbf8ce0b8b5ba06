// Grading page: a live preview of the weighted total and pass/fail as levels are picked.
// Same rule as grading.weighted_score (Σ weight × points/max ÷ Σ weight, one decimal);
// the server recomputes on save and stays the authority.
(() => {
  const form = document.getElementById("grade-form");
  const out = document.getElementById("live-total");
  if (!form || !out) {
    return;
  }
  const criteria = Array.from(form.querySelectorAll("fieldset.criterion"));

  function update() {
    let weights = 0;
    let sum = 0;
    let chosen = 0;
    for (const fieldset of criteria) {
      const weight = Number(fieldset.dataset.weight);
      const max = Number(fieldset.dataset.maxPoints);
      const checked = fieldset.querySelector("input[type=radio]:checked");
      weights += weight;
      if (checked) {
        chosen += 1;
        sum += (weight * Number(checked.value)) / max;
      }
    }
    const score = weights ? Math.round((1000 * sum) / weights) / 10 : 0;
    const complete = chosen === criteria.length;
    const passes = score >= Number(out.dataset.passMark);
    // A total over some criteria only would read like a real score: none until all are rated.
    out.querySelector(".total").textContent = complete ? `${score.toFixed(1)}%` : "–";
    out.querySelector(".verdict").textContent = complete
      ? (passes ? out.dataset.passes : out.dataset.fails)
      : out.dataset.incomplete;
    out.classList.toggle("alert-secondary", !complete);
    out.classList.toggle("alert-success", complete && passes);
    out.classList.toggle("alert-danger", complete && !passes);
  }

  form.addEventListener("change", update);
  update();
})();
