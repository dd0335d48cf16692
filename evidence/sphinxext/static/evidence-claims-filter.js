/* The claims page's filter box (evidence/sphinxext/evidence_pages.py): shows only the claims whose
   text (id, quote, voice, source, date, figure, pages) holds every word typed. No network, no library. */
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector(".evidence-claims-filter");
  if (!box) return;
  const input = box.querySelector("input");
  const status = box.querySelector("[role=status]");
  const claims = [...document.querySelectorAll(".evidence-claim")];
  const texts = claims.map((claim) => claim.textContent.toLowerCase());
  const groups = [...document.querySelectorAll("section.evidence-claims-source")];
  const apply = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    claims.forEach((claim, i) => {
      claim.hidden = !words.every((word) => texts[i].includes(word));
      shown += claim.hidden ? 0 : 1;
    });
    groups.forEach((group) => { group.hidden = !group.querySelector(".evidence-claim:not([hidden])"); });
    status.textContent = words.length ? `${shown} of ${claims.length} claims match.` : `${claims.length} claims.`;
  };
  box.hidden = false;
  input.addEventListener("input", apply);
  apply();
  // A claim reached by its address (#id) lands below the box, which stays at the top of the window.
  const clear = () => document.documentElement.style.setProperty("--evidence-filter-height", `${box.offsetHeight + 8}px`);
  clear();
  window.addEventListener("resize", clear);
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) target.scrollIntoView();
});
