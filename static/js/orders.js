// orders: behaviour of this app's screens (no inline scripts: CSP).
(function () {
  "use strict";
  var DEVICE_FIELDS = ["device_type", "brand", "model", "serial", "condition", "accessories"];

  document.addEventListener("click", function (event) {
    // "Use this device" in the phone lookup fills the device block of + Repair.
    var use = event.target.closest("[data-use-device]");
    if (use) {
      DEVICE_FIELDS.forEach(function (name) {
        var input = document.getElementById("id_" + name);
        if (input) input.value = use.getAttribute("data-" + name) || "";
      });
      var id = document.getElementById("id_device_id");
      if (id) id.value = use.getAttribute("data-use-device");
      var note = document.getElementById("device-chosen");
      if (note) note.classList.remove("hidden");
      var first = document.getElementById("id_problem");
      if (first) first.focus();
      return;
    }
    if (event.target.closest("[data-new-device]")) {
      var deviceId = document.getElementById("id_device_id");
      if (deviceId) deviceId.value = "";
      DEVICE_FIELDS.forEach(function (name) {
        var input = document.getElementById("id_" + name);
        if (input) input.value = "";
      });
      document.getElementById("device-chosen").classList.add("hidden");
      return;
    }
    // "+ Add a row" on the sale and PC build forms: clone the formset's empty form.
    if (event.target.closest("[data-add-line]")) {
      var total = document.getElementById("id_lines-TOTAL_FORMS");
      var template = document.getElementById("new-line-template");
      var rows = document.getElementById("new-lines");
      if (!total || !template || !rows) return;
      var index = parseInt(total.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      if (window.htmx) window.htmx.process(row);
      var name = row.querySelector("[name$='-name']");
      if (name) name.focus();
    }
  });

  // Enter in the phone field of a "+" form looks the client up (as leaving it does) and
  // moves focus on once the client block is back; it never submits the whole form.
  var focusAfterLookup = false;
  document.addEventListener("keydown", function (event) {
    var phone = event.target.closest ? event.target.closest("#order-new input[name=phone]") : null;
    if (!phone || event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    focusAfterLookup = true;
    if (window.htmx) window.htmx.trigger(phone, "change");
  });

  // Where the person goes after the lookup: a returning client's device to reuse, else
  // the first empty field after the client's own; a new client's name.
  function focusAfterClient(block) {
    var target = null;
    if (block.querySelector(".found")) {
      target = block.querySelector("[data-use-device]");
      if (!target) {
        var form = block.closest("form");
        var fields = form ? form.querySelectorAll("input:not([type=hidden]), select, textarea") : [];
        for (var i = 0; i < fields.length && !target; i++) {
          var f = fields[i];
          if (!block.contains(f) && !f.closest("#branch-block") && !f.disabled && !f.value) target = f;
        }
      }
    } else {
      target = block.querySelector("input[name=name]");
    }
    if (target) target.focus();
  }

  // The lookup answers with the client box as it was when the phone was left; what the
  // person typed into a new client's details meanwhile must not be wiped by the swap.
  var typedBeforeSwap = {};
  var CLIENT_TEXT = ["name", "email", "extra_phones"];
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "client-block") return;
    typedBeforeSwap = {};
    // A returning client's details came from the server: the next lookup decides them.
    if (event.detail.target.querySelector(".found")) return;
    CLIENT_TEXT.forEach(function (name) {
      var input = event.detail.target.querySelector("input[name=" + name + "]");
      if (input && input.value) typedBeforeSwap[name] = input.value;
    });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "client-block") return;
    var block = document.getElementById("client-block");
    if (!block) return;
    if (!block.querySelector(".found")) {
      CLIENT_TEXT.forEach(function (name) {
        var input = block.querySelector("input[name=" + name + "]");
        if (input && !input.value && typedBeforeSwap[name]) input.value = typedBeforeSwap[name];
      });
    }
    var active = document.activeElement;
    // After Enter; and after Tab out of the phone for a returning client, whose details
    // just filled in (the person is still in the client box, or focus was lost in the
    // swap), so they go straight on. Someone who went elsewhere is left there.
    var stillHere = !active || active === document.body || block.contains(active);
    if (focusAfterLookup || (stillHere && block.querySelector(".found"))) {
      focusAfterLookup = false;
      focusAfterClient(block);
    }
  });

  // A page with errors puts focus on the first field with one; a fresh "+" form on its
  // first field, the phone.
  function focusFirstError(root) {
    var field = root.querySelector(
      ".field--error input:not([type=hidden]), .field--error select, .field--error textarea, " +
      ".line-row--error input:not([type=hidden]), .line-row--error select"
    );
    if (field) field.focus();
    return field;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("order-new");
    if (!form) return;
    if (!focusFirstError(form)) {
      // Opened for a known client (from the client card): straight to their devices.
      var block = document.getElementById("client-block");
      var phone = form.querySelector("input[name=phone]");
      if (block && block.querySelector(".found")) focusAfterClient(block);
      else if (phone) phone.focus();
    }
  });

  // "/" outside a text field goes to the Work page's search, as in most list screens.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var search = document.getElementById("work-q");
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  // A deleted or changed device choice must not stick after the client changes.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "client-block") {
      var deviceId = document.getElementById("id_device_id");
      var note = document.getElementById("device-chosen");
      if (deviceId && note && !document.querySelector("[data-use-device='" + deviceId.value + "']")) {
        deviceId.value = "";
        note.classList.add("hidden");
      }
    }
  });

  // After an in-place save refused a field, bring the first message into view (on a
  // phone the Save button is far below the fields, under a tall top bar).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) return;
    var form = document.getElementById(target.id) || target;
    var error = form.querySelector(".field--error, .form-error, .conflict");
    if (error && error.scrollIntoView) error.scrollIntoView({ block: "center" });
    if (event.detail.target.id !== "client-block") focusFirstError(form);
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  // "Save the order" sends once: a double click would post the page twice. (The server
  // also refuses a second order from the same page's one-time key.)
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-submit-once]");
    if (!form || event.defaultPrevented) return;
    if (form.getAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "1");
    // Disable after the browser has collected the form, so the button's own value is sent.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Back/forward cache: a page restored after submitting must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
})();
