"""Dashboard and health check."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.access import ALL_ROLES, STAFF, Role, roles_required
from portal.extensions import db

bp = Blueprint("main", __name__)

# What each role may do, as the dashboard tells it; kept beside the roles it describes.
ROLE_DUTIES = {
    Role.ADMIN: [
        "ведёт учётные записи сотрудников, наставников, наставляемых и родителей",
        "настраивает реквизиты Центра, тексты правил и ключи подписи",
        "делает резервные копии базы данных",
    ],
    Role.CURATOR: [
        "ведёт базы наставников и наставляемых, согласия на обработку персональных данных",
        "формирует наставнические пары и группы",
        "выпускает соглашения и утверждает индивидуальные планы",
        "создаёт учётные записи участников и выдаёт временные пароли",
    ],
    Role.GROUP: [
        "просматривает базы наставников и наставляемых",
        "видит пары, группы и их индивидуальные планы",
    ],
    Role.MENTOR: [
        "видит свои пары и группы и карточки своих наставляемых",
        "разрабатывает индивидуальный план вместе с наставляемым",
        "подписывает соглашение о сотрудничестве",
    ],
    Role.MENTEE: [
        "видит свою пару и своего наставника",
        "вносит предложения в индивидуальный план",
        "подписывает соглашение (с 14 лет — с согласия родителя)",
    ],
    Role.PARENT: [
        "видит карточку и план своего ребёнка",
        "подписывает согласие и соглашение за ребёнка младше 14 лет",
        "даёт согласие на подписание соглашения ребёнком 14–17 лет",
    ],
}


@bp.get("/")
@roles_required(*ALL_ROLES)
def dashboard():
    duties = [(role, ROLE_DUTIES[role]) for role in Role if current_user.has_role(role)]
    return render_template("main/dashboard.html", duties=duties)


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
