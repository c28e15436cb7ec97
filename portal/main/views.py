"""Dashboard and health check."""

from collections import defaultdict

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, text

from portal.access import ALL_ROLES, STAFF, Role, roles_required
from portal.accounts.models import User
from portal.extensions import db
from portal.notifications.queue import work_queue
from portal.timeutil import today_moscow

bp = Blueprint("main", __name__)

# What each role may do, as the dashboard tells it; kept beside the roles it describes.
ROLE_DUTIES = {
    Role.ADMIN: [
        "ведёте учётные записи сотрудников, наставников, наставляемых и родителей",
        "настраиваете реквизиты Центра, тексты правил и ключи подписи",
        "делаете резервные копии базы данных",
    ],
    Role.CURATOR: [
        "ведёте базы наставников и наставляемых, согласия на обработку персональных данных",
        "формируете наставнические пары и группы",
        "выпускаете соглашения и утверждаете индивидуальные планы",
        "создаёте учётные записи участников и выдаёте временные пароли",
    ],
    Role.GROUP: [
        "просматриваете базы наставников и наставляемых",
        "видите пары, группы и их индивидуальные планы",
    ],
    Role.MENTOR: [
        "видите свои пары и группы и карточки своих наставляемых",
        "разрабатываете индивидуальный план вместе с наставляемым",
        "подписываете соглашение о сотрудничестве",
    ],
    Role.MENTEE: [
        "видите свою пару и своего наставника",
        "вносите предложения в индивидуальный план",
        "подписываете соглашение (с 14 лет — с согласия родителя)",
    ],
    Role.PARENT: [
        "видите карточку и план своего ребёнка",
        "подписываете согласие и соглашение за ребёнка младше 14 лет",
        "даёте согласие на подписание соглашения ребёнком 14–17 лет",
    ],
}


@bp.app_template_global()
def names_of_logins(logins) -> defaultdict[str, str]:
    """Full names for the logins a history shows, in one query; an unknown login stays as is.

    History rows keep the login they were written with; people read names, not logins.
    """
    wanted = {login for login in logins if login}
    names: defaultdict[str, str] = defaultdict(str)
    if wanted:
        rows = db.session.execute(select(User.login, User.full_name).where(User.login.in_(wanted)))
        names.update({login: full_name for login, full_name in rows})
    for login in wanted - names.keys():
        names[login] = login
    return names


@bp.get("/")
@roles_required(*ALL_ROLES)
def dashboard():
    duties = [(role, ROLE_DUTIES[role]) for role in Role if current_user.has_role(role)]
    return render_template(
        "main/dashboard.html",
        duties=duties,
        queue=work_queue(current_user),
        today=today_moscow(),
    )


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 otherwise; for load balancers and monitors."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@bp.get("/participants/export.<ext>")
@roles_required(*STAFF)
def participants_export(ext: str):
    """The bases' export at the address the regulation's users were given; served by people."""
    endpoint = {"xlsx": "people.export_xlsx", "csv": "people.export_csv"}.get(ext)
    if endpoint is None:
        abort(404)
    return redirect(url_for(endpoint, **request.args), code=308)
