// A few lines of our own behaviour; htmx does the rest. No inline scripts (CSP).
(function () {
  "use strict";
  // Rows with data-href open on click, keeping links and buttons inside them working.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label")) return;
    window.location.href = row.dataset.href;
  });
})();
