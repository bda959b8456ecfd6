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
  // Print buttons on printable documents.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
