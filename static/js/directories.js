// directories: the suggestion list under inputs rendered by SuggestInput (no inline scripts: CSP).
// htmx fetches the options (hx-get on the input); this file sends the right parameters,
// shows the list, and handles the keyboard and the mouse.
(function () {
  "use strict";

  var SELECTOR = "input[data-suggest]";

  function listOf(input) {
    var id = input.getAttribute("aria-controls");
    return id ? document.getElementById(id) : null;
  }

  // A sibling field of the same form row: "lines-3-name" + "price" -> "lines-3-price".
  function sibling(input, fieldName) {
    if (!fieldName) return null;
    var name = input.name || "";
    var cut = name.lastIndexOf("-");
    var wanted = (cut >= 0 ? name.slice(0, cut + 1) : "") + fieldName;
    var scope = input.form || document;
    return scope.querySelector('[name="' + wanted.replace(/(["\\])/g, "\\$1") + '"]');
  }

  function options(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }

  function close(input) {
    var list = listOf(input);
    if (list) {
      list.hidden = true;
      options(list).forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function open(input) {
    var list = listOf(input);
    if (!list || options(list).length === 0) {
      close(input);
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function activate(input, option) {
    var list = listOf(input);
    options(list).forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function setValue(field, value) {
    field.value = value;
    // Let other scripts (order totals) see the change; "input" would ask for suggestions again.
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function choose(input, option) {
    setValue(input, option.dataset.value);
    var priceField = sibling(input, input.dataset.suggestPrice);
    if (priceField && option.dataset.price !== undefined) {
      // A number input takes "1500.00"; a localised text input shows "1500,00".
      var price = priceField.type === "number" ? option.dataset.price : option.dataset.priceLocal;
      setValue(priceField, price);
      priceField.dispatchEvent(new Event("input", { bubbles: true }));
    }
    close(input);
    input.dispatchEvent(new CustomEvent("directories:chosen", {
      bubbles: true, detail: { value: option.dataset.value, price: option.dataset.price },
    }));
  }

  // Ask with our own parameter names: the input's own name varies by form and formset row.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.matches || !input.matches(SELECTOR)) return;
    var params = event.detail.parameters;
    if (input.name) delete params[input.name];
    params.q = input.value;
    var narrow = sibling(input, input.dataset.suggestNarrow);
    if (narrow) params.parent = narrow.value;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || !list.classList || !list.classList.contains("suggest__list")) return;
    var input = list.parentElement.querySelector(SELECTOR);
    if (!input) return;
    options(list).forEach(function (o, i) { o.id = list.id + "-" + i; });
    // An answer arriving after the user has left the field stays closed.
    if (document.activeElement === input) open(input); else close(input);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(SELECTOR)) return;
    var list = listOf(input);
    var all = options(list);
    var expanded = list && !list.hidden && all.length > 0;
    var current = list ? list.querySelector('[aria-selected="true"]') : null;
    var index = all.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      if (!expanded) {
        open(input);
        activate(input, all[event.key === "ArrowDown" ? 0 : all.length - 1]);
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      activate(input, all[(index + step + all.length) % all.length]);
    } else if (event.key === "Enter") {
      if (expanded && current) {
        event.preventDefault(); // choosing must not submit the form
        choose(input, current);
      }
    } else if (event.key === "Escape") {
      if (expanded) {
        event.preventDefault();
        close(input);
      }
    } else if (event.key === "Tab") {
      close(input);
    }
  });

  // mousedown, not click: choosing must happen before the input's blur closes the list.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".suggest__list [role=option]");
    if (!option) return;
    event.preventDefault();
    var input = option.closest(".suggest").querySelector(SELECTOR);
    if (input) choose(input, option);
  });

  // A plain (non-htmx) form that asks first; hx-confirm works only on htmx requests.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-dir-confirm]")) return;
    if (!window.confirm(form.getAttribute("data-dir-confirm"))) event.preventDefault();
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.matches && input.matches(SELECTOR)) close(input);
  });
})();
