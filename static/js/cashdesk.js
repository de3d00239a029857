// cashdesk: behaviour of this app's screens (no inline scripts: CSP). Amounts are added up
// here only to show the person the sum; the server decides, in exact decimals.
(function () {
  "use strict";
  var METHODS = ["cash", "card", "transfer"];

  // "3 000,50" -> 300050 kopecks; null when it is not an amount. Integers only: no floats.
  function kopecks(text) {
    var value = String(text || "").replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (value === "") return 0;
    var match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(value);
    if (!match) return null;
    return parseInt(match[1], 10) * 100 + parseInt((match[2] || "").padEnd(2, "0") || "0", 10);
  }

  function show(k, comma) {
    var text = Math.floor(k / 100) + "." + String(k % 100).padStart(2, "0");
    return comma ? text.replace(".", ",") : text;
  }

  function field(form, name) {
    return form.querySelector("[name='" + name + "']");
  }

  // Typing in card or transfer moves the rest of the amount to cash, until cash is typed in.
  function rebalance(form, changed) {
    var total = field(form, "total");
    var cash = field(form, "cash");
    if (!total || !cash || changed === "cash" || cash.dataset.touched) return;
    var sum = kopecks(total.value);
    var others = 0;
    for (var i = 1; i < METHODS.length; i++) {
      var k = kopecks((field(form, METHODS[i]) || {}).value);
      if (k === null || sum === null) return;
      others += k;
    }
    var comma = /,/.test(total.value) || document.documentElement.lang === "ru";
    cash.value = sum - others > 0 ? show(sum - others, comma) : "";
  }

  function showSum(form) {
    var note = form.querySelector("[data-split-sum]");
    var total = field(form, "total");
    if (!note || !total) return;
    var sum = 0;
    for (var i = 0; i < METHODS.length; i++) {
      var k = kopecks((field(form, METHODS[i]) || {}).value);
      if (k === null) { note.classList.add("hidden"); return; }
      sum += k;
    }
    var want = kopecks(total.value);
    if (want === null || sum === want) { note.classList.add("hidden"); return; }
    var comma = document.documentElement.lang === "ru";
    note.textContent = note.dataset.text
      .replace("{sum}", show(sum, comma))
      .replace("{total}", show(want, comma));
    note.classList.remove("hidden");
    note.classList.add("split-sum--off");
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-split]");
    if (!form) return;
    var name = event.target.name;
    if (name === "cash") event.target.dataset.touched = "1";
    if (name === "total" || name === "card" || name === "transfer") rebalance(form, name);
    showSum(form);
  });

  // A form that records money is sent once; the server's one-time key is the real guard.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-once]");
    if (!form || form.hasAttribute("hx-post")) return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // The card's money form loads into its panel: bring it into view, first field focused.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "cash-form-slot") return;
    var form = target.querySelector("form");
    if (!form) return;
    if (form.scrollIntoView) form.scrollIntoView({ block: "center" });
    var first = form.querySelector("input:not([type=hidden]):not([type=checkbox])");
    if (first) first.focus();
  });
})();
