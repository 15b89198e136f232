/* Draws every plotly figure of a page: an element with data-chart="ID" gets the figure stored by
   Django's json_script in <script id="ID" type="application/json">. No inline script is needed. */
(function () {
  "use strict";

  function draw() {
    if (typeof window.Plotly === "undefined") {
      return; // the tables under each chart still show the numbers
    }
    var targets = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(targets, function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      // No mode bar: its buttons inside the role="img" chart would be nested interactive controls
      // (axe: nested-interactive); the numbers are in the table under each chart.
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        displayModeBar: false
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
