// Live character counter under answer fields with a length limit (assessment page).
// The limit depends on the answer's language, decided as the server does
// (lms/services/autochecks.py answer_language): Chinese when Han characters are at
// least a quarter of the letters; no letters counts as Chinese.

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/gu;
const LETTER = /\p{L}/gu;

function answerLanguage(text) {
  const han = (text.match(HAN) || []).length;
  const latin = (text.match(LETTER) || []).length - han;
  return 3 * han >= latin ? "zh" : "en";
}

function update(counter, input) {
  const text = input.value.trim();
  const lang = answerLanguage(text);
  const n = [...text].length;
  const max = Number(counter.dataset[lang === "zh" ? "maxZh" : "maxEn"]) || 0;
  const min = Number(counter.dataset[lang === "zh" ? "minZh" : "minEn"]) || 0;
  const limit = max ? "≤ " + max : "≥ " + min;
  const template = counter.dataset[lang === "zh" ? "textZh" : "textEn"];
  counter.textContent = template.replace("{n}", n).replace("{limit}", limit);
  const wrong = (max && n > max) || (min && text && n < min);
  counter.classList.toggle("text-danger", Boolean(wrong));
  counter.classList.toggle("fw-semibold", Boolean(wrong));
}

document.querySelectorAll(".charcount[data-for]").forEach((counter) => {
  const input = document.getElementById(counter.dataset.for);
  if (!input) {
    return;
  }
  input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" "));
  input.addEventListener("input", () => update(counter, input));
  update(counter, input);
});
