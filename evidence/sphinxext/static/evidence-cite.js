// "Cite this chapter": APA 7's retrieval date is the day the reader reads the page, which the built page
// cannot know. It carries the build date; here the reader's browser writes in today's date instead.
document.addEventListener("DOMContentLoaded", function () {
  var today = new Date();
  var two = function (n) { return String(n).padStart(2, "0"); };
  var dates = {
    apa: today.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" }),
    iso: today.getFullYear() + "-" + two(today.getMonth() + 1) + "-" + two(today.getDate()),
  };
  document.querySelectorAll(".evidence-accessed").forEach(function (element) {
    element.textContent = dates[element.dataset.format] || element.textContent;
  });
});
