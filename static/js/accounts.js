// accounts: idle lock, activity reports and copy buttons (no inline scripts: CSP).
(function () {
  "use strict";

  // Idle lock: after the workshop's idle time without a key, click or touch, lock the screen.
  // While the person works, report activity at most once a minute so the server's idle
  // clock (the last request) agrees with this one during long typing.
  function setUpIdleLock() {
    var form = document.getElementById("lock-form");
    if (!form) return;
    var limitMs = parseInt(form.dataset.lockAfter, 10) * 1000;
    if (!limitMs) return;
    var activityUrl = form.dataset.activityUrl;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var lastActivity = Date.now();
    var lastReport = Date.now();

    function report() {
      lastReport = Date.now();
      fetch(activityUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf },
        credentials: "same-origin",
        redirect: "manual"
      }).then(function (response) {
        // 423: the session was locked elsewhere (another tab); show the lock screen.
        if (response.status === 423) form.submit();
      }).catch(function () { /* offline: the next page load decides */ });
    }

    function onActivity() {
      lastActivity = Date.now();
      if (Date.now() - lastReport > 60000) report();
    }

    ["keydown", "mousedown", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, onActivity, { passive: true });
    });
    window.setInterval(function () {
      if (Date.now() - lastActivity >= limitMs) form.submit();
    }, 5000);
  }

  // Copy an invitation link to the clipboard; the field stays selectable as a fallback.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-link]");
    if (!button) return;
    var input = button.parentElement.querySelector("input");
    input.select();
    var done = function () {
      var text = button.textContent;
      button.textContent = button.dataset.copiedText;
      window.setTimeout(function () { button.textContent = text; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else {
      document.execCommand("copy");
      done();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpIdleLock);
  } else {
    setUpIdleLock();
  }
})();
