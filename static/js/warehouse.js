// warehouse: the barcode scanner (a keyboard that types the code and Enter) in product
// fields, rows added to documents, the count by scanning, auto-submitting pickers.
// No inline scripts (CSP): everything hangs on data-wh-* attributes.
(function () {
  "use strict";

  var LOOKUP = "/warehouse/lookup/";
  // What a scanner types: letters, digits and a few separators, with at least one digit.
  var CODE = /^[0-9A-Za-z._\-\/]{3,64}$/;

  function looksLikeCode(text) {
    return CODE.test(text) && /\d/.test(text);
  }

  function lookup(code, form) {
    var url = LOOKUP + "?code=" + encodeURIComponent(code);
    var branch = form && form.querySelector('[name="branch"]');
    if (branch && branch.value) url += "&branch=" + encodeURIComponent(branch.value);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); });
  }

  // A sibling field of the same row: "rows-3-product" + "quantity" -> "rows-3-quantity".
  function sibling(input, fieldName) {
    var name = input.name || "";
    var cut = name.lastIndexOf("-");
    var wanted = (cut >= 0 ? name.slice(0, cut + 1) : "") + fieldName;
    return (input.form || document).querySelector('[name="' + wanted + '"]');
  }

  function fire(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // ------------------------------------------------------------ document rows

  function addRow(form) {
    var body = form.querySelector("[data-wh-rows]");
    var template = form.querySelector("template[data-wh-empty-row]");
    var total = form.querySelector('[name$="-TOTAL_FORMS"]');
    if (!body || !template || !total) return null;
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    return body.lastElementChild;
  }

  function nextProductField(input) {
    var form = input.form;
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[data-wh-product]"));
    var at = fields.indexOf(input);
    for (var i = at + 1; i < fields.length; i++) {
      if (!fields[i].value) return fields[i];
    }
    var row = addRow(form);
    return row ? row.querySelector("input[data-wh-product]") : null;
  }

  function scanIntoRow(input) {
    var code = input.value.trim();
    var row = input.closest("[data-wh-row]");
    var hint = row && row.querySelector("[data-wh-hint]");
    if (!code) return;
    lookup(code, input.form).then(function (data) {
      if (!data.found) {
        if (hint) hint.textContent = data.message || "";
        input.setAttribute("aria-invalid", "true");
        input.select();
        return;
      }
      input.removeAttribute("aria-invalid");
      input.value = data.name;
      if (hint) hint.textContent = data.hint;
      if (data.serial_tracked) {
        var serials = sibling(input, "serials");
        if (serials) { serials.focus(); return; }
      }
      if (!row) {
        // A single product field (a PC build's part): on to its quantity.
        var qty = sibling(input, "quantity");
        if (qty) { qty.focus(); if (qty.select) qty.select(); }
        return;
      }
      var next = nextProductField(input);
      if (next) next.focus();
    }).catch(function () {
      if (hint) hint.textContent = "";
    });
  }

  // ------------------------------------------------------------ orders' goods lines

  function isGoodsLine(input) {
    if (input.dataset.suggest === "goods") return true;
    var kind = sibling(input, "kind");
    return !!kind && kind.value === "goods";
  }

  function scanIntoOrderLine(input) {
    var code = input.value.trim();
    lookup(code, input.form).then(function (data) {
      if (!data.found) return;
      input.value = data.name;
      fire(input);
      var price = input.dataset.suggestPrice && sibling(input, input.dataset.suggestPrice);
      if (price && !price.disabled) {
        price.value = price.type === "number" ? data.price : data.price_local;
        fire(price);
      }
      var qty = sibling(input, "quantity");
      if (qty) { qty.focus(); if (qty.select) qty.select(); }
    }).catch(function () {});
  }

  // ------------------------------------------------------------ counting by scanning

  function countScan(input) {
    var code = input.value.trim();
    input.value = "";
    if (!code) return;
    var rows = input.form.querySelectorAll("tr[data-wh-barcode]");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.dataset.whBarcode === code || (row.dataset.whSku && row.dataset.whSku.toLowerCase() === code.toLowerCase())) {
        var field = row.querySelector("input");
        var now = parseFloat((field.value || "0").replace(",", ".")) || 0;
        field.value = String(now + 1);
        row.classList.add("wh-row--scanned");
        row.scrollIntoView({ block: "nearest" });
        return;
      }
    }
    input.setAttribute("aria-invalid", "true");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.defaultPrevented) return;
    var input = event.target;
    if (!input.matches) return;
    if (input.matches("input[data-wh-product]")) {
      event.preventDefault(); // a scanner's Enter must not post the half-filled document
      scanIntoRow(input);
    } else if (input.matches("input[data-wh-count-scan]")) {
      event.preventDefault();
      input.removeAttribute("aria-invalid");
      countScan(input);
    } else if (input.matches("input[data-suggest]") && isGoodsLine(input) && looksLikeCode(input.value.trim())) {
      event.preventDefault();
      scanIntoOrderLine(input);
    }
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-wh-add-row]");
    if (add) {
      var row = addRow(add.form || add.closest("form"));
      if (row) row.querySelector("input[data-wh-product]").focus();
      return;
    }
    if (event.target.closest && event.target.closest("[data-wh-print]")) window.print();
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-wh-autosubmit]") && el.form) el.form.submit();
  });
})();
