/* The public warning map (templates/public/map.html, webapp/public/pages.py).

   - Warning zones come as vector tiles from /tiles/public/{z}/{x}/{y}.pbf (Leaflet.VectorGrid, on a
     canvas): fill by classification (CHA #FF0000, SHA #F4A718, half opaque), outline by status
     (open solid, worked on dashed, suspended dotted).
   - Below the detail zoom the tiles carry small zones as points of the `warning_clusters` layer
     (classification, count); they are gathered here into round counts that zoom in when tapped.
   - Tapping a zone shows its published properties; tapping elsewhere, or pressing and holding
     anywhere, checks that point; the big button checks the phone's location. Checks ask
     /api/v1/public/check and show its answer, in the page's language. The button works even when
     the map's scripts did not arrive.

   Every text comes from the page (#pm-config); data is written with textContent only. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("pm-config").textContent);
  var TEXT = config.text;
  var map = window[config.map];
  var statusLine = document.getElementById("pm-status");
  var sheet = document.getElementById("pm-sheet");
  var wrap = sheet.parentNode;
  var locateButton = document.getElementById("pm-locate");
  var hasMap = !!(map && window.L && L.vectorGrid && L.Canvas && L.Canvas.Tile);
  var zones = null, bubbles = null, checked = null, pointRenderer = null;

  var ZONES = "warning_zones", CLUSTERS = "warning_clusters";
  var DETAIL_ZOOM = 13;      // from this zoom every zone is drawn (webapp/store/tiles.py)
  var BUBBLE_CELL_PX = 80;   // cluster points closer than this on screen make one count
  var FILL = {CHA: "#FF0000", SHA: "#F4A718"};
  var LINE = {CHA: "#8A0000", SHA: "#6B4300"};
  var DASH = {worked_on: [9, 6], suspended: [2, 6]};

  // -- texts -----------------------------------------------------------------------------------------
  function say(key, values) {
    var text = TEXT[key] || key;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined && values[name] !== null ? String(values[name]) : all;
    });
  }
  function valueName(prefix, value) {
    return TEXT[prefix + value] || value;
  }
  // Numbers and dates the way the browser writes the page's language (en-GB: 1 March 2024).
  var locale = (function () {
    var wanted = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      if (wanted[i] && wanted[i].toLowerCase().split("-")[0] === config.lang) {
        try { new Intl.NumberFormat(wanted[i]); return wanted[i]; } catch (e) { /* not a usable tag */ }
      }
    }
    return config.lang;
  })();
  var numbers = window.Intl ? new Intl.NumberFormat(locale) : null;
  var decimal = window.Intl ? new Intl.NumberFormat(locale, {maximumFractionDigits: 1}) : null;
  function formatNumber(n, oneDecimal) {
    var f = oneDecimal ? decimal : numbers;
    return f ? f.format(n) : String(oneDecimal ? Math.round(n * 10) / 10 : n);
  }
  function formatDistance(m) {
    if (m < 1000) { return say("unit.m", {n: formatNumber(Math.round(m))}); }
    return say("unit.km", {n: formatNumber(m < 10000 ? Math.round(m / 100) / 10 : Math.round(m / 1000), true)});
  }
  function formatDate(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!parts || !window.Intl) { return iso || ""; }
    try {
      return new Intl.DateTimeFormat(locale, {year: "numeric", month: "long", day: "numeric", timeZone: "UTC"})
        .format(new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3])));
    } catch (e) { return iso; }
  }

  // -- DOM, with text nodes only ------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function replaceContent(node, children) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    children.forEach(function (child) { if (child) { node.appendChild(child); } });
  }

  // -- how zones look --------------------------------------------------------------------------------------
  function kind(classification) {
    // the other classifications (EOD spot task, ammunition storage area) are confirmed dangers too
    return classification === "SHA" ? "SHA" : "CHA";
  }
  function zoneStyle(properties, zoom) {
    var k = kind(properties.classification), dash = DASH[properties.status] || null;
    // _dashArray as well: the canvas renderer reads it, and a restyle (selecting a zone) does not
    // recompute it from dashArray
    return {fill: true, fillColor: FILL[k], fillOpacity: 0.5, stroke: true, color: LINE[k], opacity: 1,
            weight: zoom >= 14 ? 2.5 : 1.5, dashArray: dash, _dashArray: dash,
            lineCap: properties.status === "suspended" ? "round" : "butt"};
  }
  function selectedStyle(properties, zoom) {
    var style = zoneStyle(properties, zoom);
    style.color = "#000000";
    style.weight = 4;
    style.dashArray = style._dashArray = null;
    style.fillOpacity = 0.65;
    return style;
  }
  function layerStyles() {
    var styles = {};
    styles[ZONES] = zoneStyle;
    styles[CLUSTERS] = [];  // not drawn: gathered into round counts instead
    return styles;
  }

  // -- the map -----------------------------------------------------------------------------------------
  // Cluster points, per tile: read from each tile as it arrives, dropped when the tile goes.
  var clusterTiles = {};
  var tileFailures = 0;
  var bubblesPending = false;
  function tileKey(coords) { return coords.x + ":" + coords.y + ":" + coords.z; }

  function buildMap() {
    // VectorGrid 1.3.0's canvas tiles handle clicks with L.DomEvent.fakeStop, which Leaflet 1.8
    // removed (so every click on a tile threw), and drop clicks that hit no feature (so the map never
    // heard of taps, double taps or presses on empty ground). This is Leaflet 1.9's own canvas click
    // handling, measured from the tile's corner. It must be in place before the first tile is made.
    L.Canvas.Tile.include({
      _onClick: function (e) {
        var point = this._map.mouseEventToLayerPoint(e).subtract(this.getOffset()), hit = null;
        for (var id in this._layers) {
          var layer = this._layers[id];
          if (layer.options.interactive && layer._containsPoint(point) &&
              !((e.type === "click" || e.type === "preclick") && this._map._draggableMoved(layer))) {
            hit = layer;
          }
        }
        this._fireEvent(hit ? [hit] : false, e);
      }
    });

    L.control.zoom({zoomInTitle: say("zoom.in"), zoomOutTitle: say("zoom.out")}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);
    if (!restoreView()) { showProgrammeArea(); }

    function tileFailed() {
      tileFailures += 1;
      showStatus(say("tiles.failed"));
    }
    var WarningZones = L.VectorGrid.Protobuf.extend({
      // VectorGrid 1.3.0 (vendored, pinned) fetches and decodes a tile here; the decoded cluster
      // points are read on the way through. A tile that could not be had must not pass for an empty
      // (safe-looking) one: VectorGrid answers an HTTP error with {layers: []} (an array; a decoded
      // tile has an object) and rejects on a network error; both are reported.
      _getVectorTilePromise: function (coords) {
        return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, coords).then(function (tile) {
          if (!tile || Array.isArray(tile.layers)) { tileFailed(); return {layers: {}}; }
          readClusters(coords, tile.layers[CLUSTERS]);
          return tile;
        }, function () {
          tileFailed();
          return {layers: {}};
        });
      }
    });
    zones = new WarningZones(config.tiles, {
      pane: "overlayPane",              // above the graticule
      rendererFactory: L.canvas.tile,
      interactive: true,
      maxZoom: map.getMaxZoom(),
      vectorTileLayerStyles: layerStyles(),
      getFeatureId: function (feature) { return feature.properties.national_code; },
      fetchOptions: {credentials: "omit"}
    });
    zones.on("tileunload", function (e) {
      var coords = zones._wrapCoords ? zones._wrapCoords(e.coords) : e.coords;
      delete clusterTiles[tileKey(coords)];
      // VectorGrid keeps every tile it ever drew for setFeatureStyle; forget the ones that are gone
      if (zones._vectorTiles) {
        delete zones._vectorTiles[zones._tileCoordsToKey(coords)];
        delete zones._vectorTiles[zones._tileCoordsToKey(e.coords)];
      }
      scheduleBubbles();
    });
    zones.on("load", function () {
      if (tileFailures === 0) { hideStatus(); }
      tileFailures = 0;
    });
    bubbles = L.layerGroup().addTo(map);
    map.on("zoomend moveend", scheduleBubbles);
    zones.addTo(map);

    map.createPane("pm-checked").style.zIndex = 650;
    pointRenderer = L.svg({pane: "pm-checked"});
    checked = L.layerGroup().addTo(map);

    // A tap on a zone shows it; a tap elsewhere checks the point (after a moment, so that a double
    // tap only zooms); pressing and holding (or a right click) checks the point, on a zone or not.
    var zoneTapped = 0, tapTimer = null;
    zones.on("click", function (e) {
      zoneTapped = Date.now();
      if (tapTimer) { clearTimeout(tapTimer); tapTimer = null; }
      var p = e.layer && e.layer.properties;
      if (!p || !p.national_code) { return; }
      selectZone(p);
      showZone(p, e.latlng);
    });
    zones.on("contextmenu", function (e) {
      zoneTapped = Date.now();
      check(e.latlng, "tap");
    });
    map.on("click", function (e) {
      if (Date.now() - zoneTapped < 500) { return; }
      if (tapTimer) { clearTimeout(tapTimer); }
      tapTimer = setTimeout(function () { tapTimer = null; check(e.latlng, "tap"); }, 280);
    });
    map.on("dblclick", function () {
      if (tapTimer) { clearTimeout(tapTimer); tapTimer = null; }
    });
    map.on("contextmenu", function (e) {
      if (Date.now() - zoneTapped < 500) { return; }
      check(e.latlng, "tap");
    });
    window.addEventListener("online", function () { zones.redraw(); });

    // the view travels with a change of language
    Array.prototype.forEach.call(document.querySelectorAll("a[data-lang]"), function (link) {
      link.addEventListener("click", function () {
        var c = map.getCenter();
        link.hash = "map=" + Math.round(map.getZoom()) + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
      });
    });
  }

  function restoreView() {
    var m = /^#map=(\d{1,2})\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/.exec(window.location.hash);
    if (!m) { return false; }
    var zoom = +m[1], lat = +m[2], lng = +m[3];
    if (zoom > map.getMaxZoom() || Math.abs(lat) > 85 || Math.abs(lng) > 180) { return false; }
    map.setView([lat, lng], zoom, {animate: false});
    return true;
  }
  function showProgrammeArea() {
    var a = config.area;
    if (a) { map.fitBounds([[a[1], a[0]], [a[3], a[2]]], {animate: false}); }
  }

  function readClusters(coords, layer) {
    var points = [];
    if (layer && layer.features) {
      var size = zones.getTileSize(), scale = 1 / (layer.extent || 4096);
      layer.features.forEach(function (feature) {
        (feature.geometry || []).forEach(function (part) {
          part.forEach(function (p) {
            var pixel = L.point((coords.x + p.x * scale) * size.x, (coords.y + p.y * scale) * size.y);
            points.push({latlng: map.unproject(pixel, coords.z), count: +feature.properties.count || 1,
                         cha: kind(feature.properties.classification) === "CHA"});
          });
        });
      });
    }
    if (points.length) { clusterTiles[tileKey(coords)] = {z: coords.z, points: points}; }
    else { delete clusterTiles[tileKey(coords)]; }
    scheduleBubbles();
  }

  // Round counts ("bubbles"): cluster points of the current tile zoom, gathered on a screen grid.
  function scheduleBubbles() {
    if (!bubblesPending) { bubblesPending = true; L.Util.requestAnimFrame(drawBubbles); }
  }
  function drawBubbles() {
    bubblesPending = false;
    bubbles.clearLayers();
    var zoom = map.getZoom();
    var tileZoom = Math.max(zones.options.minZoom || 0, Math.min(Math.round(zoom), zones.options.maxZoom));
    var view = map.getBounds().pad(0.25), cells = {}, groups = [];
    Object.keys(clusterTiles).forEach(function (key) {
      var tile = clusterTiles[key];
      if (tile.z !== tileZoom) { return; }
      tile.points.forEach(function (p) {
        if (!view.contains(p.latlng)) { return; }
        var px = map.project(p.latlng, zoom);
        var id = Math.floor(px.x / BUBBLE_CELL_PX) + ":" + Math.floor(px.y / BUBBLE_CELL_PX);
        var g = cells[id];
        if (!g) { g = cells[id] = {count: 0, cha: false, x: 0, y: 0, bounds: L.latLngBounds([p.latlng])}; groups.push(g); }
        g.count += p.count;
        g.cha = g.cha || p.cha;
        g.x += px.x * p.count;
        g.y += px.y * p.count;
        g.bounds.extend(p.latlng);
      });
    });
    // Neighbouring cells whose counts would overlap on screen become one count (largest first).
    groups.sort(function (a, b) { return b.count - a.count; });
    var kept = [];
    groups.forEach(function (g) {
      var x = g.x / g.count, y = g.y / g.count;
      for (var i = 0; i < kept.length; i++) {
        var k = kept[i], kx = k.x / k.count, ky = k.y / k.count;
        if (Math.abs(kx - x) < BUBBLE_CELL_PX * 0.75 && Math.abs(ky - y) < BUBBLE_CELL_PX * 0.75) {
          k.count += g.count; k.cha = k.cha || g.cha; k.x += g.x; k.y += g.y; k.bounds.extend(g.bounds);
          return;
        }
      }
      kept.push(g);
    });
    kept.forEach(function (g) {
      // the marker is a 44-px touch target whatever the size of the circle drawn in it
      var size = g.count < 10 ? 30 : g.count < 100 ? 36 : g.count < 1000 ? 42 : 48;
      var label = el("span", {"class": "pm-cluster-count"}, [formatNumber(g.count)]);
      label.style.width = label.style.height = size + "px";
      var marker = L.marker(map.unproject(L.point(g.x / g.count, g.y / g.count), zoom), {
        icon: L.divIcon({className: "pm-cluster pm-cluster-" + (g.cha ? "cha" : "sha"), html: label,
                         iconSize: [Math.max(44, size), Math.max(44, size)]}),
        title: say("cluster.title", {count: formatNumber(g.count)}), keyboard: true, riseOnHover: true
      });
      marker.on("click", function () { zoomInto(g.bounds); });
      bubbles.addLayer(marker);
    });
  }
  function zoomInto(bounds) {
    var zoom = map.getZoom();
    var target = Math.min(map.getBoundsZoom(bounds.pad(0.5)), DETAIL_ZOOM);
    map.setView(bounds.getCenter(), Math.max(target, Math.min(zoom + 2, DETAIL_ZOOM)));
  }

  // -- the point that was checked ----------------------------------------------------------------------
  function markPoint(latlng, accuracy) {
    if (!checked) { return; }
    checked.clearLayers();
    if (accuracy) {
      checked.addLayer(L.circle(latlng, {radius: accuracy, renderer: pointRenderer, interactive: false,
                                         color: "#0b57d0", weight: 1.5, fillColor: "#0b57d0", fillOpacity: 0.08}));
    }
    checked.addLayer(L.circleMarker(latlng, {radius: 13, renderer: pointRenderer, interactive: false,
                                             color: "#000", weight: 2, fill: false}));
    checked.addLayer(L.circleMarker(latlng, {radius: 8, renderer: pointRenderer, interactive: false,
                                             color: "#fff", weight: 3, fillColor: "#000", fillOpacity: 1,
                                             className: "pm-checked-point"}));
  }

  // -- the panel ("sheet") over the bottom of the map ----------------------------------------------------
  function openSheet(children, latlng, tone) {
    sheet.className = "pm-sheet" + (tone ? " pm-tone-" + tone : "");
    var close = el("button", {type: "button", "class": "pm-close", "aria-label": say("close")}, ["\u00d7"]);
    close.addEventListener("click", closeSheet);
    replaceContent(sheet, [close].concat(children));
    sheet.hidden = false;
    revealMap();
    var title = sheet.querySelector("h2");
    if (title) {
      title.setAttribute("tabindex", "-1");
      try { title.focus({preventScroll: true}); } catch (e) { /* old browsers */ }
    }
    if (latlng) { keepInView(latlng); }
  }
  function revealMap() {
    // on a phone the map may be partly below the screen: bring all of it (and the panel) into view
    var box = wrap.getBoundingClientRect(), screen = window.innerHeight || document.documentElement.clientHeight;
    if (box.bottom > screen || box.top < 0) {
      wrap.scrollIntoView(box.height <= screen ? {block: "end"} : {block: "start"});
    }
  }
  function closeSheet() {
    sheet.hidden = true;
    replaceContent(sheet, []);
    unselectZone();
  }
  function keepInView(latlng) {
    // the point goes to the middle of the part of the map the panel leaves free, unless it is there
    if (!hasMap) { return; }
    var size = map.getSize(), free = size.y - Math.min(sheet.offsetHeight, size.y);
    var p = map.latLngToContainerPoint(latlng), margin = 28;
    if (free < 2 * margin) { return; }
    if (p.x < margin || p.x > size.x - margin || p.y < margin || p.y > free - margin) {
      map.panBy([p.x - size.x / 2, p.y - free / 2]);
    }
  }
  function hotlineLink() {
    if (!config.tel) { return el("p", {"class": "pm-hotline-text"}, [config.hotline]); }
    return el("a", {"class": "pm-button pm-button-call", href: config.tel}, [say("hotline.call", {hotline: config.hotline})]);
  }
  function row(label, value, extraClass) {
    return value ? el("div", {"class": extraClass || null}, [el("dt", {}, [label]), el("dd", {}, [value])]) : null;
  }
  function busy(text) {
    openSheet([el("h2", {"class": "pm-busy"}, [text])], null, "busy");
  }
  function problem(title, text) {
    openSheet([el("h2", {}, [title]), el("p", {}, [text]), hotlineLink()], null, "problem");
  }
  function showStatus(text) { statusLine.textContent = text; statusLine.hidden = false; }
  function hideStatus() { statusLine.hidden = true; statusLine.textContent = ""; }

  // -- a zone's published properties ------------------------------------------------------------------------
  var selectedZone = null;
  function selectZone(properties) {
    unselectZone();
    selectedZone = properties.national_code;
    zones.setFeatureStyle(selectedZone, selectedStyle);
  }
  function unselectZone() {
    if (selectedZone !== null && zones) { zones.resetFeatureStyle(selectedZone); }
    selectedZone = null;
  }
  function showZone(p, latlng) {
    var markings = (p.marking || "").split(",").filter(Boolean).map(function (m) { return valueName("marking.", m); });
    var approximate = p.precision === "approximate";
    openSheet([
      el("p", {"class": "pm-kicker"}, [say("zone.title")]),
      el("h2", {"class": "pm-zone-title pm-zone-" + kind(p.classification).toLowerCase()},
         [valueName("classification.", p.classification)]),
      approximate ? el("p", {"class": "pm-approximate"}, [valueName("precision.", p.precision)]) : null,
      el("dl", {"class": "pm-fields"}, [
        row(say("field.national_code"), p.national_code, "pm-field-code"),
        row(say("field.status"), valueName("zone_status.", p.status)),
        row(say("field.marking"), markings.length ? markings.join(", ") : valueName("marking.", "none")),
        row(say("field.last_survey_date"), formatDate(p.last_survey_date)),
        row(say("field.organisation"), p.organisation),
        approximate ? null : row(say("field.precision"), valueName("precision.", p.precision))
      ]),
      el("p", {"class": "pm-advice"}, [say("zone.advice")]),
      hotlineLink()
    ], latlng, kind(p.classification).toLowerCase());
  }

  // -- "am I near a hazard?" ----------------------------------------------------------------------------------
  var pending = null;
  function point(lat, lng) {
    // longitude brought into -180..180 (the map can be panned round the world)
    return {lat: +lat, lng: ((+lng + 180) % 360 + 360) % 360 - 180};
  }
  function outsideArea(p) {
    var a = config.area;
    return a && !(p.lng >= a[0] && p.lat >= a[1] && p.lng <= a[2] && p.lat <= a[3]);
  }
  function check(where, source, accuracy) {
    var p = point(where.lat, where.lng);
    if (pending && pending.abort) { pending.abort(); }
    var controller = window.AbortController ? new AbortController() : {};
    pending = controller;
    unselectZone();
    markPoint(where, accuracy);
    busy(say("checking"));
    var url = config.check + "?lat=" + p.lat.toFixed(6) + "&lon=" + p.lng.toFixed(6) +
              "&lang=" + encodeURIComponent(config.lang);
    fetch(url, {credentials: "omit", cache: "no-store", headers: {"Accept": "application/json"},
                signal: controller.signal}).then(function (res) {
      if (!res.ok) { throw new Error("check answered " + res.status); }
      return res.json();
    }).then(function (answer) {
      if (pending !== controller) { return; }
      pending = null;
      showAnswer(answer, where, p, source, accuracy);
    }, function (err) {
      if ((err && err.name === "AbortError") || pending !== controller) { return; }
      pending = null;
      problem(say("check.failed_title"), say("check.failed"));
    });
  }
  function showAnswer(answer, where, p, source, accuracy) {
    var labels = answer.labels || {}, nearest = answer.nearest;
    var distance = null;
    if (answer.status !== "inside" && nearest && answer.distance_m !== null && labels.direction) {
      var arrow = el("span", {"class": "pm-arrow", "aria-hidden": "true"}, ["\u2191"]);
      arrow.style.transform = "rotate(" + (+answer.bearing_deg || 0) + "deg)";
      distance = el("p", {"class": "pm-distance"}, [arrow, el("span", {}, [
        say("nearest", {distance: formatDistance(answer.distance_m), direction: labels.direction})])]);
    }
    var zone = null;
    if (nearest && answer.status !== "clear") {
      zone = el("dl", {"class": "pm-fields"}, [
        row(say("field.national_code"), nearest.national_code, "pm-field-code"),
        row(say("field.classification"), labels.classification),
        row(say("field.precision"), labels.precision)
      ]);
    }
    openSheet([
      el("p", {"class": "pm-kicker"}, [say(source === "you" ? "point.you" : "point.tapped")]),
      el("h2", {"class": "pm-answer-title", "data-status": answer.status}, [labels.status || answer.status]),
      distance,
      el("p", {"class": "pm-advice"}, [answer.advice]),
      hotlineLink(),
      zone,
      accuracy ? el("p", {"class": "pm-note"}, [say("accuracy", {accuracy: formatDistance(accuracy)})]) : null,
      outsideArea(p) ? el("p", {"class": "pm-note"}, [say("outside_area")]) : null,
      source === "you" ? againButton() : null
    ], where, answer.status);
  }
  function againButton() {
    var again = el("button", {type: "button", "class": "pm-button pm-button-quiet"}, [say("check.again")]);
    again.addEventListener("click", locate);
    return again;
  }

  function locate() {
    if (!navigator.geolocation) { problem(say("geo.title"), say("geo.unsupported")); return; }
    if (window.isSecureContext === false) { problem(say("geo.title"), say("geo.insecure")); return; }
    busy(say("locating"));
    locateButton.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(function (position) {
      locateButton.removeAttribute("aria-busy");
      var where = {lat: position.coords.latitude, lng: position.coords.longitude};
      if (hasMap) { map.setView([where.lat, where.lng], Math.max(map.getZoom(), 15), {animate: false}); }
      check(where, "you", position.coords.accuracy);
    }, function (error) {
      locateButton.removeAttribute("aria-busy");
      var key = error.code === 1 ? "geo.denied" : error.code === 3 ? "geo.timeout" : "geo.unavailable";
      problem(say("geo.title"), say(key));
    }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 30000});
  }

  // -- start -----------------------------------------------------------------------------------------------
  if (hasMap) { buildMap(); }
  locateButton.addEventListener("click", locate);
  locateButton.disabled = false;
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !sheet.hidden) { closeSheet(); }
  });

  // For the browser tests and for looking around in the developer tools.
  window.SafeGroundPublicMap = {map: hasMap ? map : null, zones: zones, bubbles: bubbles, checked: checked,
                                check: check};
})();
