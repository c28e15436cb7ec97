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
})();
