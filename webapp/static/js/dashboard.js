/* The clearance-progress dashboard: Chart.js charts and the choropleth of remaining hazard, drawn
 * from the JSON the page carries in #dashboard-data. Names and figures are written with textContent
 * (never innerHTML). */
(function (global) {
  "use strict";

  function data() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function group(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f"); }

  function hectares(m2) {
    var parts = ((Number(m2) || 0) / 10000).toFixed(2).split(".");
    return group(parts[0]) + "." + parts[1] + " ha";
  }

  function squareMetres(m2) { return group(Math.round(Number(m2) || 0)) + " m²"; }

  var charts = {};

  function haTicks(value) { return group(Math.round(value)); }

  function monthsChart(d, colours) {
    var canvas = document.getElementById("chart-months");
    if (!canvas || !d.labels.length) { return null; }
    return new global.Chart(canvas, {
      data: {
        labels: d.labels,
        datasets: [
          {type: "bar", label: "Cancelled (ha)", data: d.cancelled, backgroundColor: colours.cancelled, stack: "released", yAxisID: "y"},
          {type: "bar", label: "Reduced (ha)", data: d.reduced, backgroundColor: colours.reduced, stack: "released", yAxisID: "y"},
          {type: "bar", label: "Cleared (ha)", data: d.cleared, backgroundColor: colours.cleared, stack: "released", yAxisID: "y"},
          {type: "line", label: "Released to date (ha)", data: d.cumulative, borderColor: colours.cumulative,
           backgroundColor: colours.cumulative, pointRadius: 0, borderWidth: 2, tension: 0.2, yAxisID: "y2"}
        ]
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        scales: {
          x: {stacked: true, ticks: {maxRotation: 0, autoSkipPadding: 12}},
          y: {stacked: true, beginAtZero: true, title: {display: true, text: "ha per month"}, ticks: {callback: haTicks}},
          y2: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false},
               title: {display: true, text: "ha released to date"}, ticks: {callback: haTicks}}
        },
        plugins: {legend: {position: "bottom"}}
      }
    });
  }

  function methodsChart(d, colours) {
    var canvas = document.getElementById("chart-methods");
    if (!canvas || !d.labels.length) { return null; }
    return new global.Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          {label: "Cancelled (ha)", data: d.cancelled, backgroundColor: colours.cancelled},
          {label: "Reduced (ha)", data: d.reduced, backgroundColor: colours.reduced},
          {label: "Cleared (ha)", data: d.cleared, backgroundColor: colours.cleared}
        ]
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: "y",
        scales: {x: {stacked: true, beginAtZero: true, title: {display: true, text: "ha"}, ticks: {callback: haTicks}},
                 y: {stacked: true}},
        plugins: {legend: {position: "bottom"}}
      }
    });
  }

  function areaTip(props) {
    var box = el("div", "sg-area-tip");
    box.appendChild(el("strong", null, props.name));
    if (props.names && props.names.uk && props.names.uk !== props.name) {
      box.appendChild(el("div", null, props.names.uk));
    }
    var dl = el("dl");
    [["Hazards", String(props.hazards || 0)], ["Original", hectares(props.original_m2)],
     ["Released", hectares(props.released_m2)], ["Remaining", hectares(props.remaining_m2)],
     ["", squareMetres(props.remaining_m2)]].forEach(function (pair) {
      dl.appendChild(el("dt", null, pair[0]));
      dl.appendChild(el("dd", null, pair[1]));
    });
    box.appendChild(dl);
    return box;
  }

  function choropleth(d) {
    var map = global[d.map];
    if (!map || !global.L) { return null; }
    var layer = global.L.geoJSON(d.choropleth, {
      style: function (feature) {
        return {color: "#555555", weight: 1, fillColor: feature.properties.fill, fillOpacity: 0.85};
      },
      onEachFeature: function (feature, l) {
        l.bindTooltip(areaTip(feature.properties), {sticky: true});
        l.on("mouseover", function () { l.setStyle({weight: 3, color: "#111111"}); });
        l.on("mouseout", function () { layer.resetStyle(l); });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, {animate: false, padding: [8, 8]}); }
    return layer;
  }

  function start() {
    var d = data();
    if (!d) { return; }
    var colours = d.colours || {};
    if (global.Chart) {
      charts.months = monthsChart(d.charts.months, colours);
      charts.methods = methodsChart(d.charts.methods, colours);
    }
    charts.choropleth = choropleth(d);
    global.SafeGroundDashboard = charts;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window);
