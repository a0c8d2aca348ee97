/* SafeGround page helpers: JSON API calls with the session's CSRF token, DOM building with
   textContent only (never innerHTML with data), and figures in m² and hectares. */
(function () {
  "use strict";
  var SG = window.SG = window.SG || {};

  SG.csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  };

  /* Calls the JSON API. Resolves to {ok, status, data, headers}; network failures resolve with
     status 0 and a message, aborted requests reject (callers ignore them). */
  SG.api = function (method, url, body, options) {
    options = options || {};
    var headers = {"Accept": "application/json", "X-CSRFToken": SG.csrfToken()};
    var init = {method: method, credentials: "same-origin", headers: headers, signal: options.signal};
    if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    Object.keys(options.headers || {}).forEach(function (k) { headers[k] = options.headers[k]; });
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        if (text) {
          try { data = JSON.parse(text); } catch (e) { data = {message: "The server answered " + res.status + "."}; }
        }
        return {ok: res.ok, status: res.status, data: data, headers: res.headers};
      });
    }, function (err) {
      if (err && err.name === "AbortError") { throw err; }
      return {ok: false, status: 0, data: {message: "The server cannot be reached. Check the connection and try again."},
              headers: new Headers()};
    });
  };

  SG.message = function (res) {
    if (res.data && res.data.message) { return res.data.message; }
    return "The request failed (" + res.status + ").";
  };

  /* el("p", {class: "x", text: "…"}, [children]) */
  SG.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === "text") { node.textContent = String(value); }
      else if (key === "class") { node.className = value; }
      else { node.setAttribute(key, value === true ? "" : String(value)); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  };

  SG.clear = function (node) { while (node && node.firstChild) { node.removeChild(node.firstChild); } };

  function group(text) { return text.replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f"); }

  SG.fmt = {
    number: function (value, decimals) {
      if (value === null || value === undefined || isNaN(value)) { return "—"; }
      var fixed = Number(value).toFixed(decimals || 0).split(".");
      return group(fixed[0]) + (fixed[1] ? "." + fixed[1] : "");
    },
    m2: function (value) { return value === null || value === undefined ? "—" : SG.fmt.number(value, 0) + " m²"; },
    ha: function (value) {
      if (value === null || value === undefined) { return "—"; }
      var ha = value / 10000;
      return SG.fmt.number(ha, ha < 0.01 ? 4 : 2) + " ha";
    },
    metres: function (value, decimals) {
      return value === null || value === undefined ? "—" : SG.fmt.number(value, decimals === undefined ? 1 : decimals) + " m";
    },
    area: function (value) { return SG.fmt.m2(value) + " (" + SG.fmt.ha(value) + ")"; }
  };

  SG.labels = {
    start: "Start", turning: "Turning", intermediate: "Intermediate", end: "End", evidence: "Evidence",
    name: "Name", classification: "Classification", contamination_types: "Contamination",
    evidence_text: "Evidence", priority: "Priority", land_use_blocked: "Land use blocked", marking: "Marking",
    date_of_information: "Date of information", perimeter: "Perimeter", national_code: "National code"
  };

  /* Debounce: the function runs once typing pauses for `wait` ms. */
  SG.debounce = function (fn, wait) {
    var timer = null;
    var debounced = function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { timer = null; fn.apply(self, args); }, wait);
    };
    debounced.flush = function () { if (timer) { clearTimeout(timer); timer = null; fn(); } };
    return debounced;
  };
})();
