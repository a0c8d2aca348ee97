/* The staff map (/map): styles and interactivity of the staff vector-tile layers, popups with a
 * hazard's essentials, filters that rewrite the tile URLs, the coordinate read-out (DD, DMS, UTM,
 * MGRS), the search box and the view kept in the page address.
 *
 * Every value that comes from the server is written with textContent (never innerHTML), so a
 * hazard called "<img src=x onerror=alert(1)>" shows as that text.
 *
 * The folium script calls, in this order: SafeGroundStaffMap.view(map, bounds) (the opening view),
 * SafeGroundStaffMap.tileLayer(map, key, url) once per layer, SafeGroundStaffMap.start(map, layers).
 */
(function (global) {
  "use strict";

  var FORMAT_KEY = "safeground.coordinateFormat";
  var FORMATS = ["DD", "DMS", "UTM", "MGRS"];
  var config = null;

  function cfg() {
    if (!config) {
      var node = document.getElementById("staff-map-config");
      config = node ? JSON.parse(node.textContent) : {symbology: {}, api: {}, links: {}};
    }
    return config;
  }

  // -- small DOM helpers (text only) ---------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  function fill(template, id) {
    return template.replace("{id}", encodeURIComponent(String(id)));
  }

  var LABELS = {
    ap_mines: "AP mines", at_mines: "AT mines", uxo: "UXO", axo: "AXO", ied: "IEDs",
    cluster_munitions: "Cluster munitions", booby_traps: "Booby traps", saa: "Small arms ammunition",
    ap_mine: "AP mine", at_mine: "AT mine", EOD_SPOT_TASK: "EOD spot task", ASA: "Ammunition storage area",
    community_centre: "community centre only (approximate)"
  };

  function label(code) {
    if (code === null || code === undefined || code === "") { return "—"; }
    if (Object.prototype.hasOwnProperty.call(LABELS, code)) { return LABELS[code]; }
    var s = String(code).replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function group(n) {
    // thin no-break space between thousands, as on the server's pages
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  }

  function area(m2) {
    if (m2 === null || m2 === undefined || isNaN(Number(m2))) { return "—"; }
    var v = Number(m2);
    var text = group(Math.round(v)) + " m²";
    if (v >= 1000) {
      var ha = (v / 10000).toFixed(2).split(".");
      text += " (" + group(ha[0]) + "." + ha[1] + " ha)";
    }
    return text;
  }

  // -- coordinates ---------------------------------------------------------------------------------
  var Coordinates = (function () {
    var a = 6378137, f = 1 / 298.257223563, k0 = 0.9996;
    var e = Math.sqrt(f * (2 - f)), n = f / (2 - f);
    var n2 = n * n, n3 = n2 * n, n4 = n3 * n, n5 = n4 * n, n6 = n5 * n;
    var A = a / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
    var alpha = [null,
      n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
      13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
      61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
      49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
      34729 * n5 / 80640 - 3418889 * n6 / 1995840,
      212378941 * n6 / 319334400];
    var BANDS = "CDEFGHJKLMNPQRSTUVWX";
    var COLUMN_SETS = ["ABCDEFGH", "JKLMNPQR", "STUVWXYZ"];
    var ROWS = "ABCDEFGHJKLMNPQRSTUV";

    function normaliseLon(lon) {
      return lon >= -180 && lon < 180 ? lon : ((lon + 180) % 360 + 360) % 360 - 180;
    }

    function zoneOf(lat, lon) {
      lon = normaliseLon(lon);
      var zone = Math.floor((lon + 180) / 6) + 1;
      if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) { zone = 32; }
      if (lat >= 72 && lat <= 84 && lon >= 0 && lon < 42) {
        zone = lon < 9 ? 31 : lon < 21 ? 33 : lon < 33 ? 35 : 37;
      }
      return zone;
    }

    function band(lat) {
      var i = Math.floor((lat + 80) / 8);
      return BANDS.charAt(Math.min(Math.max(i, 0), BANDS.length - 1));
    }

    /** Transverse Mercator by Krüger's series to order n^6 (Karney 2011): millimetre accuracy. */
    function utm(lat, lon) {
      if (!(lat >= -80 && lat <= 84)) { return null; }
      var zone = zoneOf(lat, lon);
      var lon0 = ((zone - 1) * 6 - 180 + 3) * Math.PI / 180;
      var phi = lat * Math.PI / 180, lam = normaliseLon(lon) * Math.PI / 180 - lon0;
      var cosLam = Math.cos(lam), sinLam = Math.sin(lam);
      var tau = Math.tan(phi);
      var sigma = Math.sinh(e * Math.atanh(e * tau / Math.sqrt(1 + tau * tau)));
      var tauP = tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
      var xiP = Math.atan2(tauP, cosLam);
      var etaP = Math.asinh(sinLam / Math.sqrt(tauP * tauP + cosLam * cosLam));
      var xi = xiP, eta = etaP;
      for (var j = 1; j <= 6; j++) {
        xi += alpha[j] * Math.sin(2 * j * xiP) * Math.cosh(2 * j * etaP);
        eta += alpha[j] * Math.cos(2 * j * xiP) * Math.sinh(2 * j * etaP);
      }
      var easting = k0 * A * eta + 500000;
      var northing = k0 * A * xi;
      if (lat < 0) { northing += 10000000; }
      return {zone: zone, northern: lat >= 0, easting: easting, northing: northing, band: band(lat)};
    }

    function sexagesimal(value, letters, decimals) {
      var letter = value < 0 ? letters.charAt(1) : letters.charAt(0);
      var scale = Math.pow(10, decimals);
      var units = Math.round(Math.abs(value) * 3600 * scale);
      if (units === 0) { letter = letters.charAt(0); }
      var perMinute = 60 * scale, perDegree = 60 * perMinute;
      var degrees = Math.floor(units / perDegree), rest = units % perDegree;
      var minutes = Math.floor(rest / perMinute); rest = rest % perMinute;
      var whole = Math.floor(rest / scale), frac = rest % scale;
      var seconds = (whole < 10 ? "0" : "") + whole +
        (decimals ? "." + String(frac).padStart(decimals, "0") : "");
      return degrees + "°" + (minutes < 10 ? "0" : "") + minutes + "'" + seconds + "\"" + letter;
    }

    function pad5(v) { return String(Math.floor(v)).padStart(5, "0"); }

    /** Text of a WGS84 point in one of DD, DMS, UTM, MGRS (as the server writes them). */
    function format(lat, lon, fmt) {
      if (!isFinite(lat) || !isFinite(lon)) { return ""; }
      lon = normaliseLon(lon);
      if (fmt === "DMS") {
        return sexagesimal(lat, "NS", 2) + " " + sexagesimal(lon, "EW", 2);
      }
      if (fmt === "UTM" || fmt === "MGRS") {
        var u = utm(lat, lon);
        if (!u) { return "outside UTM (80°S–84°N)"; }
        if (fmt === "UTM") {
          // hemisphere letter; in 50°S–58°S the band letter, so that "S" cannot be read as band S
          var letter = u.northern ? "N" : (lat >= -58 && lat < -50 ? u.band : "S");
          return u.zone + letter + " " + Math.round(u.easting) + " " + Math.round(u.northing);
        }
        if (lat >= 84) { return "outside MGRS (80°S–84°N)"; }
        var column = COLUMN_SETS[(u.zone - 1) % 3].charAt(Math.floor(u.easting / 100000) - 1);
        var rowIndex = (Math.floor(u.northing / 100000) + (u.zone % 2 === 0 ? 5 : 0)) % 20;
        return u.zone + u.band + " " + column + ROWS.charAt(rowIndex) + " " +
          pad5(u.easting % 100000) + " " + pad5(u.northing % 100000);
      }
      return lat.toFixed(6) + ", " + lon.toFixed(6);
    }

    return {format: format, utm: utm, zoneOf: zoneOf, FORMATS: FORMATS};
  })();

  function chosenFormat() {
    var value = null;
    try { value = global.localStorage.getItem(FORMAT_KEY); } catch (err) { value = null; }
    return FORMATS.indexOf(value) >= 0 ? value : "DD";
  }

  function saveFormat(value) {
    try { global.localStorage.setItem(FORMAT_KEY, value); } catch (err) { /* private mode: keep for now */ }
  }

  // -- styles --------------------------------------------------------------------------------------
  function sym() { return cfg().symbology || {}; }

  function clusterRadius(count, small) {
    var steps = Math.log(Math.max(1, count || 1)) / Math.LN2;
    return small ? Math.min(6, 2.5 + 0.75 * steps) : Math.min(13, 5 + 1.5 * steps);
  }

  function hazardStyle(p) {
    var s = sym();
    var status = (s.statusOutline || {})[p.status] || {};
    var approved = p.record_state === undefined || p.record_state === "approved";
    return {
      fill: true, fillColor: (s.classFill || {})[p.classification] || "#B3261E",
      fillOpacity: approved ? s.fillOpacity : s.unapprovedFillOpacity,
      color: status.color || (s.classOutline || {})[p.classification] || "#444444",
      weight: 2, opacity: 1, dashArray: status.dashArray || null, radius: 7
    };
  }

  function styles() {
    var s = sym();
    return {
      hazards: hazardStyle,
      hazards_clusters: function (p) {
        return {fill: true, fillColor: (s.classFill || {})[p.classification] || "#B3261E", fillOpacity: 0.85,
                color: "#333333", weight: 1, opacity: 1, radius: clusterRadius(p.count)};
      },
      remaining: function (p) {
        return {fill: true, fillColor: (s.classFill || {})[p.classification] || "#B3261E", fillOpacity: 0.25,
                color: "#B3261E", weight: 1.5, opacity: 1, dashArray: "4 3"};
      },
      products: function (p) {
        var colour = (s.productFill || {})[p.product_type] || "#555555";
        return {fill: true, fillColor: colour, fillOpacity: p.applied ? s.productFillOpacity : 0.2, color: colour,
                weight: 1.5, opacity: 1, dashArray: p.applied ? null : "4 3"};
      },
      eo: function () {
        return {fill: true, fillColor: s.eoFill, fillOpacity: 1, color: s.eoColour, weight: 2, radius: 5};
      },
      eo_clusters: function (p) {
        return {fill: true, fillColor: s.eoFill, fillOpacity: 0.9, color: s.eoColour, weight: 1,
                radius: clusterRadius(p.count, true)};
      },
      survey_points: function (p) {
        var fixed = p.point_type === "benchmark" || p.point_type === "reference";
        return {fill: true, fillColor: fixed ? s.surveyPointColour : "#FFFFFF", fillOpacity: 1,
                color: s.surveyPointColour, weight: 2, radius: fixed ? 6 : 4};
      }
    };
  }

  /** The opening view: "#map=z/lat/lon" from the page address, else the given bounds. */
  function view(map, bounds) {
    var m = /^#map=(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(global.location.hash || "");
    if (m && Math.abs(+m[2]) <= 90 && Math.abs(+m[3]) <= 180) {
      map.setView([+m[2], +m[3]], Math.min(+m[1], map.getMaxZoom()), {animate: false});
    } else if (bounds) {
      map.fitBounds(bounds, {animate: false, padding: [8, 8]});
    }
  }

  /** One staff tile layer, styled for every sub-layer its tiles may carry. */
  function tileLayer(map, key, url) {
    if (!map.getPane("sgStaff")) {
      // above the graticule (250), below the measure tool's drawing (overlay pane, 400)
      map.createPane("sgStaff").style.zIndex = 350;
    }
    var counter = 0;
    var layer = L.vectorGrid.protobuf(url, {
      pane: "sgStaff",
      interactive: true,
      maxNativeZoom: 20,
      vectorTileLayerStyles: styles(),
      getFeatureId: function (f) {
        var id = f.properties && f.properties.id;
        return id !== undefined && id !== null ? String(id) : "c" + (++counter);
      }
    });
    layer.sgKey = key;
    layer.on("tileload", function (e) { clipShapes(layer, e.coords, e.tile); });
    return layer;
  }

  /* Points (finds, clusters) may overflow their tile, so that a symbol near a tile edge is not cut
   * in half (the stylesheet makes the tiles' overflow visible); outlines and areas stay clipped to
   * their tile, whose data reach 4 px beyond it (the tile buffer) and would otherwise be drawn twice
   * where two tiles meet. */
  function clipShapes(layer, coords, container) {
    var tile = layer._vectorTiles && layer._vectorTiles[layer._tileCoordsToKey(coords)];
    if (!tile || !container || !container.namespaceURI) { return; }
    var ns = "http://www.w3.org/2000/svg", id = "sg-clip-" + L.stamp(container);
    if (!container.querySelector("clipPath")) {
      var size = layer.getTileSize();
      var defs = document.createElementNS(ns, "defs"), clip = document.createElementNS(ns, "clipPath");
      var rect = document.createElementNS(ns, "rect");
      clip.setAttribute("id", id);
      rect.setAttribute("x", "0"); rect.setAttribute("y", "0");
      rect.setAttribute("width", String(size.x)); rect.setAttribute("height", String(size.y));
      clip.appendChild(rect); defs.appendChild(clip);
      container.insertBefore(defs, container.firstChild);
    }
    Object.keys(tile._features).forEach(function (fid) {
      var symbol = tile._features[fid].feature;
      if (symbol && symbol._path && !(symbol instanceof L.CircleMarker)) {
        symbol._path.setAttribute("clip-path", "url(#" + id + ")");
      }
    });
  }

  // -- popups --------------------------------------------------------------------------------------
  function rows(dl, pairs) {
    pairs.forEach(function (pair) {
      if (pair[1] === undefined) { return; }
      dl.appendChild(el("dt", null, pair[0]));
      dl.appendChild(el("dd", null, pair[1] === null || pair[1] === "" ? "—" : pair[1]));
    });
  }

  function list(values) {
    return values && values.length ? values.map(label).join(", ") : "—";
  }

  function hazardPopup(map, hazardId, latlng, extra) {
    var c = cfg();
    var box = el("div", "sg-popup");
    if (extra) {
      box.appendChild(el("p", "sg-popup-extra", extra.title));
      var dlx = el("dl", "sg-popup-figures");
      rows(dlx, extra.rows);
      box.appendChild(dlx);
    }
    var body = el("div", "sg-popup-body");
    var status = el("p", "sg-popup-status", "Loading hazard…");
    body.appendChild(status);
    box.appendChild(body);
    var popup = L.popup({maxWidth: 340, minWidth: 240, autoPanPadding: [16, 16]})
      .setLatLng(latlng).setContent(box).openOn(map);
    fetch(fill(c.api.hazard, hazardId), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (res) {
        if (!res.ok) { throw new Error(res.status === 404 ? "not found" : "error " + res.status); }
        return res.json();
      })
      .then(function (feature) {
        var p = feature.properties || {};
        body.textContent = "";
        var title = el("h3", "sg-popup-title");
        title.appendChild(el("span", "sg-popup-code", p.national_code));
        title.appendChild(document.createTextNode(" "));
        title.appendChild(el("span", "sg-popup-name", p.name));
        body.appendChild(title);
        var dl = el("dl", "sg-popup-figures");
        rows(dl, [
          ["Classification", p.classification],
          ["Status", label(p.status)],
          ["Record", label(p.record_state) + (p.deleted ? " (deleted)" : "")],
          ["Organisation", p.organisation ? p.organisation.name : null],
          ["Admin area", p.admin_area ? p.admin_area.name : null],
          ["Date of information", p.date_of_information],
          ["Last report applied", p.last_applied_date],
          ["Original area", area(p.area_m2)],
          ["Remaining", area(p.remaining_area_m2)],
          ["Contamination", list(p.contamination_types)],
          ["Marking", list(p.marking)],
          ["Location", p.location_precision === "surveyed" ? "surveyed" : label(p.location_precision)]
        ]);
        body.appendChild(dl);
        var links = el("p", "sg-popup-links");
        links.appendChild(link(fill(c.links.hazard, hazardId), "Hazard page"));
        links.appendChild(link(fill(c.links.history, hazardId), "Timeline"));
        links.appendChild(link(fill(c.links.reports, hazardId), "Reports"));
        body.appendChild(links);
        popup.update();
      })
      .catch(function (err) {
        status.textContent = err && err.message === "not found"
          ? "This hazard is not available to you (or no longer exists)."
          : "The hazard could not be loaded; try again.";
        popup.update();
      });
    return popup;
  }

  function onFeatureClick(map, key, e) {
    var p = (e.layer && e.layer.properties) || {};
    if (p.id === undefined && p.count !== undefined) {
      var detail = sym().detailZoom || 13;
      map.setView(e.latlng, Math.min(Math.max(map.getZoom() + 2, 1), detail));
      return;
    }
    if (key === "hazards" || key === "remaining") {
      hazardPopup(map, p.id, e.latlng, key === "remaining"
        ? {title: "Remaining hazard", rows: [["Remaining", area(p.remaining_m2)]]} : null);
    } else if (key === "products") {
      hazardPopup(map, p.hazard_id, e.latlng, {title: "Release product", rows: [
        ["Type", label(p.product_type)], ["Released", p.date_released],
        ["Applied", p.applied ? "yes" : "no (its report is not approved)"]]});
    } else if (key === "eo") {
      hazardPopup(map, p.hazard_id, e.latlng, {title: "EO find", rows: [
        ["Category", label(p.category)], ["Condition", label(p.condition)],
        ["Quantity", p.quantity], ["Found on", p.found_on]]});
    } else if (key === "survey_points") {
      hazardPopup(map, p.hazard_id, e.latlng, {title: "Survey point", rows: [
        ["Point", label(p.point_type) + " " + p.sequence], ["Entered as", p.input_format]]});
    }
  }

  // -- filters -------------------------------------------------------------------------------------
  var FILTER_NAMES = ["organisation", "classification", "status", "from", "to", "admin_area"];

  function filterQuery(form) {
    var data = new FormData(form), groups = {};
    data.forEach(function (value, name) {
      value = String(value).trim();
      if (value && FILTER_NAMES.indexOf(name) >= 0) { (groups[name] = groups[name] || []).push(value); }
    });
    return FILTER_NAMES.filter(function (name) { return groups[name]; }).map(function (name) {
      return encodeURIComponent(name) + "=" + groups[name].map(encodeURIComponent).join(",");
    }).join("&");
  }

  function summarise(form) {
    form.querySelectorAll("details.filter-menu").forEach(function (menu) {
      var n = menu.querySelectorAll("input:checked").length;
      var summary = menu.querySelector("summary");
      var count = summary.querySelector(".filter-count");
      if (!count) { count = el("span", "filter-count"); summary.appendChild(count); }
      count.textContent = n ? "(" + n + ")" : "";
    });
  }

  function setupFilters(map, layers, form) {
    var c = cfg();
    var message = form.querySelector("[data-filter-summary]");
    function apply(moveToArea) {
      var from = form.elements.from.value, to = form.elements.to.value;
      if (from && to && from > to) {
        message.textContent = "The start date is after the end date; the map keeps the previous filters.";
        return;
      }
      message.textContent = "";
      var query = filterQuery(form);
      Object.keys(layers).forEach(function (key) {
        layers[key].setUrl(c.tileBase + "/" + key + "/{z}/{x}/{y}.pbf" + (query ? "?" + query : ""));
      });
      global.history.replaceState(null, "", c.pagePath + (query ? "?" + query : "") + global.location.hash);
      summarise(form);
      if (moveToArea) {
        var option = form.elements.admin_area.selectedOptions[0];
        var box = option && option.getAttribute("data-bbox");
        if (box) {
          var b = box.split(",").map(Number);
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false});
        }
      }
    }
    form.addEventListener("change", function (event) {
      apply(event.target && event.target.name === "admin_area");
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(false); });
  }

  // -- controls ------------------------------------------------------------------------------------
  var PositionControl = L.Control.extend({
    options: {position: "bottomleft"},
    onAdd: function (map) {
      var box = el("div", "leaflet-control sg-position");
      L.DomEvent.disableClickPropagation(box);
      var select = el("select");
      select.setAttribute("aria-label", "Coordinate format");
      FORMATS.forEach(function (f) {
        var option = el("option", null, f);
        option.value = f;
        select.appendChild(option);
      });
      select.value = chosenFormat();
      var out = el("output", "sg-position-text", "");
      out.setAttribute("aria-live", "off");
      box.appendChild(select);
      box.appendChild(out);
      var last = null;
      function show(latlng) {
        last = latlng;
        out.textContent = Coordinates.format(latlng.lat, latlng.lng, select.value);
      }
      select.addEventListener("change", function () {
        saveFormat(select.value);
        if (last) { show(last); }
      });
      map.on("mousemove click", function (e) { show(e.latlng); });
      show(map.getCenter());
      this.show = show;
      this.select = select;
      this.output = out;
      return box;
    }
  });

  var LegendControl = L.Control.extend({
    options: {position: "bottomright"},
    onAdd: function () {
      var source = document.getElementById("staff-legend");
      var box = el("div", "leaflet-control sg-legend");
      if (source) {
        source.hidden = false;
        box.appendChild(source);
        var details = source.querySelector("details");
        // open at the start where the map has room for it
        if (details && global.innerWidth >= 1400 && global.innerHeight >= 900) { details.open = true; }
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  var SearchControl = L.Control.extend({
    options: {position: "topright"},
    onAdd: function (map) {
      var c = cfg();
      var box = el("div", "leaflet-control sg-search");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var form = el("form");
      form.setAttribute("role", "search");
      var input = el("input");
      input.type = "search";
      input.name = "q";
      input.placeholder = "Hazard code or place";
      input.setAttribute("aria-label", "Search a hazard code or a place name");
      input.autocomplete = "off";
      input.maxLength = 100;
      var button = el("button", null, "Search");
      button.type = "submit";
      var results = el("ul", "sg-search-results");
      results.hidden = true;
      form.appendChild(input);
      form.appendChild(button);
      box.appendChild(form);
      box.appendChild(results);
      var seq = 0;

      function go(item) {
        var b = item.bbox;
        results.hidden = true;
        if (b && b[0] !== null) {
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false, maxZoom: item.type === "hazard" ? 16 : 13});
        }
        if (item.type === "hazard" && item.point) {
          hazardPopup(map, item.id, L.latLng(item.point[1], item.point[0]), null);
        }
      }

      function show(items, q) {
        results.textContent = "";
        if (!items.length) {
          results.appendChild(el("li", "sg-search-none", "Nothing found for “" + q + "”."));
        }
        items.forEach(function (item) {
          var li = el("li");
          var pick = el("button", "sg-search-item");
          pick.type = "button";
          pick.appendChild(el("strong", null, item.label));
          var detail = item.type === "hazard"
            ? " " + (item.name || "") + " · " + (item.classification || "") + ", " + label(item.status)
            : " " + ["country", "oblast", "raion", "hromada", "area", "area"][item.level || 0] +
              (item.names && item.names.uk && item.names.uk !== item.label ? " · " + item.names.uk : "");
          pick.appendChild(el("span", null, detail));
          pick.addEventListener("click", function () { go(item); });
          li.appendChild(pick);
          results.appendChild(li);
        });
        results.hidden = false;
      }

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var q = input.value.trim();
        if (q.length < 2) {
          results.textContent = "";
          results.appendChild(el("li", "sg-search-none", "Type at least 2 characters."));
          results.hidden = false;
          return;
        }
        var mine = ++seq;
        fetch(c.api.search + "?q=" + encodeURIComponent(q) + "&limit=8",
              {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (res) { return res.ok ? res.json() : Promise.reject(res.status); })
          .then(function (data) { if (mine === seq) { show(data.results || [], q); } })
          .catch(function () {
            if (mine !== seq) { return; }
            results.textContent = "";
            results.appendChild(el("li", "sg-search-none", "The search did not answer; try again."));
            results.hidden = false;
          });
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { results.hidden = true; }
      });
      return box;
    }
  });

  function keepViewInAddress(map) {
    // a view pasted into the address bar of an open page
    global.addEventListener("hashchange", function () { view(map, null); });
    map.on("moveend", function () {
      var centre = map.getCenter();
      var hash = "#map=" + map.getZoom() + "/" + centre.lat.toFixed(5) + "/" + centre.lng.toFixed(5);
      global.history.replaceState(null, "", global.location.pathname + global.location.search + hash);
    });
  }

  /** Wire everything once folium has built the map and its layers. */
  function narrow() { return global.innerWidth < 700; }

  function start(map, layers, layerControl) {
    Object.keys(layers).forEach(function (key) {
      layers[key].on("click", function (e) { onFeatureClick(map, key, e); });
    });
    var search = new SearchControl().addTo(map);
    var corner = search.getContainer().parentNode;
    corner.insertBefore(search.getContainer(), corner.firstChild);
    var position = new PositionControl().addTo(map);
    new LegendControl().addTo(map);
    var form = document.querySelector("[data-map-filters]");
    if (form) { setupFilters(map, layers, form); }
    if (narrow()) {
      // phones: the layer list and the filters fold away until asked for
      if (layerControl) {
        layerControl.collapse();
        map.on("click", function () { layerControl.collapse(); });
      }
      var box = document.querySelector("details.map-filters-box");
      if (box) { box.open = false; }
    }
    keepViewInAddress(map);
    var api = {map: map, layers: layers, position: position, search: search, layerControl: layerControl};
    global.SafeGroundStaffMap.current = api;
    return api;
  }

  global.SafeGroundStaffMap = {
    view: view, tileLayer: tileLayer, start: start, hazardPopup: hazardPopup,
    Coordinates: Coordinates, area: area, current: null
  };
})(window);
