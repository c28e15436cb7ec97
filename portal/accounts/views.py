"""Login, logout, own password, and the management of accounts by staff."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal import audit
from portal.access import ALL_ROLES, MANAGERS, Role, roles_required
from portal.accounts import service
from portal.accounts.forms import ChangePasswordForm, LoginForm, UserForm
from portal.accounts.models import User
from portal.accounts.security import (
    find_user,
    generate_one_time_password,
    verify_password,
)
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm
from portal.text import fold
from portal.timeutil import to_moscow, utcnow

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a relative path back into the portal after login."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and "//" not in target:
        return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.login.data)
        check = verify_password(user, form.password.data) if user and user.active else None
        if check and check.ok:
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        if check and check.locked_until:
            until = to_moscow(check.locked_until).strftime("%H:%M")
            form.form_errors.append(
                "Слишком много неудачных попыток входа. Учётная запись заблокирована "
                f"до {until}. Попробуйте позже или обратитесь к администратору."
            )
        else:
            form.form_errors.append("Неверный логин или пароль.")
        return render_template("accounts/login.html", form=form), 422
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@roles_required(*ALL_ROLES)
def logout():
    logout_user()
    flash("Вы вышли из портала.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def change_password():
    form = ChangePasswordForm(login=current_user.login)
    if form.validate_on_submit():
        check = verify_password(current_user, form.current.data)
        if check.ok:
            current_user.set_password(form.new.data)
            current_user.must_change_password = False
            audit.record("password_changed", "user", current_user.id)
            db.session.commit()
            flash("Пароль изменён.", "success")
            return redirect(url_for("main.dashboard"))
        if check.locked_until:
            logout_user()
            flash(
                "Слишком много неверных паролей: учётная запись заблокирована на 15 минут.", "error"
            )
            return redirect(url_for("accounts.login"))
        form.current.errors.append("Текущий пароль введён неверно.")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status


def _grantable_roles() -> list[Role]:
    return service.grantable_roles(current_user)


def _manageable_user(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not service.may_manage(current_user, user):
        abort(403)
    return user


@bp.get("/users")
@roles_required(*MANAGERS)
def users():
    q = request.args.get("q", "").strip()
    query = select(User).order_by(User.full_name)
    if q:
        query = query.where(User.search_key.contains(fold(q), autoescape=True))
    page = db.paginate(query, per_page=25, error_out=False)
    template = "accounts/_user_rows.html" if request.htmx else "accounts/users.html"
    return render_template(template, page=page, q=q, form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def user_new():
    form = UserForm(grantable=_grantable_roles())
    if form.validate_on_submit():
        try:
            user, password = service.create_user(
                form.login.data, form.full_name.data, form.roles.data, actor=current_user
            )
        except RuleViolation as exc:
            form.login.errors.append(exc.message)
        else:
            db.session.commit()
            return render_template("accounts/slip.html", user=user, password=password)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/user_form.html", form=form), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def user_edit(user_id: int):
    user = _manageable_user(user_id)
    form = UserForm(grantable=_grantable_roles(), obj=user)
    del form.login
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
    if form.validate_on_submit():
        before = {"full_name": user.full_name, "roles": sorted(r.value for r in user.roles)}
        user.set_full_name(form.full_name.data)
        service.set_roles(user, form.roles.data, actor=current_user)
        after = {"full_name": user.full_name, "roles": sorted(r.value for r in user.roles)}
        audit.record("user_updated", "user", user.id, audit.diff(before, after))
        db.session.commit()
        flash("Учётная запись сохранена.", "success")
        return redirect(url_for("accounts.users"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/user_form.html", form=form, user=user), status


@bp.post("/users/<int:user_id>/active")
@roles_required(*MANAGERS)
def user_toggle_active(user_id: int):
    user = _manageable_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash("Нельзя отключить собственную учётную запись.", "error")
    else:
        user.active = not user.active
        audit.record(
            "user_activated" if user.active else "user_deactivated",
            "user",
            user.id,
            {"active": [not user.active, user.active]},
        )
        db.session.commit()
        flash(
            f"Учётная запись {user.login} {'включена' if user.active else 'отключена'}.", "success"
        )
    if request.htmx:
        return render_template("accounts/_user_row.html", user=user, form=EmptyForm())
    return redirect(url_for("accounts.users"))


@bp.post("/users/<int:user_id>/reset-password")
@roles_required(*MANAGERS)
def user_reset_password(user_id: int):
    user = _manageable_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    password = generate_one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record("password_reset", "user", user.id)
    db.session.commit()
    # The slip is the only place the temporary password ever appears; it is not stored.
    return render_template("accounts/slip.html", user=user, password=password)
