/* The dashboard's trend chart: one indicator over 14 or 30 days, with the share reported.
   Data from the roll-up rows via dashboard/data.json. The chart library (vendor/charts.min.js,
   ECharts with only the line and bar charts: docs/decisions/chart-bundle.md) is fetched only
   when the chart comes near the screen, so a phone that never scrolls to it never pays for it. */
(function () {
  "use strict";
  var el = document.getElementById("trend-chart");
  if (!el) { return; }
  var select = document.getElementById("trend-indicator");
  var buttons = document.querySelectorAll("#trend [data-days]");
  var chart = null;
  var data = null;
  var days = "14";

  function render() {
    if (!data) { return; }
    var s = data.series.find(function (x) { return x.code === select.value; }) || data.series[0];
    var labels = data.dates.map(function (d) { return d.slice(5); });
    var narrow = el.clientWidth < 480;
    chart.setOption({
      animation: false,
      grid: { left: narrow ? 44 : 56, right: narrow ? 36 : 48, top: 36, bottom: 28 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { fontSize: 12 } },
      xAxis: { type: "category", data: labels, axisLabel: { fontSize: 11 } },
      yAxis: [
        { type: "value", name: s ? s.unit : "", axisLabel: { fontSize: 11 } },
        { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false }, axisLabel: { fontSize: 11 } }
      ],
      series: [
        { name: s ? s.name : "", type: "line", smooth: 0.2, symbolSize: 5, connectNulls: true,
          data: s ? s.values.map(function (v) { return v === null ? null : Number(v); }) : [],
          itemStyle: { color: "#a8191e" }, areaStyle: { opacity: 0.08 } },
        { name: el.dataset.rateLabel, type: "bar", yAxisIndex: 1, barMaxWidth: 14,
          data: data.completeness.rate, itemStyle: { color: "rgba(26,127,55,0.35)" } }
      ]
    }, true);
  }

  function load() {
    fetch(el.dataset.url + "&days=" + days, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (json) {
        data = json;
        if (!select.options.length) {
          json.series.forEach(function (s) {
            var o = document.createElement("option");
            o.value = s.code; o.textContent = s.name + (s.unit ? "（" + s.unit + "）" : "");
            select.appendChild(o);
          });
        }
        render();
        el.setAttribute("data-loaded", "1");
      });
  }

  function start() {
    chart = window.echarts.init(el, null, { renderer: "canvas" });
    select.addEventListener("change", render);
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        days = b.dataset.days;
        buttons.forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
        load();
      });
    });
    window.addEventListener("resize", function () { chart.resize(); });
    load();
  }

  function fetchLibrary() {
    if (window.echarts) { start(); return; }
    var script = document.createElement("script");
    script.src = el.dataset.library;
    script.addEventListener("load", start);
    document.head.appendChild(script);
  }

  if (!("IntersectionObserver" in window)) { fetchLibrary(); return; }
  var observer = new IntersectionObserver(function (entries) {
    if (entries.some(function (e) { return e.isIntersecting; })) {
      observer.disconnect();
      fetchLibrary();
    }
  });
  observer.observe(el);
})();
