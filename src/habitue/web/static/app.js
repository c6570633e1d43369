// Habitué: the little JavaScript of the pages (no build step, no inline scripts: the CSP
// allows only files of /static).
//
// Charts: <div class="chart" data-chart="ID"></div> with <script type="application/json"
// id="ID">{ECharts options}</script>; drawn on load and after every HTMX swap.
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.drawn = "1";
    });
  }

  function showError(text) {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (e) { drawCharts(e.target); });
  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
  // HTMX does not swap error responses: say something instead of failing silently.
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail.xhr.status;
    var lang = document.documentElement.lang;
    if (status === 403) showError(lang === "fr" ? "Action non autorisée." : "Not allowed.");
    else showError((lang === "fr" ? "Erreur " : "Error ") + status);
  });
  // A confirmation before destructive buttons: data-confirm="question".
  document.addEventListener("submit", function (e) {
    var q = e.target.getAttribute("data-confirm");
    if (q && !window.confirm(q)) e.preventDefault();
  }, true);
  // Filters that apply at once: <select data-autosubmit> submits its form when changed.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]") && e.target.form) e.target.form.requestSubmit();
  });
  // Copy buttons: data-copy="element id".
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy]");
    if (!button) return;
    var el = document.getElementById(button.getAttribute("data-copy"));
    if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
  });
})();
