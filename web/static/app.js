// Progressive enhancement only: every core action works without JavaScript.
(function () {
  "use strict";
  // Ask before submitting forms that are marked as irreversible.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });
  var fields = "input:not([type=hidden]), select, textarea";
  // fieldBefore finds the field an error message follows: the nearest
  // earlier sibling that is a field or holds one (the last of them), else
  // the first field of the message's box.
  function fieldBefore(e) {
    for (var n = e.previousElementSibling; n; n = n.previousElementSibling) {
      if (n.matches(fields)) {
        return n;
      }
      var inner = n.querySelectorAll(fields);
      if (inner.length) {
        return inner[inner.length - 1];
      }
    }
    return e.parentElement && e.parentElement.querySelector(fields);
  }
  // A form sent back with errors: mark each field in error and bring the
  // first into view (without JavaScript the CSS still outlines them).
  document.addEventListener("DOMContentLoaded", function () {
    var errors = document.querySelectorAll(".field-error");
    var first = null;
    errors.forEach(function (e) {
      var field = fieldBefore(e);
      if (field) {
        field.setAttribute("aria-invalid", "true");
        if (e.id === "") {
          e.id = "err-" + (field.id || field.name || Math.random().toString(36).slice(2));
        }
        field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + e.id).trim());
        first = first || field;
      }
    });
    if (first) {
      var open = first.closest("details");
      if (open) {
        open.open = true;
      }
      first.scrollIntoView({block: "center"});
      first.focus({preventScroll: true});
    }
  });
  // Print buttons on printable documents.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
