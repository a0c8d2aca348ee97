/* Writing an activity report (/hazards/<id>/reports/new): the report, its activity, release products
   (each entered as a traverse, coordinates, a drawing or a GeoJSON file, measured live through
   /api/v1/preview), EO finds and the handover, sent as one POST /api/v1/hazards/<id>/reports.
   The API's errors are shown beside the input that caused them. */
(function () {
  "use strict";
  var SG = window.SG, el = SG.el;
  var page = document.getElementById("report-page");
  if (!page) { return; }
  var form = document.getElementById("report-form");
  var map = window[page.getAttribute("data-map")];
  var hub = new SG.DrawingHub(map, window[page.getAttribute("data-drawn")]);
  var hazardId = parseInt(page.getAttribute("data-hazard-id"), 10);
  var productList = page.querySelector("[data-products]");
  var findsBody = page.querySelector("[data-finds]");
  var summary = page.querySelector("[data-product-summary]");
  var status = document.getElementById("report-status");
  var errorList = document.getElementById("report-errors");
  var saveButton = document.getElementById("save-report");
  var COLOURS = {cancelled: "#1E88E5", reduced: "#00897B", cleared: "#2E7D32"};
  var PRODUCTS_FOR = {nts: ["cancelled"], ts: ["cancelled", "reduced"], clearance: ["cancelled", "reduced", "cleared"],
                      eod_spot_task: ["cancelled", "reduced", "cleared"], completion: []};
  var METHOD_FOR = {nts: "nts", ts: "manual", clearance: "manual", eod_spot_task: "eod", completion: "nts"};
  var products = [];
  var counter = 0;
  var methodChosen = false;

  function r(name) { return form.querySelector('[data-r="' + name + '"]'); }
  function value(name) { var n = r(name); return n ? n.value.trim() : ""; }
  function reportType() { return r("report_type").value; }

  function whole(text) {
    var t = String(text || "").trim();
    if (!t) { return null; }
    return /^\d+$/.test(t) ? parseInt(t, 10) : NaN;
  }

  hub.onOrphan = function () {
    say("Add a release product first, then draw its polygon.", "error");
  };

  function say(text, kind) {
    status.textContent = text;
    status.className = "save-status" + (kind ? " " + kind : "");
  }

  /* -- report type drives what is asked -------------------------------------------------------- */
  function typeChanged() {
    var type = reportType();
    Array.prototype.forEach.call(page.querySelectorAll("[data-only-for]"), function (node) {
      node.hidden = node.getAttribute("data-only-for").split(" ").indexOf(type) < 0;
    });
    page.querySelector('[data-section="activity"]').hidden = type === "completion";
    page.querySelector('[data-section="products"]').hidden = type === "completion";
    if (!methodChosen) { r("activity.method").value = METHOD_FOR[type]; }
    if (type !== "ts") { r("confirms_cha").checked = false; }
    products.forEach(function (p) { restrictTypes(p); });
  }

  function restrictTypes(product) {
    var allowed = PRODUCTS_FOR[reportType()] || [];
    var select = product.card.querySelector('[data-p="product_type"]');
    Array.prototype.forEach.call(select.options, function (o) { o.disabled = allowed.indexOf(o.value) < 0; });
    if (allowed.length && allowed.indexOf(select.value) < 0) { select.value = allowed[0]; productTypeChanged(product); }
  }

  function productTypeChanged(product) {
    var type = product.card.querySelector('[data-p="product_type"]').value;
    product.card.querySelector("[data-only-cleared]").hidden = type !== "cleared";
    product.entry.setColour(COLOURS[type]);
    product.layer.options.style = {color: COLOURS[type], fillColor: COLOURS[type], weight: 2, fillOpacity: 0.35};
    product.layer.setStyle(product.layer.options.style);  // layers already drawn; options for later ones
    product.card.style.borderLeftColor = COLOURS[type];
    renderSummary();
  }

  /* -- release products ------------------------------------------------------------------------ */
  var template = document.getElementById("product-template");

  function addProduct() {
    counter++;
    var fragment = template.content.cloneNode(true);
    Array.prototype.forEach.call(fragment.querySelectorAll("*"), function (node) {
      ["id", "for", "aria-controls", "aria-labelledby", "aria-describedby"].forEach(function (attr) {
        var v = node.getAttribute(attr);
        if (v && v.indexOf("__N__") >= 0) { node.setAttribute(attr, v.split("__N__").join(String(counter))); }
      });
    });
    var card = fragment.querySelector("[data-product]");
    var v = card.getAttribute("aria-labelledby");
    if (v) { card.setAttribute("aria-labelledby", v.split("__N__").join(String(counter))); }
    productList.appendChild(card);
    var product = {card: card, state: {seq: 0, ok: false, pending: false, blocking: false, area: null, incomplete: null}};
    product.layer = L.geoJSON(null, {style: {color: COLOURS.cancelled, weight: 2, fillOpacity: 0.35}}).addTo(map);
    product.entry = new SG.GeometryEntry(card.querySelector("[data-entry]"), {
      hub: hub, colour: COLOURS.cancelled,
      onChange: function () { product.schedule(); }
    });
    product.entry.load([], null);
    product.schedule = SG.debounce(function () { previewProduct(product); }, 450);
    card.querySelector('[data-p="product_type"]').addEventListener("change", function () { productTypeChanged(product); });
    card.querySelector("[data-remove-product]").addEventListener("click", function () { removeProduct(product); });
    products.push(product);
    hub.target = product.entry;  // shapes drawn with the map's tools go to the newest product
    restrictTypes(product);
    productTypeChanged(product);
    renumberProducts();
    previewProduct(product);
    card.querySelector('[data-p="product_type"]').focus();
    return product;
  }

  function removeProduct(product) {
    map.removeLayer(product.layer);
    if (product.entry.drawnLayer) { hub.release(product.entry.drawnLayer); }
    if (product.entry.fileLayer) { map.removeLayer(product.entry.fileLayer); }
    product.card.parentNode.removeChild(product.card);
    products.splice(products.indexOf(product), 1);
    if (hub.target === product.entry) { hub.target = products.length ? products[products.length - 1].entry : null; }
    renumberProducts();
    updateSave();
  }

  function renumberProducts() {
    products.forEach(function (p, i) {
      p.card.querySelector("[data-product-title]").textContent = "Release product " + (i + 1);
    });
    renderSummary();
  }

  function renderSummary() {
    SG.clear(summary);
    var total = 0;
    products.forEach(function (p, i) {
      var type = p.card.querySelector('[data-p="product_type"]').value;
      var text = p.state.area !== null ? SG.fmt.area(p.state.area) : (p.state.incomplete || "not measured yet");
      if (p.state.area !== null) { total += p.state.area; }
      summary.appendChild(el("li", {}, [el("span", {class: "swatch product-" + type}), " Product " + (i + 1) + " (" + type + "): " + text]));
    });
    if (products.length > 1) { summary.appendChild(el("li", {class: "total", text: "Together: " + SG.fmt.area(total)})); }
  }

  function productFindings(product, findings) {
    var list = product.card.querySelector("[data-product-findings]");
    SG.clear(list);
    (findings || []).forEach(function (f) {
      var severity = f.severity === "error" ? "error" : "warning";
      list.appendChild(el("li", {class: "finding " + severity}, [el("strong", {text: severity === "error" ? "Error: " : "Warning: "}), f.message || ""]));
    });
  }

  function previewProduct(product) {
    var entry = product.entry, st = product.state;
    entry.clearErrors();
    var read = entry.read();
    var area = product.card.querySelector("[data-product-area]");
    st.seq++;
    if (read.problems.length || read.incomplete || !read.body) {
      if (read.problems.length) { entry.showProblems(read.problems); }
      st.ok = false; st.pending = false; st.area = null;
      st.incomplete = read.problems.length ? "correct the marked input" : read.incomplete;
      product.layer.clearLayers();
      productFindings(product, []);
      area.textContent = "Area: — (" + st.incomplete + ")";
      renderSummary();
      updateSave();
      return;
    }
    var seq = st.seq;
    st.pending = true;
    updateSave();
    area.textContent = "Measuring…";
    var body = {hazard_id: hazardId};  // its own hazard is no "overlap with another hazard"
    Object.keys(read.body).forEach(function (k) { body[k] = read.body[k]; });
    SG.api("POST", "/api/v1/preview", body).then(function (res) {
      if (seq !== st.seq) { return; }
      st.pending = false;
      product.layer.clearLayers();
      if (res.ok) {
        product.layer.addData(res.data.geometry);
        st.ok = true;
        st.area = res.data.area_m2;
        st.incomplete = null;
        st.blocking = (res.data.findings || []).some(function (f) { return f.severity === "error" && f.code !== "overlaps_other"; });
        area.textContent = "Area: " + SG.fmt.area(res.data.area_m2) + (res.data.misclosure_m !== null ? " · misclosure " + SG.fmt.metres(res.data.misclosure_m, 3) : "");
        area.setAttribute("data-area-m2", String(res.data.area_m2));
        // the preview's "overlaps another hazard" is about duplicate hazard records, not products
        productFindings(product, (res.data.findings || []).filter(function (f) { return f.code !== "overlaps_other"; }));
      } else {
        st.ok = false; st.area = null; st.incomplete = "cannot be used yet";
        var problems = SG.GeometryEntry.problemsOf(res.data);
        entry.showProblems(problems);
        area.textContent = "Area: — (see the marked input)";
        productFindings(product, []);
      }
      renderSummary();
      updateSave();
    });
  }

  /* -- EO finds -------------------------------------------------------------------------------- */
  var findTemplate = document.getElementById("find-row-template");

  function addFind() {
    var tr = findTemplate.content.firstElementChild.cloneNode(true);
    tr.querySelector("[data-remove-find]").addEventListener("click", function () {
      clearRowError(tr);
      tr.parentNode.removeChild(tr);
      renumberFinds();
    });
    findsBody.appendChild(tr);
    renumberFinds();
    tr.querySelector('[data-f="category"]').focus();
    return tr;
  }

  function findRows() { return Array.prototype.slice.call(findsBody.querySelectorAll("tr.find")); }

  function renumberFinds() {
    findRows().forEach(function (tr, i) {
      var n = i + 1;
      tr.querySelector(".find-n").textContent = String(n);
      Array.prototype.forEach.call(tr.querySelectorAll("[data-f]"), function (input) {
        input.setAttribute("aria-label", "Find " + n + " " + input.closest("td").getAttribute("data-label").toLowerCase());
      });
      tr.querySelector("[data-remove-find]").setAttribute("aria-label", "Remove find " + n);
    });
  }

  function clearRowError(tr) {
    var next = tr.nextElementSibling;
    if (next && next.classList.contains("leg-error-row")) { next.parentNode.removeChild(next); }
    Array.prototype.forEach.call(tr.querySelectorAll("[aria-invalid]"), function (i) { i.removeAttribute("aria-invalid"); });
  }

  function rowError(tr, field, message) {
    var next = tr.nextElementSibling;
    if (!next || !next.classList.contains("leg-error-row")) {
      next = el("tr", {class: "leg-error-row"}, [el("td", {colspan: "9"}, [el("ul", {class: "field-error"})])]);
      tr.parentNode.insertBefore(next, tr.nextSibling);
    }
    next.querySelector("ul").appendChild(el("li", {text: message}));
    var input = field ? tr.querySelector('[data-f="' + field + '"]') : null;
    if (input) { input.setAttribute("aria-invalid", "true"); }
  }

  /* -- errors ---------------------------------------------------------------------------------- */
  function fieldError(attr, name, message, scope) {
    var node = (scope || form).querySelector("[" + attr + '-error="' + name + '"]');
    if (!node) { return false; }
    node.textContent = message;
    node.hidden = false;
    var input = (scope || form).querySelector("[" + attr + '="' + name + '"]');
    if (input) { input.setAttribute("aria-invalid", "true"); }
    return true;
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-r-error], [data-p-error]"), function (n) { n.hidden = true; n.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
    findRows().forEach(clearRowError);
    SG.clear(errorList);
    errorList.hidden = true;
  }

  function general(message) {
    errorList.appendChild(el("li", {text: message}));
    errorList.hidden = false;
  }

  function showErrors(data) {
    SG.GeometryEntry.problemsOf(data).forEach(function (p) {
      var parts = (p.path || "").split(".");
      if (p.product) {
        var owner = products[p.product - 1];
        if (owner) { owner.entry.showProblems([{path: "", message: p.message, code: p.code, leg: p.leg, index: p.index}]); return; }
      }
      if (parts[0] === "products" && parts.length > 1 && products[+parts[1]]) {
        var product = products[+parts[1]];
        var rest = parts.slice(2).join(".");
        if (/^(traverse|points|geometry)/.test(rest)) { product.entry.showProblems([{path: rest, message: p.message}]); return; }
        if (rest && fieldError("data-p", rest, p.message, product.card)) { return; }
        if (/depth/.test(p.message) && fieldError("data-p", "clearance_depth_cm", p.message, product.card)) { return; }
        product.entry.showProblems([{path: "", message: p.message}]);
        return;
      }
      if (parts[0] === "eo_items" && parts.length > 1) {
        var tr = findRows()[+parts[1]];
        if (tr) { rowError(tr, parts[2] || null, p.message); return; }
      }
      if (p.path && fieldError("data-r", p.path, p.message)) { return; }
      if (parts[0] === "activity" && fieldError("data-r", "activity", p.message)) { return; }
      if (/clearance depth/.test(p.message) && fieldError("data-r", "activity.clearance_depth_cm", p.message)) { return; }
      general(p.message);
    });
  }

  /* -- the body -------------------------------------------------------------------------------- */
  function build() {
    var problems = [];
    var type = reportType();
    var body = {report_type: type, date_of_information: value("date_of_information")};
    if (!body.date_of_information) { problems.push({path: "date_of_information", message: "Enter the date of information."}); }
    if (value("evidence")) { body.evidence = value("evidence"); }
    if (type === "ts") { body.confirms_cha = r("confirms_cha").checked; }
    if (type !== "completion") {
      var activity = {method: value("activity.method"), status: value("activity.status")};
      ["asset", "team", "start_date", "end_date"].forEach(function (k) { if (value("activity." + k)) { activity[k] = value("activity." + k); } });
      var depth = whole(value("activity.clearance_depth_cm"));
      if (depth !== null) {
        if (isNaN(depth)) { problems.push({path: "activity.clearance_depth_cm", message: "The depth is a whole number of centimetres."}); }
        else { activity.clearance_depth_cm = depth; }
      }
      if (type !== "nts" || Object.keys(activity).length > 2) { body.activity = activity; }
      body.products = products.map(function (product, i) {
        var card = product.card;
        var p = {product_type: card.querySelector('[data-p="product_type"]').value};
        var criteria = card.querySelector('[data-p="criteria"]').value.trim();
        if (criteria) { p.criteria = criteria; }
        if (p.product_type === "cleared") {
          var d = whole(card.querySelector('[data-p="clearance_depth_cm"]').value);
          if (d === null || isNaN(d)) { problems.push({path: "products." + i + ".clearance_depth_cm", message: "Cleared land needs the clearance depth in whole centimetres."}); }
          else { p.clearance_depth_cm = d; }
        }
        var read = product.entry.read();
        if (!read.body) { problems.push({path: "products." + i, message: "Product " + (i + 1) + ": " + (read.incomplete || "enter its polygon.")}); }
        else { Object.keys(read.body).forEach(function (k) { p[k] = read.body[k]; }); }
        return p;
      });
    }
    body.eo_items = findRows().map(function (tr, i) {
      var f = {category: tr.querySelector('[data-f="category"]').value, condition: tr.querySelector('[data-f="condition"]').value};
      ["model", "position", "found_on"].forEach(function (k) {
        var v = tr.querySelector('[data-f="' + k + '"]').value.trim();
        if (v) { f[k] = v; }
      });
      var qty = whole(tr.querySelector('[data-f="quantity"]').value);
      if (qty === null || isNaN(qty) || qty < 1) { problems.push({path: "eo_items." + i + ".quantity", message: "The quantity is a whole number, 1 or more."}); }
      else { f.quantity = qty; }
      var depth = whole(tr.querySelector('[data-f="depth_cm"]').value);
      if (depth !== null && isNaN(depth)) { problems.push({path: "eo_items." + i + ".depth_cm", message: "The depth is a whole number of centimetres."}); }
      else if (depth !== null) { f.depth_cm = depth; }
      if (!f.position) { problems.push({path: "eo_items." + i + ".position", message: "Where was it found? Enter its position."}); }
      return f;
    });
    if (type === "completion") {
      var risk = value("residual_risk");
      if (value("handover.received_by")) {
        var handover = {received_by: value("handover.received_by"), participants: {}};
        ["men", "women", "boys", "girls"].forEach(function (g) {
          var n = whole(value("handover.participants." + g));
          if (n !== null && isNaN(n)) { problems.push({path: "handover.participants." + g, message: "A whole number."}); }
          else if (n !== null) { handover.participants[g] = n; }
        });
        var markers = whole(value("handover.permanent_markers"));
        if (markers !== null && isNaN(markers)) { problems.push({path: "handover.permanent_markers", message: "A whole number."}); }
        else if (markers !== null) { handover.permanent_markers = markers; }
        if (risk) { handover.residual_risk = risk; }
        body.handover = handover;
      } else if (risk) {
        body.residual_risk = risk;
      }
    }
    return {body: body, problems: problems};
  }

  function updateSave() {
    var pending = products.some(function (p) { return p.state.pending; });
    var blocked = products.some(function (p) { return !p.state.ok || p.state.blocking; });
    saveButton.disabled = pending || saving;
    if (blocked && products.length && reportType() !== "completion") {
      saveButton.setAttribute("aria-describedby", "report-status");
    }
  }

  var saving = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearErrors();
    var built = build();
    if (built.problems.length) {
      showErrors({details: {errors: built.problems.map(function (p) { return {field: p.path, message: p.message}; })}});
      say("Correct the marked fields, then save again.", "error");
      return;
    }
    var failing = reportType() === "completion" ? [] : products.filter(function (p) { return !p.state.ok || p.state.blocking; });
    if (failing.length) {
      say("Release product " + (products.indexOf(failing[0]) + 1) + " cannot be saved yet: correct its polygon.", "error");
      return;
    }
    saving = true;
    updateSave();
    say("Saving…", "busy");
    SG.api("POST", "/api/v1/hazards/" + hazardId + "/reports", built.body).then(function (res) {
      saving = false;
      updateSave();
      if (res.status === 201) {
        say("Saved. Opening the report…", "ok");
        window.location.assign("/reports/" + res.data.id);
        return;
      }
      if (res.status === 422) { showErrors(res.data); say("Correct the marked fields, then save again.", "error"); return; }
      say(SG.message(res), "error");
    });
  });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.tagName === "INPUT" && !e.target.closest("tr.leg")) { e.preventDefault(); }
  });

  r("report_type").addEventListener("change", typeChanged);
  r("activity.method").addEventListener("change", function () { methodChosen = true; });
  page.querySelector("[data-add-product]").addEventListener("click", function () { addProduct(); });
  page.querySelector("[data-add-find]").addEventListener("click", function () { addFind(); });
  typeChanged();
  updateSave();
})();
