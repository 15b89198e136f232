/* Council dashboards: draws the plotly figures passed with json_script and adds small
   conveniences. No inline script anywhere (Content-Security-Policy without 'unsafe-inline'). */
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.Plotly === "undefined") return;
    document.querySelectorAll("[data-chart-source]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart-source"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      el.textContent = "";
      window.Plotly.newPlot(el, figure.data, figure.layout, figure.config);
      el.classList.add("is-drawn");
    });
  }

  function autoSubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  function init() {
    drawCharts();
    autoSubmit();
    confirmForms();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
