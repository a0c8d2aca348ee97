/* Workflow buttons of the hazard and report pages: each calls the JSON API and reloads the page
   (or opens data-next). Markup:
     <button data-action data-method="POST" data-url="/api/v1/…">
     <form data-action data-method="POST" data-url="…" data-comment="required|optional"> with a
       <textarea name="comment">, for decisions that carry a comment
     data-if-match="<ETag>" sends If-Match (delete). Errors appear in [data-workflow-message]. */
(function () {
  "use strict";
  var SG = window.SG;

  function messageNode(from) {
    var box = from.closest("[data-workflow]") || document;
    return box.querySelector("[data-workflow-message]");
  }

  function say(from, text, kind) {
    var node = messageNode(from);
    if (!node) { return; }
    node.textContent = text;
    node.className = "workflow-message" + (kind ? " " + kind : "");
    node.hidden = !text;
  }

  function run(trigger, form) {
    var source = form || trigger;
    var method = source.getAttribute("data-method") || "POST";
    var url = source.getAttribute("data-url");
    var body = null;
    if (form && form.getAttribute("data-comment")) {
      var comment = form.querySelector('[name="comment"]');
      var text = comment ? comment.value.trim() : "";
      if (!text && form.getAttribute("data-comment") === "required") {
        comment.setAttribute("aria-invalid", "true");
        say(source, "Write a comment first: the team needs to know why.", "error");
        comment.focus();
        return;
      }
      if (text) { body = {comment: text}; }
    }
    var headers = {};
    if (source.getAttribute("data-if-match")) { headers["If-Match"] = source.getAttribute("data-if-match"); }
    var buttons = (form || trigger.closest("[data-workflow]") || document).querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    say(source, "Working…", "busy");
    SG.api(method, url, body, {headers: headers}).then(function (res) {
      if (res.ok) {
        var next = source.getAttribute("data-next");
        say(source, "Done.", "ok");
        if (next) { window.location.assign(next); } else { window.location.reload(); }
        return;
      }
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (res.status === 412) {
        say(source, "Someone changed this record since you opened the page. Reload the page to see their change, then try again.", "error");
        return;
      }
      say(source, SG.message(res), "error");
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-action]");
    if (button) { e.preventDefault(); run(button, null); }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-action]");
    if (form) { e.preventDefault(); run(form.querySelector('button[type="submit"]') || form, form); }
  });
})();
