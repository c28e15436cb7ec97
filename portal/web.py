"""Request plumbing shared by every area: login, forced password change, errors, filters."""

from datetime import date, datetime

from flask import Flask, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db, login_manager
from portal.navigation import visible_items
from portal.statuses import STATUS_ENUMS
from portal.timeutil import to_moscow, utcnow

ERROR_TITLES = {
    400: "Неверный запрос",
    403: "Доступ запрещён",
    404: "Страница не найдена",
    405: "Действие недоступно",
    409: "Конфликт изменений",
    413: "Файл слишком большой",
    500: "Внутренняя ошибка",
}
ERROR_TEXTS = {
    400: "Запрос не удалось обработать. Вернитесь назад и попробуйте ещё раз.",
    403: "У вас нет прав на эту страницу или эти данные. "
    "Если это ошибка, обратитесь к куратору программы.",
    404: "Такой страницы нет. Возможно, запись была удалена или ссылка устарела.",
    405: "Это действие нельзя выполнить таким способом.",
    413: "Загружаемый файл больше допустимых 10 МБ.",
    500: "Что-то пошло не так. Ваши данные не изменены; попробуйте ещё раз "
    "или сообщите администратору.",
}
# While a temporary password is in force the user may only change it or leave.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {"accounts.change_password", "accounts.logout", "static"}


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Войдите, чтобы открыть эту страницу."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        from portal.accounts.models import User

        return db.session.get(User, int(user_id))

    @app.before_request
    def require_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE
        ):
            return redirect(url_for("accounts.change_password"))

    @app.after_request
    def vary_on_htmx(response):
        # The same URL answers with a page or a fragment; caches must keep them apart.
        response.vary.add("HX-Request")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.context_processor
    def inject_navigation():
        from portal.settings.models import get_settings

        return {"nav_items": visible_items(), "org_settings": get_settings}

    app.jinja_env.globals["now_utc"] = utcnow
    # The status enums, so templates compare members (``PairStatus.DRAFT``), never words.
    app.jinja_env.globals.update({e.__name__: e for e in STATUS_ENUMS})
    app.jinja_env.filters["ru_date"] = format_date
    app.jinja_env.filters["ru_datetime"] = format_datetime
    app.jinja_env.filters["plural"] = plural

    for code in ERROR_TITLES:
        if code != 409:
            app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_csrf_error)


def render_error(error: HTTPException | Exception):
    code = error.code if isinstance(error, HTTPException) else 500
    if code == 500:
        db.session.rollback()
    template = "errors/_message.html" if request.headers.get("HX-Request") else "errors/page.html"
    if request.headers.get("HX-Boosted"):
        template = "errors/page.html"
    return render_template(
        template, code=code, title=ERROR_TITLES.get(code, "Ошибка"), text=ERROR_TEXTS.get(code)
    ), code


def render_csrf_error(error: CSRFError):
    text = (
        "Форма устарела или была отправлена не со страницы портала. "
        "Обновите страницу и повторите действие — введённые данные не сохранены."
    )
    template = "errors/_message.html" if request.headers.get("HX-Request") else "errors/page.html"
    return render_template(template, code=400, title="Форма устарела", text=text), 400


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_moscow(value)
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return to_moscow(value).strftime("%d.%m.%Y %H:%M")


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 наставник, 2 наставника, 5 наставников."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
