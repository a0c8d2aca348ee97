/* One way-of-entering-a-polygon widget, used for a hazard perimeter and for each release product:
   a traverse table (benchmark, bearing reference, unit, legs), typed coordinates (one per line),
   a polygon drawn on the map (Leaflet.draw through folium's Draw plugin), or a GeoJSON file read in
   the browser. The widget reads what was typed into the body the API expects ({traverse} |
   {points} | {geometry}), and shows the API's errors beside the input that caused them.

   Markup: templates/hazards/_geometry_entry.html. Needs api.js (window.SG). */
(function () {
  "use strict";
  var SG = window.SG = window.SG || {};
  var el = SG.el;
  var MAX_FILE_BYTES = 5 * 1024 * 1024;
  var POINT_TYPES = ["start", "turning", "intermediate", "end", "evidence"];
  var INPUT_LABELS = {bearing: "Bearing", distance: "Distance", coordinate: "Coordinate", type: "Point type"};

  function number(text) {
    var t = String(text === null || text === undefined ? "" : text).trim().replace(",", ".");
    if (t === "") { return null; }
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) { return NaN; }
    return parseFloat(t);
  }
  SG.number = number;

  /* Polygons of any GeoJSON object, as arrays of rings. */
  function polygonsOf(obj, out) {
    out = out || [];
    if (!obj || typeof obj !== "object") { return out; }
    if (obj.type === "FeatureCollection" && Array.isArray(obj.features)) {
      obj.features.forEach(function (f) { polygonsOf(f, out); });
    } else if (obj.type === "Feature") {
      polygonsOf(obj.geometry, out);
    } else if (obj.type === "GeometryCollection" && Array.isArray(obj.geometries)) {
      obj.geometries.forEach(function (g) { polygonsOf(g, out); });
    } else if (obj.type === "Polygon" && Array.isArray(obj.coordinates)) {
      out.push(obj.coordinates);
    } else if (obj.type === "MultiPolygon" && Array.isArray(obj.coordinates)) {
      obj.coordinates.forEach(function (p) { out.push(p); });
    }
    return out;
  }
  SG.polygonsOf = polygonsOf;

  function asGeometry(polygons) {
    if (polygons.length === 1) { return {type: "Polygon", coordinates: polygons[0]}; }
    return {type: "MultiPolygon", coordinates: polygons};
  }
  SG.asGeometry = asGeometry;

  /* ------------------------------------------------------------------------------------------ */
  /* Shapes drawn on one map, handed to whichever entry is drawing. */
  function DrawingHub(map, group) {
    this.map = map;
    this.group = group;
    this.target = null;
    this.owners = {};
    this.onOrphan = null;
    var hub = this;
    map.on("draw:created", function (e) {
      var target = hub.target;
      if (!target) {
        hub.group.removeLayer(e.layer);
        if (hub.onOrphan) { hub.onOrphan(); }
        return;
      }
      target.setDrawn(e.layer);
    });
    map.on("draw:edited", function (e) {
      e.layers.eachLayer(function (layer) {
        var owner = hub.owners[L.stamp(layer)];
        if (owner) { owner.changed(); }
      });
    });
    map.on("draw:deleted", function (e) {
      e.layers.eachLayer(function (layer) {
        var owner = hub.owners[L.stamp(layer)];
        if (owner && owner.drawnLayer === layer) { owner.drawnLayer = null; owner.changed(); }
        delete hub.owners[L.stamp(layer)];
      });
    });
  }
  DrawingHub.prototype.own = function (layer, entry) {
    this.owners[L.stamp(layer)] = entry;
    if (!this.group.hasLayer(layer)) { this.group.addLayer(layer); }
  };
  DrawingHub.prototype.release = function (layer) {
    delete this.owners[L.stamp(layer)];
    this.group.removeLayer(layer);
  };
  SG.DrawingHub = DrawingHub;

  /* ------------------------------------------------------------------------------------------ */
  function GeometryEntry(root, options) {
    this.root = root;
    this.options = options || {};
    this.hub = this.options.hub || null;
    this.colour = this.options.colour || "#1A5FB4";
    this.method = "traverse";
    this.dirty = false;
    this.drawnLayer = null;
    this.fileGeometry = null;
    this.fileLayer = null;
    this.sent = {legRows: [], lines: []};
    this.legsBody = root.querySelector("[data-legs]");
    this.rowTemplate = document.getElementById("leg-row-template");
    this.messages = root.querySelector("[data-entry-messages]");
    this._bind();
  }

  GeometryEntry.prototype.q = function (selector) { return this.root.querySelector(selector); };
  GeometryEntry.prototype.field = function (name) { return this.root.querySelector('[data-field="' + name + '"]'); };

  GeometryEntry.prototype._bind = function () {
    var self = this;
    var tabs = Array.prototype.slice.call(this.root.querySelectorAll('[role="tab"]'));
    this.tabs = tabs;
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { self.select(tab.getAttribute("data-method"), true); });
      tab.addEventListener("keydown", function (e) {
        var next = null;
        if (e.key === "ArrowRight") { next = tabs[(i + 1) % tabs.length]; }
        else if (e.key === "ArrowLeft") { next = tabs[(i - 1 + tabs.length) % tabs.length]; }
        else if (e.key === "Home") { next = tabs[0]; }
        else if (e.key === "End") { next = tabs[tabs.length - 1]; }
        if (next) { e.preventDefault(); next.focus(); self.select(next.getAttribute("data-method"), true); }
      });
    });
    this.root.addEventListener("input", function (e) {
      if (e.target.type === "file") { return; }
      self.changed();
    });
    this.root.addEventListener("change", function (e) {
      if (e.target.type === "file") { return; }
      if (e.target.classList.contains("leg-type")) { e.target.setAttribute("data-auto", "0"); }
      if (e.target === self.field("traverse.bearing_reference")) { self._referenceShown(); }
      self.changed();
    });
    var add = this.q("[data-add-leg]");
    if (add) { add.addEventListener("click", function () { self.addLeg({}, true); self.changed(); }); }
    var clearDrawing = this.q("[data-clear-drawing]");
    if (clearDrawing) {
      clearDrawing.addEventListener("click", function () {
        if (self.drawnLayer && self.hub) { self.hub.release(self.drawnLayer); }
        self.drawnLayer = null;
        self.changed();
      });
    }
    var startDrawing = this.q("[data-start-drawing]");
    if (startDrawing) {
      startDrawing.addEventListener("click", function () {
        if (!self.hub) { return; }
        self.hub.target = self;
        var drawer = new L.Draw.Polygon(self.hub.map, {allowIntersection: false, showArea: false,
                                                       shapeOptions: {color: self.colour}});
        drawer.enable();
        self.hub.map.getContainer().scrollIntoView({block: "nearest", behavior: "smooth"});
      });
    }
    var file = this.q('input[type="file"]');
    if (file) { file.addEventListener("change", function () { self._readFile(file); }); }
    this._referenceShown();
  };

  GeometryEntry.prototype._referenceShown = function () {
    var ref = this.field("traverse.bearing_reference");
    if (!ref) { return; }
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-show-when]"), function (node) {
      node.hidden = node.getAttribute("data-show-when") !== ref.value;
    });
  };

  GeometryEntry.prototype.select = function (method, byUser) {
    if (!method) { return; }
    this.method = method;
    this.tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-method") === method;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-panel]"), function (panel) {
      panel.hidden = panel.getAttribute("data-panel") !== method;
    });
    if (this.hub && method === "drawing") { this.hub.target = this; }
    if (this.options.onSelect) { this.options.onSelect(this, method); }
    if (byUser) { this.changed(); }
  };

  GeometryEntry.prototype.changed = function () {
    this.dirty = true;
    if (this._statusTexts) { this._statusTexts(); }
    if (this.options.onChange) { this.options.onChange(this); }
  };

  /* -- traverse table -- */
  GeometryEntry.prototype.rows = function () {
    return Array.prototype.slice.call(this.legsBody ? this.legsBody.querySelectorAll("tr.leg") : []);
  };

  GeometryEntry.prototype.addLeg = function (values, focus, after) {
    var self = this;
    var tr = this.rowTemplate.content.firstElementChild.cloneNode(true);
    var select = tr.querySelector(".leg-type");
    POINT_TYPES.forEach(function (t) { select.appendChild(el("option", {value: t, text: SG.labels[t]})); });
    values = values || {};
    tr.querySelector(".leg-bearing").value = values.bearing === undefined || values.bearing === null ? "" : values.bearing;
    tr.querySelector(".leg-distance").value = values.distance === undefined || values.distance === null ? "" : values.distance;
    tr.querySelector(".leg-coordinate").value = values.coordinate || "";
    if (values.point_type) { select.value = values.point_type; select.setAttribute("data-auto", "0"); }
    else { select.setAttribute("data-auto", "1"); }
    tr.querySelector(".leg-remove").addEventListener("click", function () {
      var rows = self.rows(), index = rows.indexOf(tr);
      self._removeError(tr);
      tr.parentNode.removeChild(tr);
      self._renumber();
      var rest = self.rows();
      if (rest.length) { rest[Math.min(index, rest.length - 1)].querySelector(".leg-bearing").focus(); }
      else { self.q("[data-add-leg]").focus(); }
      self.changed();
    });
    tr.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.target.tagName === "BUTTON") { return; }
      e.preventDefault();
      var rows = self.rows(), index = rows.indexOf(tr);
      var next = rows[index + 1];
      if (!next) { next = self.addLeg({}, false); self.changed(); }
      var cls = e.target.classList.contains("leg-coordinate") ? ".leg-coordinate" : ".leg-bearing";
      next.querySelector(cls).focus();
    });
    if (after && after.parentNode === this.legsBody) {
      var anchor = after.nextElementSibling && after.nextElementSibling.classList.contains("leg-error-row")
        ? after.nextElementSibling : after;
      this.legsBody.insertBefore(tr, anchor.nextSibling);
    } else {
      this.legsBody.appendChild(tr);
    }
    this._renumber();
    if (focus) { tr.querySelector(".leg-bearing").focus(); }
    return tr;
  };

  GeometryEntry.prototype._renumber = function () {
    var rows = this.rows();
    rows.forEach(function (tr, i) {
      var n = i + 1;
      tr.querySelector(".leg-n").textContent = String(n);
      tr.querySelector(".leg-bearing").setAttribute("aria-label", "Leg " + n + " bearing");
      tr.querySelector(".leg-distance").setAttribute("aria-label", "Leg " + n + " distance in metres");
      tr.querySelector(".leg-type").setAttribute("aria-label", "Leg " + n + " point type");
      tr.querySelector(".leg-coordinate").setAttribute("aria-label", "Leg " + n + " coordinate instead of bearing and distance");
      tr.querySelector(".leg-remove").setAttribute("aria-label", "Remove leg " + n);
      var select = tr.querySelector(".leg-type");
      if (select.getAttribute("data-auto") === "1") {
        select.value = i === 0 ? "start" : (i === rows.length - 1 && rows.length > 2 ? "end" : "turning");
      }
    });
  };

  GeometryEntry.prototype.readTraverse = function () {
    var benchmark = this.field("traverse.benchmark").value.trim();
    var reference = this.field("traverse.bearing_reference").value;
    var unit = this.field("traverse.unit").value;
    var result = {body: null, incomplete: null, problems: [], legRows: []};
    var legs = [];
    var self = this;
    this.rows().forEach(function (tr, i) {
      var bearingText = tr.querySelector(".leg-bearing").value;
      var distanceText = tr.querySelector(".leg-distance").value;
      var coordinate = tr.querySelector(".leg-coordinate").value.trim();
      var type = tr.querySelector(".leg-type").value;
      var bearing = number(bearingText), distance = number(distanceText);
      if (bearing === null && distance === null && !coordinate) { return; }  // an empty row
      var leg = {point_type: type};
      if (coordinate) {
        leg.coordinate = coordinate;
      } else {
        if (bearing !== null && isNaN(bearing)) {
          result.problems.push({row: tr, input: "bearing", message: "The bearing must be a number, e.g. 090 or 1600."});
        }
        if (distance !== null && isNaN(distance)) {
          result.problems.push({row: tr, input: "distance", message: "The distance must be a number of metres."});
        }
        if (bearing === null || distance === null) {
          result.incomplete = result.incomplete || ("Leg " + (i + 1) + " needs " + (bearing === null ? "a bearing" : "a distance") + ".");
        }
        leg[unit === "mils" ? "bearing_mils" : "bearing_deg"] = bearing;
        leg.distance_m = distance;
      }
      legs.push(leg);
      result.legRows.push(tr);
    });
    if (!benchmark) { result.incomplete = result.incomplete || "Enter the benchmark coordinate."; }
    if (legs.length < 3) { result.incomplete = result.incomplete || "Enter at least three legs."; }
    var traverse = {benchmark: benchmark, bearing_reference: reference, legs: legs};
    if (reference === "magnetic") {
      var decl = number(this.field("traverse.declination_deg").value);
      if (decl === null) { result.incomplete = result.incomplete || "Magnetic bearings need the declination."; }
      else if (isNaN(decl)) { result.problems.push({path: "traverse.declination_deg", message: "The declination must be a number of degrees (east positive)."}); }
      traverse.declination_deg = decl;
    }
    if (reference === "grid") {
      var zone = number(this.field("traverse.grid_zone").value);
      if (zone !== null && isNaN(zone)) { result.problems.push({path: "traverse.grid_zone", message: "The zone is a number from 1 to 60."}); }
      else if (zone !== null) { traverse.grid_zone = zone; }
    }
    result.body = {traverse: traverse};
    return result;
  };

  GeometryEntry.prototype.readPoints = function () {
    var lines = this.field("points").value.split(/\r?\n/);
    var points = [], lineNumbers = [];
    lines.forEach(function (line, i) {
      if (line.trim()) { points.push(line.trim()); lineNumbers.push(i + 1); }
    });
    var result = {body: {points: points}, incomplete: null, problems: [], lines: lineNumbers};
    if (points.length < 3) { result.incomplete = "Enter at least three points, one per line."; }
    return result;
  };

  GeometryEntry.prototype.readDrawing = function () {
    if (!this.drawnLayer) { return {body: null, incomplete: "Draw the polygon on the map.", problems: []}; }
    var geometry = this.drawnLayer.toGeoJSON().geometry;
    return {body: {geometry: geometry}, incomplete: null, problems: []};
  };

  GeometryEntry.prototype.readFile = function () {
    if (!this.fileGeometry) { return {body: null, incomplete: "Choose a GeoJSON file with the polygon.", problems: []}; }
    return {body: {geometry: this.fileGeometry}, incomplete: null, problems: []};
  };

  /* What was entered, as {body, incomplete, problems}; remembers which rows/lines were sent so that
     the API's indexes can be mapped back to them. */
  GeometryEntry.prototype.read = function () {
    var r;
    if (this.method === "traverse") { r = this.readTraverse(); this.sent = {legRows: r.legRows, lines: []}; }
    else if (this.method === "points") { r = this.readPoints(); this.sent = {legRows: [], lines: r.lines}; }
    else if (this.method === "file") { r = this.readFile(); this.sent = {legRows: [], lines: []}; }
    else { r = this.readDrawing(); this.sent = {legRows: [], lines: []}; }
    return r;
  };

  /* -- drawing and files -- */
  GeometryEntry.prototype.setDrawn = function (layer) {
    if (this.drawnLayer && this.drawnLayer !== layer && this.hub) { this.hub.release(this.drawnLayer); }
    this.drawnLayer = layer;
    if (layer.setStyle) { layer.setStyle({color: this.colour, fillColor: this.colour}); }
    if (this.hub) { this.hub.own(layer, this); }
    if (this.method !== "drawing") { this.select("drawing", false); }
    this.changed();
  };

  GeometryEntry.prototype.setColour = function (colour) {
    this.colour = colour;
    [this.drawnLayer, this.fileLayer].forEach(function (layer) {
      if (layer && layer.setStyle) { layer.setStyle({color: colour, fillColor: colour}); }
    });
  };

  GeometryEntry.prototype._statusTexts = function () {
    var status = this.q("[data-drawing-status]");
    if (status) {
      status.textContent = this.drawnLayer ? "A polygon is drawn; the preview measures it." : "Nothing drawn yet.";
    }
  };

  GeometryEntry.prototype._readFile = function (input) {
    var self = this;
    var status = this.q("[data-file-status]");
    var file = input.files && input.files[0];
    this._setFieldError("file", null);
    this.fileGeometry = null;
    if (this.fileLayer && this.hub) { this.hub.map.removeLayer(this.fileLayer); }
    this.fileLayer = null;
    if (!file) { status.textContent = ""; this.changed(); return; }
    if (file.size > MAX_FILE_BYTES) {
      this._setFieldError("file", "The file is larger than 5 MB; a release product is one polygon.");
      this.changed();
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var data;
      try { data = JSON.parse(reader.result); } catch (e) {
        self._setFieldError("file", "This file is not GeoJSON (it is not valid JSON).");
        self.changed();
        return;
      }
      var polygons = polygonsOf(data);
      if (!polygons.length) {
        self._setFieldError("file", "The file holds no polygon. Points and lines cannot be a release product.");
        self.changed();
        return;
      }
      self.fileGeometry = asGeometry(polygons);
      status.textContent = "Read " + polygons.length + (polygons.length === 1 ? " polygon" : " polygons") + " from " + file.name + ".";
      if (self.hub) {
        self.fileLayer = L.geoJSON(self.fileGeometry, {style: {color: self.colour, fillColor: self.colour, weight: 2}}).addTo(self.hub.map);
        try { self.hub.map.fitBounds(self.fileLayer.getBounds(), {maxZoom: 18, padding: [24, 24]}); } catch (e) { /* empty */ }
      }
      self.changed();
    };
    reader.onerror = function () {
      self._setFieldError("file", "The file could not be read.");
      self.changed();
    };
    reader.readAsText(file);
  };

  /* -- loading what was stored (edit) -- */
  GeometryEntry.prototype.load = function (points, geometry) {
    var self = this;
    points = points || [];
    SG.clear(this.legsBody);
    if (points.length && points[0].point_type === "benchmark") {
      this.field("traverse.benchmark").value = points[0].input_text || "";
      var legs = points.slice(1);
      var first = legs.filter(function (p) { return p.input_format === "bearing_distance"; })[0];
      if (first) {
        this.field("traverse.bearing_reference").value = first.bearing_reference || "true";
        this.field("traverse.unit").value = first.bearing_unit === "mils" ? "mils" : "deg";
        if (first.declination_deg !== null && first.declination_deg !== undefined) {
          this.field("traverse.declination_deg").value = first.declination_deg;
        }
      }
      legs.forEach(function (p) {
        if (p.input_format === "bearing_distance") {
          self.addLeg({bearing: p.bearing, distance: p.distance_m, point_type: p.point_type});
        } else {
          self.addLeg({coordinate: p.input_text, point_type: p.point_type});
        }
      });
      this._referenceShown();
      this.select("traverse", false);
    } else if (points.length && points[0].input_format !== "drawn" && points[0].input_text) {
      this.field("points").value = points.map(function (p) { return p.input_text || ""; }).join("\n");
      this.blankLegs(5);
      this.select("points", false);
    } else if (geometry && this.hub) {
      var polygons = polygonsOf(geometry);
      polygons.forEach(function (rings) {
        var layer = L.geoJSON({type: "Polygon", coordinates: rings}).getLayers()[0];
        self.setDrawn(layer);
      });
      this.blankLegs(5);
      this.select("drawing", false);
    } else {
      this.blankLegs(5);
    }
    this.dirty = false;
    this._statusTexts();
  };

  GeometryEntry.prototype.blankLegs = function (n) {
    if (this.rows().length) { return; }
    for (var i = 0; i < n; i++) { this.addLeg({}); }
  };

  /* -- errors beside the inputs -- */
  GeometryEntry.prototype._errorNode = function (name) {
    return this.root.querySelector('[data-error-for="' + name + '"]');
  };

  GeometryEntry.prototype._setFieldError = function (name, message) {
    var node = this._errorNode(name);
    var input = name === "file" ? this.q('input[type="file"]') : this.field(name);
    if (node) {
      SG.clear(node);
      if (message) { node.appendChild(document.createTextNode(message)); }
      node.hidden = !message;
    }
    if (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    return !!node;
  };

  GeometryEntry.prototype._removeError = function (tr) {
    var next = tr.nextElementSibling;
    if (next && next.classList.contains("leg-error-row")) { next.parentNode.removeChild(next); }
    tr.classList.remove("has-error");
    Array.prototype.forEach.call(tr.querySelectorAll("[aria-invalid]"), function (i) { i.removeAttribute("aria-invalid"); });
  };

  GeometryEntry.prototype._rowError = function (tr, input, message) {
    var next = tr.nextElementSibling, list;
    if (!next || !next.classList.contains("leg-error-row")) {
      var n = tr.querySelector(".leg-n").textContent;
      list = el("ul", {class: "field-error", id: "leg-error-" + L.stamp(tr)});
      next = el("tr", {class: "leg-error-row"}, [el("td", {colspan: "6"}, [list])]);
      next.setAttribute("data-leg", n);
      tr.parentNode.insertBefore(next, tr.nextSibling);
    }
    list = next.querySelector("ul");
    list.appendChild(el("li", {text: message}));
    tr.classList.add("has-error");
    var target = input ? tr.querySelector(".leg-" + input) : null;
    (target ? [target] : []).forEach(function (i) {
      i.setAttribute("aria-invalid", "true");
      i.setAttribute("aria-describedby", list.id);
    });
  };

  GeometryEntry.prototype.clearErrors = function () {
    var self = this;
    this.rows().forEach(function (tr) { self._removeError(tr); });
    ["traverse.benchmark", "traverse.declination_deg", "traverse.grid_zone", "traverse.legs", "points", "geometry"].forEach(function (n) {
      self._setFieldError(n, null);
    });
    var lines = this._errorNode("points");
    if (lines) { SG.clear(lines); lines.hidden = true; }
    if (this.messages) { SG.clear(this.messages); this.messages.hidden = true; }
  };

  GeometryEntry.prototype._message = function (message) {
    if (!this.messages) { return; }
    this.messages.appendChild(el("li", {text: message}));
    this.messages.hidden = false;
  };

  GeometryEntry.prototype._lineError = function (index, message) {
    var node = this._errorNode("points");
    var line = this.sent.lines[index];
    node.appendChild(el("li", {text: (line ? "Line " + line + ": " : "") + message}));
    node.hidden = false;
    this.field("points").setAttribute("aria-invalid", "true");
  };

  /* Show problems beside their inputs. Each problem: {path, message, leg, index, code, row, input}
     with paths relative to the geometry ("traverse.legs.2.distance_m", "points.1", "geometry"). */
  GeometryEntry.prototype.showProblems = function (problems) {
    var self = this;
    (problems || []).forEach(function (p) {
      var path = p.path || "";
      var parts = path.split(".");
      var message = p.message || "This is not valid.";
      if (p.row) { self._rowError(p.row, p.input, message); return; }
      if (p.leg !== undefined && p.leg !== null && self.sent.legRows[p.leg - 1]) {
        self._rowError(self.sent.legRows[p.leg - 1], null, message);
        return;
      }
      if (p.index !== undefined && p.index !== null && self.method === "points") { self._lineError(p.index, message); return; }
      if (parts[0] === "traverse" && parts[1] === "legs" && parts.length > 2 && self.sent.legRows[+parts[2]]) {
        var input = {bearing_deg: "bearing", bearing_mils: "bearing", distance_m: "distance", coordinate: "coordinate",
                     point_type: "type"}[parts[3]] || null;
        self._rowError(self.sent.legRows[+parts[2]], input, input ? INPUT_LABELS[input] + ": " + message : message);
        return;
      }
      if (path === "traverse.benchmark" || (p.code === "bad_coordinate" && self.method === "traverse" && !p.leg)) {
        self._setFieldError("traverse.benchmark", message);
        return;
      }
      if (path === "traverse.declination_deg" || (path === "traverse" && /declination/.test(message))) {
        self._setFieldError("traverse.declination_deg", message);
        return;
      }
      if (path === "traverse.grid_zone") { self._setFieldError("traverse.grid_zone", message); return; }
      if (parts[0] === "traverse" || p.code === "not_closed" || (self.method === "traverse" && p.code && !p.location)) {
        var node = self._errorNode("traverse.legs");
        if (node.hidden) { self._setFieldError("traverse.legs", message); }
        else { node.appendChild(document.createTextNode(" " + message)); }
        return;
      }
      if (parts[0] === "points" && parts.length > 1) { self._lineError(+parts[1], message); return; }
      if (parts[0] === "points") {
        var lines = self._errorNode("points");
        lines.appendChild(el("li", {text: message}));
        lines.hidden = false;
        self.field("points").setAttribute("aria-invalid", "true");
        return;
      }
      if (self.method === "drawing" && self._setFieldError("geometry", message)) { return; }
      if (self.method === "file" && self._setFieldError("file", message)) { return; }
      self._message(message);
    });
  };

  /* The geometry problems of an API error body. `prefix` is where this geometry sits in the body
     ("" for a preview, "perimeter." for a hazard change, "products.0." for a product). Returns the
     problems that are not about this geometry. */
  GeometryEntry.problemsOf = function (data) {
    var out = [];
    var details = (data && data.details) || {};
    (details.errors || []).forEach(function (e) {
      out.push({path: (e.field || "").replace(/\[(\d+)\]/g, ".$1"), message: e.message});
    });
    (details.findings || []).forEach(function (f) {
      out.push({path: "", message: f.message, leg: f.leg, index: f.index, code: f.code, product: f.product,
                location: f.location});
    });
    if (details.field && !details.errors) {
      out.push({path: String(details.field).replace(/\[(\d+)\]/g, ".$1"), message: data.message});
    }
    if (!out.length && data && data.message) { out.push({path: "", message: data.message}); }
    return out;
  };

  /* Where a problem is, in words: "Leg 3 distance", "Point 2", "Benchmark" ("" when unknown). */
  GeometryEntry.describe = function (p) {
    var parts = (p.path || "").split(".");
    if (parts[0] === "perimeter") { parts = parts.slice(1); }
    if (parts[0] === "traverse" && parts[1] === "legs" && parts.length > 2) {
      var what = {bearing_deg: " bearing", bearing_mils: " bearing", distance_m: " distance", coordinate: " coordinate",
                  point_type: " point type"}[parts[3]] || "";
      return "Leg " + (+parts[2] + 1) + what;
    }
    if (parts[0] === "traverse" && parts[1] === "benchmark") { return "Benchmark"; }
    if (parts[0] === "traverse" && parts[1] === "declination_deg") { return "Declination"; }
    if (parts[0] === "points" && parts.length > 1) { return "Point " + (+parts[1] + 1); }
    return "";
  };

  SG.GeometryEntry = GeometryEntry;
})();
