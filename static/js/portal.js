/* Портал наставничества: the little script htmx needs for errors and a lost connection. */
(function () {
  "use strict";
  var banner = function () { return document.getElementById("connection-status"); };

  function show(text) {
    var el = banner();
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
  }

  function hide() {
    var el = banner();
    if (el) el.hidden = true;
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    // A boosted navigation that lands on an error page shows that page, as a plain link would.
    if (xhr.status >= 400 && evt.detail.boosted) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    var text = status === 403 ? "Доступ запрещён (403)."
      : status === 404 ? "Запись не найдена (404): возможно, её удалили."
      : status === 400 ? "Форма устарела. Обновите страницу — введённое не сохранено."
      : "Ошибка сервера (" + status + "). Изменение не сохранено, попробуйте ещё раз.";
    show(text);
  });

  document.addEventListener("htmx:sendError", function () {
    show("Нет связи с сервером. Введённое осталось на странице; повторите, когда связь появится.");
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.successful) hide();
  });

  // Behaviour that used to sit in inline handlers, which the Content-Security-Policy forbids.
  // <form data-confirm="…">: ask before sending.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // <select data-autosubmit>: a filter that applies itself when chosen (the form still has a
  // button for browsers without script).
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) return;
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });

  document.addEventListener("click", function (evt) {
    var el = evt.target.closest ? evt.target.closest("[data-print], [data-current-row]") : null;
    if (!el) return;
    // <button data-print>: print the page (slips with a temporary password or a code).
    if (el.hasAttribute("data-print")) window.print();
    // <a data-current-row="selector">: mark the clicked row of a list as the current one.
    if (el.hasAttribute("data-current-row")) {
      var selector = el.getAttribute("data-current-row");
      document.querySelectorAll(selector + ".is-current").forEach(function (row) {
        row.classList.remove("is-current");
      });
      el.parentElement.classList.add("is-current");
    }
  });

  // <input type="checkbox" data-check-all="selector">: tick or clear every matching box.
  document.addEventListener("change", function (evt) {
    var selector = evt.target.getAttribute && evt.target.getAttribute("data-check-all");
    if (!selector) return;
    document.querySelectorAll(selector).forEach(function (box) {
      box.checked = evt.target.checked;
    });
  });
})();
