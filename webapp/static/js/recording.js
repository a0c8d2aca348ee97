/* The recording page (/hazards/new and /hazards/<id>/edit): live preview of the perimeter through
   POST /api/v1/preview, saving through POST /api/v1/hazards or PATCH /api/v1/hazards/<id> with
   If-Match, and — when someone else saved first (412) — their version beside yours, field by field,
   so that the change is re-applied on their version and never silently overwrites it. */
(function () {
  "use strict";
  var SG = window.SG, el = SG.el;
  var page = document.getElementById("recording");
  if (!page) { return; }
  var form = document.getElementById("record-form");
  var map = window[page.getAttribute("data-map")];
  var drawn = window[page.getAttribute("data-drawn")];
  var editing = page.getAttribute("data-mode") === "edit";
  var hazardId = editing ? parseInt(page.getAttribute("data-hazard-id"), 10) : null;
  var saveButton = document.getElementById("save");
  var saveStatus = document.getElementById("save-status");
  var status = document.getElementById("preview-status");
  var findingsList = document.getElementById("preview-findings");
  var PREVIEW_DELAY_MS = 450;
  var PROPS = ["name", "classification", "contamination_types", "evidence", "priority", "land_use_blocked",
               "marking", "date_of_information"];

  var base = null;          // the version being edited: {etag, properties, survey_points, geometry, area_m2}
  if (editing) { base = JSON.parse(document.getElementById("hazard-data").textContent); }

  var hub = new SG.DrawingHub(map, drawn);
  var previewLayer = L.geoJSON(null, {style: {color: "#1A5FB4", weight: 3, fillColor: "#1A5FB4", fillOpacity: 0.25}}).addTo(map);
  var findingLayer = L.layerGroup().addTo(map);
  var state = {seq: 0, controller: null, ok: false, pending: false, blocking: false, saving: false};

  var schedulePreview = SG.debounce(function () { runPreview(); }, PREVIEW_DELAY_MS);
  var entry = new SG.GeometryEntry(page.querySelector("[data-entry]"), {
    hub: hub,
    onChange: function () { schedulePreview(); }
  });
  hub.target = entry;  // a shape drawn with the map's tools is the perimeter, whichever tab is open
  entry.load(base ? base.survey_points : [], base ? base.geometry : null);

  /* -- properties ------------------------------------------------------------------------------ */
  function readProps() {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-prop]"), function (node) {
      var name = node.getAttribute("data-prop");
      if (node.tagName === "FIELDSET") {
        out[name] = Array.prototype.map.call(node.querySelectorAll("input:checked"), function (i) { return i.value; });
      } else if (name === "priority") {
        out[name] = parseInt(node.value, 10);
      } else {
        var v = node.value.trim();
        out[name] = v === "" ? null : v;
      }
    });
    return out;
  }

  function setProp(name, value) {
    var node = form.querySelector('[data-prop="' + name + '"]');
    if (!node) { return; }
    if (node.tagName === "FIELDSET") {
      Array.prototype.forEach.call(node.querySelectorAll("input"), function (i) {
        i.checked = (value || []).indexOf(i.value) >= 0;
      });
    } else {
      node.value = value === null || value === undefined ? "" : String(value);
    }
  }

  function propError(name, message) {
    var node = form.querySelector('[data-prop-error="' + name + '"]');
    var input = form.querySelector('[data-prop="' + name + '"]');
    if (!node) { return false; }
    SG.clear(node);
    if (message) { node.appendChild(document.createTextNode(message)); }
    node.hidden = !message;
    if (input && input.tagName !== "FIELDSET") {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    return true;
  }

  function clearPropErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-prop-error]"), function (node) {
      propError(node.getAttribute("data-prop-error"), null);
    });
  }

  function sameValue(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) {
      a = (a || []).slice().sort(); b = (b || []).slice().sort();
      return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
    }
    if ((a === null || a === undefined || a === "") && (b === null || b === undefined || b === "")) { return true; }
    return String(a) === String(b);
  }

  function sameGeometry(a, b) {
    if (!a || !b) { return a === b; }
    return a.type === b.type && JSON.stringify(a.coordinates) === JSON.stringify(b.coordinates);
  }

  /* -- preview --------------------------------------------------------------------------------- */
  function setFigures(result) {
    var area = document.getElementById("preview-area");
    area.textContent = result ? SG.fmt.m2(result.area_m2) : "—";
    area.setAttribute("data-area-m2", result ? String(result.area_m2) : "");
    document.getElementById("preview-ha").textContent = result ? SG.fmt.ha(result.area_m2) : "—";
    document.getElementById("preview-perimeter").textContent = result ? SG.fmt.metres(result.perimeter_m) : "—";
    document.getElementById("preview-misclosure").textContent =
      result && result.misclosure_m !== null && result.misclosure_m !== undefined ? SG.fmt.metres(result.misclosure_m, 3)
        : (result ? "not a traverse" : "—");
  }

  function showFindings(findings) {
    SG.clear(findingsList);
    findingLayer.clearLayers();
    (findings || []).forEach(function (f) {
      var severity = f.severity === "error" ? "error" : "warning";
      findingsList.appendChild(el("li", {class: "finding " + severity}, [
        el("strong", {text: severity === "error" ? "Error: " : "Warning: "}), f.message || f.code || ""]));
      if (f.location && f.location.length === 2) {
        L.circleMarker([f.location[1], f.location[0]], {radius: 7, color: severity === "error" ? "#B3261E" : "#8A5A00",
                                                        weight: 3, fill: false}).addTo(findingLayer);
      }
    });
  }

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = "preview-status" + (kind ? " " + kind : "");
    summarise(kind);
  }

  /* One line under the perimeter inputs, for narrow screens where the preview is further down. */
  function summarise(kind) {
    var node = document.getElementById("perimeter-summary");
    var area = document.getElementById("preview-area").getAttribute("data-area-m2");
    var errors = findingsList.querySelectorAll(".finding.error").length;
    var warnings = findingsList.querySelectorAll(".finding.warning").length;
    var text = status.textContent;
    if (area && kind !== "busy") {
      text = "Preview: " + SG.fmt.area(parseFloat(area)) + ", perimeter " + document.getElementById("preview-perimeter").textContent +
             (errors ? ", " + errors + (errors === 1 ? " error" : " errors") : "") +
             (warnings ? ", " + warnings + (warnings === 1 ? " warning" : " warnings") : "") + ".";
    }
    node.textContent = text;
    node.className = "entry-summary" + (kind ? " " + kind : "");
  }

  function updateSave() {
    saveButton.disabled = state.saving || state.pending || !state.ok || state.blocking;
  }

  function runPreview() {
    if (state.controller) { state.controller.abort(); }
    entry.clearErrors();
    var read = entry.read();
    if (read.problems.length) {
      entry.showProblems(read.problems);
      state.ok = false; state.pending = false;
      setStatus("Correct the marked input to see the preview.", "error");
      updateSave();
      return;
    }
    if (read.incomplete || !read.body) {
      state.ok = false; state.pending = false;
      previewLayer.clearLayers(); findingLayer.clearLayers(); SG.clear(findingsList); setFigures(null);
      setStatus(read.incomplete || "Enter the perimeter to see it here.", "");
      updateSave();
      return;
    }
    var body = read.body;
    if (hazardId) { body.hazard_id = hazardId; }
    var seq = ++state.seq;
    var controller = window.AbortController ? new AbortController() : null;
    state.controller = controller;
    state.pending = true;
    updateSave();
    setStatus("Measuring…", "busy");
    SG.api("POST", "/api/v1/preview", body, {signal: controller ? controller.signal : undefined}).then(function (res) {
      if (seq !== state.seq) { return; }
      state.pending = false;
      state.controller = null;
      if (res.ok) {
        var errors = (res.data.findings || []).filter(function (f) { return f.severity === "error"; });
        previewLayer.clearLayers();
        previewLayer.addData(res.data.geometry);
        try { map.fitBounds(previewLayer.getBounds(), {maxZoom: 18, padding: [30, 30]}); } catch (e) { /* empty */ }
        setFigures(res.data);
        showFindings(res.data.findings);
        state.ok = true;
        state.blocking = errors.length > 0;
        setStatus(errors.length ? "The perimeter has errors (in red); correct them to save."
                                : "The perimeter is measured on the ellipsoid (geodesic).", errors.length ? "error" : "ok");
      } else {
        state.ok = false;
        previewLayer.clearLayers();
        setFigures(null);
        var problems = SG.GeometryEntry.problemsOf(res.data);
        entry.showProblems(problems);
        showFindings(problems.map(function (p) {
          var where = SG.GeometryEntry.describe(p);
          return {severity: "error", message: (where ? where + ": " : "") + p.message, location: p.location};
        }));
        setStatus(res.status === 422 ? "The perimeter cannot be used yet; see the marked input." : SG.message(res), "error");
      }
      updateSave();
    }, function () { /* aborted: a newer preview is on its way */ });
  }

  /* -- saving ---------------------------------------------------------------------------------- */
  function showSaveErrors(res, geometryPrefix) {
    var problems = SG.GeometryEntry.problemsOf(res.data);
    var geometry = [], other = [];
    problems.forEach(function (p) {
      var path = p.path || "";
      if (path.indexOf("properties.") === 0) { path = path.slice("properties.".length); }
      if (geometryPrefix && path.indexOf(geometryPrefix) === 0) { p.path = path.slice(geometryPrefix.length); geometry.push(p); return; }
      var field = path.split(".")[0];
      if (PROPS.indexOf(field) >= 0 || field === "national_code") {
        if (propError(field, p.message)) { return; }
      }
      if (/^(traverse|points|geometry)/.test(path) || p.leg || p.index !== undefined || res.data.error === "geometry_rejected") {
        p.path = path; geometry.push(p); return;
      }
      other.push(p.message);
    });
    if (geometry.length) { entry.showProblems(geometry); }
    var text = other.length ? other.join(" ") : (geometry.length ? "Correct the perimeter (marked) and save again." : "Correct the marked fields and save again.");
    saveStatus.textContent = text;
    saveStatus.className = "save-status error";
  }

  function hazardUrl(id) { return "/hazards/" + id; }

  function save() {
    clearPropErrors();
    saveStatus.textContent = "";
    saveStatus.className = "save-status";
    var props = readProps();
    var missing = false;
    if (!props.name) { propError("name", "Give the hazard a name."); missing = true; }
    if (!props.date_of_information) { propError("date_of_information", "Enter the date of information."); missing = true; }
    if (missing) {
      saveStatus.textContent = "Fill in the marked fields.";
      saveStatus.className = "save-status error";
      return;
    }
    var read = entry.read();
    if (!read.body) { return; }
    state.saving = true;
    updateSave();
    saveStatus.textContent = "Saving…";
    if (!editing) {
      var body = {properties: {}};
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || (k === "national_code" && !v)) { return; }
        body.properties[k] = v;
      });
      Object.keys(read.body).forEach(function (k) { body[k] = read.body[k]; });
      SG.api("POST", "/api/v1/hazards", body).then(function (res) {
        state.saving = false;
        if (res.status === 201) {
          saveStatus.textContent = "Saved. Opening the hazard…";
          window.location.assign(hazardUrl(res.data.id));
          return;
        }
        updateSave();
        if (res.status === 409 && res.data.details && res.data.details.field) {
          propError(res.data.details.field, res.data.message);
          saveStatus.textContent = res.data.message;
          saveStatus.className = "save-status error";
          return;
        }
        if (res.status === 422) { showSaveErrors(res, ""); return; }
        saveStatus.textContent = SG.message(res);
        saveStatus.className = "save-status error";
      });
      return;
    }
    var change = {};
    PROPS.forEach(function (k) {
      if (!sameValue(props[k], base.properties[k])) { change[k] = props[k]; }
    });
    if (change.evidence === null) { delete change.evidence; }
    if (entry.dirty) { change.perimeter = read.body; }
    if (!Object.keys(change).length) {
      state.saving = false;
      updateSave();
      saveStatus.textContent = "Nothing has changed.";
      return;
    }
    SG.api("PATCH", "/api/v1/hazards/" + hazardId, change, {headers: {"If-Match": base.etag}}).then(function (res) {
      state.saving = false;
      if (res.ok) {
        saveStatus.textContent = "Saved. Opening the hazard…";
        window.location.assign(hazardUrl(hazardId));
        return;
      }
      updateSave();
      if (res.status === 412) { showConflict(props, change); return; }
      if (res.status === 422) { showSaveErrors(res, "perimeter."); return; }
      saveStatus.textContent = SG.message(res);
      saveStatus.className = "save-status error";
    });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); if (!saveButton.disabled) { save(); } });
  form.addEventListener("keydown", function (e) {
    // Enter in a one-line field must not submit the whole form by accident
    if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "submit") { e.preventDefault(); }
  });

  /* -- conflicts (412) ------------------------------------------------------------------------- */
  var conflict = document.getElementById("conflict");
  var theirs = null;

  function display(name, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) { return "—"; }
    if (Array.isArray(value)) {
      return value.map(function (v) {
        var box = form.querySelector('[data-prop="' + name + '"] input[value="' + CSS.escape(v) + '"]');
        return box && box.parentNode ? box.parentNode.textContent.trim() : v;
      }).join(", ");
    }
    return String(value);
  }

  function label(name) {
    var node = form.querySelector('label[for="' + (form.querySelector('[data-prop="' + name + '"]') || {}).id + '"]');
    if (node) { return node.textContent.trim(); }
    var legend = form.querySelector('[data-prop="' + name + '"] legend');
    return legend ? legend.textContent.trim() : name;
  }

  function showConflict(mine, change) {
    saveStatus.textContent = "Someone else saved this hazard first. Loading their version…";
    SG.api("GET", "/api/v1/hazards/" + hazardId).then(function (res) {
      if (!res.ok) {
        saveStatus.textContent = SG.message(res);
        saveStatus.className = "save-status error";
        return;
      }
      var p = res.data.properties;
      theirs = {etag: res.headers.get("ETag"), properties: {}, survey_points: p.survey_points || [],
                geometry: res.data.geometry, area_m2: p.area_m2, record_state: p.record_state};
      PROPS.forEach(function (k) { theirs.properties[k] = p[k]; });
      var rows = conflict.querySelector("[data-conflict-rows]");
      SG.clear(rows);
      var shown = 0;
      PROPS.forEach(function (k) {
        var changedByThem = !sameValue(theirs.properties[k], base.properties[k]);
        var changedByMe = Object.prototype.hasOwnProperty.call(change, k);
        if (!changedByThem && !changedByMe) { return; }
        if (sameValue(theirs.properties[k], mine[k])) { return; }
        rows.appendChild(conflictRow(k, label(k), display(k, theirs.properties[k]), display(k, mine[k]),
                                     changedByMe ? "mine" : "theirs", changedByThem, changedByMe));
        shown++;
      });
      var theirPerimeterChanged = !sameGeometry(theirs.geometry, base.geometry);
      if (entry.dirty || theirPerimeterChanged) {
        var areaNode = document.getElementById("preview-area").getAttribute("data-area-m2");
        var mineText = entry.dirty ? "your new perimeter, " + SG.fmt.area(parseFloat(areaNode)) : "unchanged, " + SG.fmt.area(base.area_m2);
        rows.appendChild(conflictRow("perimeter", "Perimeter", SG.fmt.area(theirs.area_m2), mineText,
                                     entry.dirty ? "mine" : "theirs", theirPerimeterChanged, entry.dirty));
        shown++;
      }
      if (!shown) {
        rows.appendChild(el("tr", {}, [el("td", {colspan: "4", text: "They changed nothing you changed; your change can be saved on their version as it is."})]));
      }
      if (theirs.record_state !== "draft" && theirs.record_state !== "rejected") {
        rows.appendChild(el("tr", {}, [el("td", {colspan: "4", class: "error",
          text: "The hazard is now " + theirs.record_state + "; it can no longer be edited."})]));
        conflict.querySelector("[data-conflict-apply]").disabled = true;
      }
      conflict.hidden = false;
      conflict.focus();
      conflict.scrollIntoView({block: "start"});
      saveStatus.textContent = "Someone else saved first: compare the versions above.";
      saveStatus.className = "save-status error";
    });
  }

  function conflictRow(key, name, theirText, mineText, keep, changedByThem, changedByMe) {
    var radio = function (value, text) {
      var input = el("input", {type: "radio", name: "keep-" + key, value: value});
      input.checked = value === keep;
      return el("label", {class: "check"}, [input, " " + text]);
    };
    return el("tr", {"data-field": key}, [
      el("th", {scope: "row", text: name}),
      el("td", {class: "theirs"}, [el("span", {text: theirText}), changedByThem ? el("small", {class: "muted", text: " (changed by them)"}) : null]),
      el("td", {class: "mine"}, [el("span", {text: mineText}), changedByMe ? el("small", {class: "muted", text: " (your change)"}) : null]),
      el("td", {class: "keep"}, [radio("mine", "Mine"), radio("theirs", "Theirs")])
    ]);
  }

  conflict.querySelector("[data-conflict-apply]").addEventListener("click", function () {
    if (!theirs) { return; }
    var choices = {};
    Array.prototype.forEach.call(conflict.querySelectorAll("tr[data-field]"), function (tr) {
      var checked = tr.querySelector("input:checked");
      choices[tr.getAttribute("data-field")] = checked ? checked.value : "mine";
    });
    PROPS.forEach(function (k) {
      if (choices[k] === "theirs") { setProp(k, theirs.properties[k]); }
    });
    var keepMyPerimeter = choices.perimeter === "mine" && entry.dirty;
    if (choices.perimeter === "theirs") {
      entry.load(theirs.survey_points, theirs.geometry);
    }
    base = {etag: theirs.etag, properties: theirs.properties, survey_points: theirs.survey_points,
            geometry: theirs.geometry, area_m2: theirs.area_m2};
    entry.dirty = keepMyPerimeter;
    conflict.hidden = true;
    theirs = null;
    save();
  });
  conflict.querySelector("[data-conflict-discard]").addEventListener("click", function () { window.location.reload(); });

  /* -- start ----------------------------------------------------------------------------------- */
  form.addEventListener("input", function (e) {
    if (e.target.closest("[data-entry]")) { return; }
    clearPropErrors();
  });
  runPreview();
})();
