// Draw every chart of the page (queued by each figure's inline script) once the page has loaded.
(function () {
  function draw(id) {
    var spec = JSON.parse(document.getElementById(id + "-spec").textContent);
    vegaEmbed("#" + id, spec, {actions: false, renderer: "svg"}).catch(function (error) {
      console.error("chart " + id + ": " + error);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var queued = window.evidenceCharts || [];
    window.evidenceCharts = {push: draw};
    queued.forEach(draw);
  });
})();
