// The print screen: mark the editor as changed (full screen prints the saved version)
// and ask before the history's buttons. Previews and saving are htmx.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    if (event.target.id !== "own-source") return;
    var pane = event.target.closest("#own-pane");
    if (pane) pane.classList.add("is-dirty");
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-doc-confirm]");
    if (form && !window.confirm(form.getAttribute("data-doc-confirm"))) event.preventDefault();
  });
})();
