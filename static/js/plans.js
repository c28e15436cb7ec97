/* Портал наставничества: a plan edited together. Keeps what the user types while others' changes arrive. */
(function () {
  "use strict";
  if (window.portalPlans) return;
  window.portalPlans = true;

  function fieldOf(el) { return el && el.closest ? el.closest("[data-field]") : null; }

  function isDirty(wrapper) {
    var inputs = wrapper.querySelectorAll("input[name=value], textarea[name=value], select[name=value]");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "hidden") continue;
      if (el.type === "checkbox") { if (el.checked !== el.defaultChecked) return true; continue; }
      if (el.tagName === "SELECT") {
        for (var j = 0; j < el.options.length; j++) {
          if (el.options[j].selected !== el.options[j].defaultSelected) return true;
        }
        continue;
      }
      if (el.value !== el.defaultValue) return true;
    }
    return false;
  }

  function note(wrapper, text, retry) {
    var box = wrapper.querySelector(".pf-note");
    if (!box) return;
    box.textContent = text;
    if (retry) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small";
      button.textContent = "Повторить";
      button.addEventListener("click", function () { resend(wrapper); });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(button);
    }
  }

  // Another participant's change of a field: never swapped over a field being typed in,
  // one that failed to save or one showing a conflict; the user is told instead.
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (target.id === "plan-items") {  // new activities: skip those already on the page
      Array.prototype.slice.call(evt.detail.fragment.children).forEach(function (el) {
        if (el.id && document.getElementById(el.id)) el.remove();
      });
      var empty = document.getElementById("plan-empty");
      if (empty) empty.remove();
      return;
    }
    if (!target.hasAttribute("data-field")) return;
    var incoming = evt.detail.fragment.querySelector("[data-field]");
    if (!incoming) return;
    if (incoming.getAttribute("data-value") === target.getAttribute("data-value")) {
      evt.detail.shouldSwap = false;  // nothing new, e.g. the echo of one's own save
      return;
    }
    var busy = target.contains(document.activeElement) || isDirty(target) ||
      target.hasAttribute("data-unsaved") || target.hasAttribute("data-conflict") ||
      target.hasAttribute("data-error");
    if (busy) {
      evt.detail.shouldSwap = false;
      target._pending = incoming.cloneNode(true);
      target.classList.add("pf-stale");
      note(target, "Изменено другим участником. Сохраните своё — покажем оба варианта.");
    }
  });

  // Leaving a field with an update held back and nothing typed: show the update now.
  document.addEventListener("focusout", function (evt) {
    var wrapper = fieldOf(evt.target);
    if (!wrapper || !wrapper._pending) return;
    setTimeout(function () {
      if (!wrapper.isConnected || wrapper.contains(document.activeElement) || isDirty(wrapper) ||
          wrapper.hasAttribute("data-unsaved") || wrapper.querySelector(".htmx-request")) return;
      var fresh = wrapper._pending;
      wrapper._pending = null;
      wrapper.replaceWith(fresh);
      htmx.process(fresh);
    }, 50);
  });

  // A save that did not reach the server: keep the value, mark it and retry.
  function resend(wrapper) {
    var form = wrapper.querySelector("form");
    if (form && wrapper.isConnected) htmx.trigger(form, "submit");
  }

  function unsaved(evt) {
    var wrapper = fieldOf(evt.detail.elt);
    if (!wrapper || evt.detail.requestConfig && evt.detail.requestConfig.verb === "get") return;
    wrapper.setAttribute("data-unsaved", "");
    wrapper.classList.add("pf-unsaved");
    note(wrapper, "Не сохранено: нет связи с сервером. Значение осталось в поле, повторим через 5 секунд.", true);
    clearTimeout(wrapper._retry);
    wrapper._retry = setTimeout(function () { resend(wrapper); }, 5000);
  }
  document.addEventListener("htmx:sendError", unsaved);
  document.addEventListener("htmx:responseError", function (evt) {
    if (evt.detail.xhr.status >= 500) unsaved(evt);
  });

  // Presence: which activity this user is in, sent with the next heartbeat.
  var presenceTimer = null;
  function reportFocus() {
    clearTimeout(presenceTimer);
    presenceTimer = setTimeout(function () {
      var input = document.getElementById("presence-item");
      if (!input) return;
      var li = document.activeElement && document.activeElement.closest ?
        document.activeElement.closest("[data-item-id]") : null;
      var id = li ? li.getAttribute("data-item-id") : "";
      if (input.value !== id) {
        input.value = id;
        htmx.trigger(document.body, "plans:presence");
      }
    }, 300);
  }
  document.addEventListener("focusin", reportFocus);
  document.addEventListener("focusout", reportFocus);

  // Another participant reordered activities: move the rows, keeping focus and caret.
  function applyOrder() {
    var order = document.getElementById("plan-order");
    var list = document.getElementById("plan-items");
    if (!order || !list) return;
    var ids = order.getAttribute("data-order").split(",").filter(Boolean);
    var current = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-item-id]"),
      function (li) { return li.getAttribute("data-item-id"); });
    if (current.join(",") === ids.join(",")) return;
    var active = document.activeElement;
    var start = active && active.selectionStart, end = active && active.selectionEnd;
    ids.forEach(function (id) {
      var li = document.getElementById("item-" + id);
      if (li) list.appendChild(li);
    });
    Array.prototype.slice.call(list.querySelectorAll(":scope > li.deleted")).forEach(function (li) {
      list.appendChild(li);
    });
    if (active && active !== document.activeElement && active.isConnected) {
      active.focus();
      try { active.setSelectionRange(start, end); } catch (e) { /* not a text field */ }
    }
  }
  document.addEventListener("htmx:afterSettle", applyOrder);

  // Closing the tab with text not yet saved: the browser asks first (its own words).
  window.addEventListener("beforeunload", function (evt) {
    var fields = document.querySelectorAll("[data-field]");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (isDirty(f) || f.hasAttribute("data-unsaved") || f.querySelector(".htmx-request")) {
        evt.preventDefault();
        evt.returnValue = "";
        return "";
      }
    }
  });
})();
