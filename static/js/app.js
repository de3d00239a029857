// A few lines of our own behaviour; htmx does the rest. No inline scripts (CSP).
(function () {
  "use strict";
  // Rows with data-href open on click, keeping links and buttons inside them working.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label")) return;
    window.location.href = row.dataset.href;
  });

  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  // Keyboard shortcuts (listed in the "?" help): Alt+0…7 for the top-bar buttons, in
  // text fields too (Alt+digit types nothing); "/" for the Work search from any page;
  // Ctrl+Enter saves the form being filled; "?" opens the help.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    var digit = /^Digit([0-9])$/.exec(event.code || "");
    if (event.altKey && !event.ctrlKey && !event.metaKey && digit) {
      var link = document.querySelector('.topbar [data-shortcut="' + digit[1] + '"]');
      if (link) {
        event.preventDefault();
        window.location.href = link.href;
      }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target && event.target.closest && event.target.closest("form");
      if (!form || form.method === "dialog") return;
      var button = form.querySelector('button[type="submit"]:not([formaction]):not([disabled])');
      event.preventDefault();
      form.requestSubmit(button || undefined);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      if (document.getElementById("work-q")) return; // orders.js focuses it
      var work = document.querySelector(".topbar [data-work-link]");
      if (work) {
        event.preventDefault();
        window.location.href = work.href + "#search";
      }
    } else if (event.key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help && !help.open) {
        event.preventDefault();
        help.showModal();
      }
    }
  });

  // On a phone, a table wider than its box is shown as stacked rows (app.css); each
  // cell carries its column's heading as a label for that layout. (The order lines'
  // cells carry theirs from the server: templates/orders/card.html, _new_line.html.)
  var PHONE = window.matchMedia("(max-width: 640px)");
  function labelCells(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var column = 0;
      Array.prototype.forEach.call(tr.children, function (td) {
        if (heads[column] && !td.hasAttribute("data-label")) td.setAttribute("data-label", heads[column]);
        column += td.colSpan || 1;
      });
    });
  }
  function fitTables() {
    document.querySelectorAll("table.table").forEach(function (table) {
      labelCells(table);
      if (table.hasAttribute("data-stack-always")) return;
      table.classList.remove("table--stack");
      if (PHONE.matches && table.offsetWidth > table.parentElement.clientWidth + 1) {
        table.classList.add("table--stack");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", fitTables);
  document.addEventListener("htmx:afterSettle", fitTables);
  window.addEventListener("resize", fitTables);

  // Arriving from "/" on another page: the search takes the focus.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash !== "#search") return;
    var search = document.getElementById("work-q");
    if (search) search.focus();
  });

  // Back on the card after a status move (#order-title): the title with the new status
  // takes the focus, so the keyboard carries on from there rather than from the page top.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash !== "#order-title") return;
    var title = document.getElementById("order-title");
    if (title) title.focus();
  });

  // The Work tabs on a phone scroll sideways: the current one is brought into view.
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector(".work-tabs .tab--current");
    if (current && PHONE.matches) current.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // The user menu closes on Escape and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.querySelector("details.usermenu[open]");
    if (!menu) return;
    menu.open = false;
    var summary = menu.querySelector("summary");
    if (summary) summary.focus();
  });
})();
