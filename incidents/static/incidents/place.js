// Fill latitude/longitude from the browser's position, or from a click on the map when tiles are configured.
(function () {
  var lat = document.getElementById("id_latitude"), lng = document.getElementById("id_longitude");
  var status = document.getElementById("position-status"), button = document.getElementById("use-position");
  function set(la, lo) { lat.value = la.toFixed(6); lng.value = lo.toFixed(6); }
  if (button) button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "×"; return; }
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (p) { set(p.coords.latitude, p.coords.longitude); status.textContent = "✓"; },
      function (e) { status.textContent = e.message; }, { enableHighAccuracy: true, timeout: 15000 });
  });
  var el = document.getElementById("pick-map");
  if (el && window.L) {
    var start = [parseFloat(lat.value) || 31.79, parseFloat(lng.value) || 106.63];
    var map = L.map(el).setView(start, 13), marker = null;
    L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map); });
  }
})();
