/* Town and district dashboards: draws the charts (ECharts, SVG renderer) and the map (Leaflet) from the
   figures the server put in #dashboard-data, and makes ranking tables sortable. No outside addresses. */
(function () {
  "use strict";
  var dataNode = document.getElementById("dashboard-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : {};
  var state = (window.enyangDashboard = { charts: {}, map: null, gridLayer: null, incidentLayer: null });
  var locale = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
  var palette = ["#b3261e", "#0b5cad", "#1f7a3a", "#b36b00", "#6a3d9a", "#5b6776", "#c2185b", "#00838f"];

  function chartOption(spec) {
    if (spec.type === "pie") {
      return {
        color: palette,
        tooltip: { trigger: "item" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: spec.series[0].data, name: spec.series[0].name }],
      };
    }
    var horizontal = spec.horizontal;
    var category = { type: "category", data: spec.x, axisLabel: { hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: horizontal ? 110 : 40, right: 16, top: spec.series.length > 1 ? 30 : 12, bottom: 28 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: spec.series.map(function (s) {
        return { type: spec.type, name: s.name, data: s.data, stack: spec.stack };
      }),
    };
  }

  function drawCharts() {
    var specs = data.charts || {};
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = specs[el.dataset.chart];
      if (!spec || typeof echarts === "undefined") return;
      var chart = echarts.init(el, null, { renderer: "svg", locale: locale });
      chart.setOption(chartOption(spec));
      state.charts[el.dataset.chart] = chart;
      el.dataset.ready = "1";
    });
    window.addEventListener("resize", function () {
      Object.keys(state.charts).forEach(function (k) { state.charts[k].resize(); });
    });
  }

  function drawMap() {
    var el = document.getElementById("map");
    var conf = data.map;
    if (!el || !conf || typeof L === "undefined") return;
    var map = (state.map = L.map(el, { zoomSnap: 0.25, attributionControl: !!conf.tile_url }));
    if (conf.tile_url) L.tileLayer(conf.tile_url, { maxZoom: 18 }).addTo(map);
    if (conf.bounds) map.fitBounds(conf.bounds);
    else map.setView([31.79, 106.63], 10);
    var counts = {};
    (conf.grid_counts || []).forEach(function (g) { counts[g.id] = g.open; });
    function style(feature) {
      var open = counts[feature.properties.id] || 0;
      return {
        color: "#0b5cad", weight: 1, fillColor: open ? "#b3261e" : "#0b5cad",
        fillOpacity: open ? Math.min(0.15 + open * 0.05, 0.6) : 0.08, className: "grid-shape",
      };
    }
    var geo = conf.grids || { type: "FeatureCollection", features: [] };
    var layer = (state.gridLayer = L.geoJSON(geo, {
      style: style,
      onEachFeature: function (feature, shape) {
        var open = counts[feature.properties.id] || 0;
        shape.bindTooltip(feature.properties.name + (conf.open_label ? " · " + conf.open_label + " " + open : ""));
      },
    }).addTo(map));
    if (conf.outlines && conf.outlines.features.length) {
      state.outlineLayer = L.geoJSON(conf.outlines, {
        style: { color: "#1d2733", weight: 2, fill: false, className: "outline-shape" },
        interactive: false,
      }).addTo(map);
    }
    var b = layer.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [8, 8] });
    el.dataset.grids = String(geo.features.length);
    if (!geo.features.length) el.setAttribute("data-empty", el.dataset.emptyLabel || "");
    drawIncidents(map, conf);
    el.dataset.ready = "1";
  }

  function drawIncidents(map, conf) {
    var points = conf.incidents || [];
    var layer = (state.incidentLayer = L.layerGroup());
    points.forEach(function (p) {
      if (p.lat == null || p.lng == null) return;
      L.circleMarker([p.lat, p.lng], {
        radius: 6, color: "#fff", weight: 1, fillColor: p.overdue ? "#b3261e" : "#b36b00", fillOpacity: 0.9,
        className: "incident-dot",
      }).bindTooltip(p.code + (p.category ? " · " + p.category : "")).addTo(layer);
    });
    layer.addTo(map);
    document.getElementById("map").dataset.incidents = String(points.length);
  }

  function sortable(table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
      th.tabIndex = 0;
      th.addEventListener("click", function () {
        var numeric = th.dataset.sort === "number";
        var dir = th.dataset.dir === "desc" ? "asc" : "desc";
        table.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
        th.dataset.dir = dir;
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index], y = b.cells[index];
          var vx = numeric ? parseFloat(x.dataset.value) : x.textContent.trim();
          var vy = numeric ? parseFloat(y.dataset.value) : y.textContent.trim();
          if (numeric) {
            if (isNaN(vx)) vx = -Infinity;
            if (isNaN(vy)) vy = -Infinity;
          }
          var c = numeric ? vx - vy : String(vx).localeCompare(String(vy), locale === "ZH" ? "zh" : "en");
          return dir === "asc" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  drawCharts();
  drawMap();
  document.querySelectorAll("table.sortable").forEach(sortable);
})();
