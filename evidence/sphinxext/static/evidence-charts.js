// Draw every chart of the page (queued by each figure's inline script) once the page has loaded.
// A chart wider than its column (a phone) is drawn to the column's width instead, with its title and
// source line re-wrapped to fit: the text keeps its size, only the plot narrows.
(function () {
  var TITLE_PX = 10.5, SUBTITLE_PX = 7.2; // about how wide a character of the title and the source line is

  function wrap(text, perLine) {
    var lines = [], line = "";
    String(text).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > perLine) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }

  function fitted(spec, room) {
    var single = !(spec.hconcat || spec.vconcat || spec.concat || spec.facet || spec.repeat);
    if (!single || typeof spec.width !== "number" || spec.width + 120 <= room) return spec;
    spec.width = "container";
    spec.autosize = {type: "fit-x", contains: "padding"};
    // Legends one under another, under the plot; long category labels cut short (the tooltip has them whole).
    var config = spec.config = spec.config || {};
    config.legend = Object.assign({}, config.legend, {orient: "bottom", direction: "vertical", columns: 1,
                                                      layout: {bottom: {direction: "vertical", anchor: "start"}}});
    config.axisY = Object.assign({}, config.axisY, {labelLimit: Math.floor(room * 0.4)});
    if (spec.title && typeof spec.title === "object") {
      spec.title.text = wrap([].concat(spec.title.text).join(" "), Math.floor(room / TITLE_PX));
      if (spec.title.subtitle) {
        spec.title.subtitle = wrap([].concat(spec.title.subtitle).join(" "), Math.floor(room / SUBTITLE_PX));
      }
    }
    return spec;
  }

  function draw(id) {
    var target = document.getElementById(id);
    // The room is the column less the width of the chart's "…" menu (vega-embed's actions, 38 px).
    var spec = fitted(JSON.parse(document.getElementById(id + "-spec").textContent), target.parentElement.clientWidth - 38);
    // The "…" menu saves the chart as SVG or PNG, with its title and source line; made in the browser, offline.
    var options = {renderer: "svg", actions: {export: true, source: false, compiled: false, editor: false},
                   downloadFileName: target.getAttribute("data-name") || id};
    vegaEmbed("#" + id, spec, options).then(function () {
      // vega-embed's menu button is an icon alone: give it a name a screen reader can say.
      var menu = target.querySelector("details > summary");
      if (menu) menu.setAttribute("aria-label", "Chart menu: save the chart as SVG or PNG");
    }).catch(function (error) {
      console.error("chart " + id + ": " + error);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var queued = window.evidenceCharts || [];
    window.evidenceCharts = {push: draw};
    queued.forEach(draw);
  });
})();
