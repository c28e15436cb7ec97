"""Login, logout, own password, and the management of accounts by staff."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, logout_user
from sqlalchemy import select

from portal import audit
from portal.access import ALL_ROLES, MANAGERS, Role, roles_required
from portal.accounts import security, service, sessions
from portal.accounts.forms import ChangePasswordForm, LoginForm, UserForm
from portal.accounts.models import User, UserSession
from portal.accounts.security import generate_one_time_password
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
        result = security.sign_in(
            form.login.data,
            form.password.data,
            request.remote_addr,
            request.cookies.get(security.KNOWN_BROWSER_COOKIE),
        )
        if result.user is not None:
            user = result.user
            user.last_login_at = utcnow()
            db.session.commit()
            g.remember_cookie = sessions.begin(
                user,
                remember=form.remember.data,
                ip=request.remote_addr,
                user_agent=request.user_agent.string,
            )
            response = redirect(_safe_next(request.args.get("next")))
            response.set_cookie(
                security.KNOWN_BROWSER_COOKIE,
                security.known_browser_cookie(user.id, result.known_browser),
                max_age=int(security.KNOWN_BROWSER_LIFETIME.total_seconds()),
                httponly=True,
                samesite="Lax",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
            return response
        if result.paused_until:
            # The same words for every login, real or not: nothing tells which exist.
            until = to_moscow(result.paused_until).strftime("%H:%M")
            form.form_errors.append(
                f"Слишком много неудачных попыток входа. Повторите после {until}. "
                "Если забыли пароль, обратитесь к администратору."
            )
        else:
            form.form_errors.append("Неверный логин или пароль.")
        return render_template("accounts/login.html", form=form), 422
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@roles_required(*ALL_ROLES)
def logout():
    record = sessions.current()
    if record is not None:
        sessions.end(record.id, "logout")
        db.session.commit()
    logout_user()
    g.remember_cookie = ""
    flash("Вы вышли из портала.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def change_password():
    form = ChangePasswordForm(login=current_user.login)
    if form.validate_on_submit():
        check = security.verify_password(current_user, form.current.data)
        if check.ok:
            # The owner proved the old password: a signing key they hold stays theirs.
            current_user.set_password(form.new.data, keeps_signer_key=True)
            current_user.must_change_password = False
            # Every session of the account ends, a copy of this browser's cookie included;
            # this browser carries on in a new session with a new key.
            record = sessions.current()
            remember = record is not None and record.remember_until is not None
            ended = sessions.end_all(current_user.id, "password_changed")
            user = current_user._get_current_object()
            g.remember_cookie = sessions.begin(
                user,
                remember=remember,
                ip=request.remote_addr,
                user_agent=request.user_agent.string,
            )
            audit.record("password_changed", "user", user.id, {"sessions_ended": ended})
            db.session.commit()
            flash("Пароль изменён. Другие сеансы этой учётной записи завершены.", "success")
            return redirect(url_for("main.dashboard"))
        if check.locked_until:
            until = to_moscow(check.locked_until).strftime("%H:%M")
            form.current.errors.append(f"Слишком много неверных паролей. Повторите после {until}.")
        else:
            form.current.errors.append("Текущий пароль введён неверно.")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.get("/account/sessions")
@roles_required(*ALL_ROLES)
def my_sessions():
    record = sessions.current()
    return render_template(
        "accounts/sessions.html",
        sessions=sessions.live_sessions(current_user.id),
        current_id=record.id if record else None,
        describe_browser=sessions.describe_browser,
        form=EmptyForm(),
    )


@bp.post("/account/sessions/<int:session_id>/end")
@roles_required(*ALL_ROLES)
def end_my_session(session_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    sessions.end(record.id, "ended_by_user")
    db.session.commit()
    current = sessions.current()
    if current is not None and current.id == record.id:
        logout_user()
        g.remember_cookie = ""
        flash("Сеанс на этом компьютере завершён.", "info")
        return redirect(url_for("accounts.login"))
    flash("Сеанс завершён: на том компьютере нужно будет войти заново.", "success")
    return redirect(url_for("accounts.my_sessions"))


@bp.post("/account/sessions/end-others")
@roles_required(*ALL_ROLES)
def end_my_other_sessions():
    if not EmptyForm().validate_on_submit():
        abort(400)
    current = sessions.current()
    ended = sessions.end_all(current_user.id, "ended_by_user", keep=current.id if current else None)
    db.session.commit()
    flash(f"Завершено сеансов: {ended}.", "success")
    return redirect(url_for("accounts.my_sessions"))


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
    paused = security.paused_logins([u.login for u in page.items])
    template = "accounts/_user_rows.html" if request.htmx else "accounts/users.html"
    return render_template(template, page=page, q=q, form=EmptyForm(), paused=paused)


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
        if not user.active:
            sessions.end_all(user.id, "deactivated")
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
    security.clear_login_pause(user.login)
    ended = sessions.end_all(user.id, "password_reset")
    audit.record("password_reset", "user", user.id, {"sessions_ended": ended})
    db.session.commit()
    # The slip is the only place the temporary password ever appears; it is not stored.
    return render_template("accounts/slip.html", user=user, password=password)


@bp.post("/users/<int:user_id>/sessions/end")
@roles_required(*MANAGERS)
def user_end_sessions(user_id: int):
    """«Завершить все сеансы»: a lost laptop or a shared computer left signed in."""
    user = _manageable_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ended = sessions.end_all(user.id, "ended_by_admin")
    audit.record("sessions_ended", "user", user.id, {"sessions_ended": ended})
    db.session.commit()
    flash(f"Сеансы {user.login} завершены: {ended}.", "success")
    if user.id == current_user.id:
        logout_user()
        g.remember_cookie = ""
        return redirect(url_for("accounts.login"))
    return redirect(url_for("accounts.users"))
