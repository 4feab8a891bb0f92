/* Draws the statistics dashboard's charts from the data the page hands over in
   <script type="application/json" id="statistics-data"> (json_script). Each chart has its table
   on the page, so the page reads the same without JavaScript. No inline script: the chart set-up
   lives here, a static file. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("statistics-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var colours = ["#2f6fb3", "#3a9d6a", "#c9473f", "#d99a29", "#7d5ba6", "#4a9fb5"];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = data.charts[canvas.getAttribute("data-chart")];
      if (!chart || !chart.labels.length) { canvas.hidden = true; return; }
      var datasets = chart.series.map(function (series, i) {
        return {
          label: series.label, data: series.values, type: series.type || chart.type,
          backgroundColor: colours[i % colours.length], borderColor: colours[i % colours.length],
          yAxisID: series.axis || "y", fill: false, tension: 0.2
        };
      });
      var scales = { y: { beginAtZero: true, stacked: !!chart.stacked }, x: { stacked: !!chart.stacked } };
      if (chart.series.some(function (s) { return s.axis === "y2"; })) {
        scales.y2 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } };
      }
      new window.Chart(canvas, {
        type: chart.type, data: { labels: chart.labels, datasets: datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   indexAxis: chart.horizontal ? "y" : "x", scales: chart.horizontal ? {
                     x: { beginAtZero: true, stacked: !!chart.stacked }, y: { stacked: !!chart.stacked } } : scales,
                   plugins: { legend: { position: "bottom" } } }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
