"""Road map pages: the year, its timeline, activities, approval and exports."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from portal.access import STAFF, Role, ensure, roles_required
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import choices
from portal.people.consents import Scan, check_scan
from portal.programme import export, roadmap
from portal.programme.forms import ActivityForm, ApprovalForm, NewYearForm
from portal.programme.models import RoadMap, RoadMapActivity, Stage
from portal.programme.roadmap import EDITORS, MONTH_NAMES, MONTHS
from portal.settings.models import get_settings
from portal.timeutil import today_moscow

bp = Blueprint("programme", __name__, url_prefix="/programme")
READERS = (*STAFF, Role.MENTOR)


def _year_or_404(year: int) -> RoadMap:
    road_map = db.session.scalar(select(RoadMap).where(RoadMap.year == year))
    if road_map is None:
        abort(404)
    return road_map


def _activity(activity_id: int) -> RoadMapActivity:
    activity = db.get_or_404(RoadMapActivity, activity_id)
    ensure(activity in roadmap.visible_activities(activity.road_map, current_user))
    return activity


@bp.get("/roadmap")
@roles_required(*READERS)
def roadmaps():
    """The current school year's map, or the list of years with the form to start one."""
    current = roadmap.school_year_of(today_moscow())
    years = list(db.session.scalars(select(RoadMap).order_by(RoadMap.year.desc())))
    if any(m.year == current for m in years) and not request.args.get("all"):
        return redirect(url_for("programme.roadmap_year", year=current))
    form = NewYearForm(year=current)
    return render_template(
        "programme/roadmaps.html", years=years, form=form, can_edit=roadmap.can_edit(current_user)
    )


@bp.post("/roadmap")
@roles_required(*EDITORS)
def roadmap_create():
    form = NewYearForm()
    if form.validate_on_submit():
        try:
            road_map = roadmap.create_year(form.year.data, form.source.data, current_user)
        except RuleViolation as exc:
            db.session.rollback()
            form.year.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Дорожная карта на {road_map.title} создана {road_map.source}.", "success")
            return redirect(url_for("programme.roadmap_year", year=road_map.year))
    years = list(db.session.scalars(select(RoadMap).order_by(RoadMap.year.desc())))
    return render_template("programme/roadmaps.html", years=years, form=form, can_edit=True), 422


@bp.get("/roadmap/<int:year>")
@roles_required(*READERS)
def roadmap_year(year: int):
    road_map = _year_or_404(year)
    activities = roadmap.visible_activities(road_map, current_user)
    editable = roadmap.can_edit(current_user)
    approval = ApprovalForm(order_number=road_map.order_number, order_date=road_map.order_date)
    return render_template(
        "programme/roadmap.html",
        road_map=road_map,
        activities=activities,
        by_stage={s: [a for a in activities if a.stage == s] for s in Stage},
        rows=roadmap.timeline(activities),
        months=[MONTH_NAMES[m] for m in MONTHS],
        today=today_moscow(),
        can_edit=editable,
        approval=approval,
    )


def _activity_form(road_map: RoadMap, activity: RoadMapActivity | None):
    form = ActivityForm(obj=activity)
    people = roadmap.possible_responsibles()
    form.responsible_id.choices = choices(
        [(0, "— выберите —")] + [(u.id, u.full_name) for u in people]
    )
    if request.method == "GET" and activity is None:
        form.stage.data = request.args.get("stage", Stage.PREPARATION.value)
        form.responsible_id.data = current_user.id
    return form


def _save(road_map: RoadMap, activity: RoadMapActivity | None):
    form = _activity_form(road_map, activity)
    if form.validate_on_submit():
        evidence = None
        upload = form.evidence.data
        try:
            if upload and getattr(upload, "filename", ""):
                scan = Scan(upload.filename, upload.read())
                evidence = (scan.filename[:200], check_scan(scan), scan.data)
            roadmap.save_activity(
                road_map,
                activity,
                stage=form.stage.data,
                title=form.title.data,
                responsible_id=form.responsible_id.data,
                deadline=form.deadline.data,
                status=form.status.data,
                result=form.result.data,
                evidence_url=form.evidence_url.data,
                evidence=evidence,
            )
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Мероприятие сохранено.", "success")
            return redirect(url_for("programme.roadmap_year", year=road_map.year))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programme/activity_form.html", form=form, road_map=road_map, activity=activity
    ), status


@bp.route("/roadmap/<int:year>/activities/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def activity_new(year: int):
    return _save(_year_or_404(year), None)


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def activity_edit(activity_id: int):
    activity = _activity(activity_id)
    return _save(activity.road_map, activity)


@bp.get("/activities/<int:activity_id>/evidence")
@roles_required(*READERS)
def activity_evidence(activity_id: int):
    activity = _activity(activity_id)
    if activity.evidence_file is None:
        abort(404)
    response = make_response(activity.evidence_file)
    response.mimetype = activity.evidence_mimetype or "application/octet-stream"
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-{activity.id}"'
    return response


@bp.post("/roadmap/<int:year>/approval")
@roles_required(*EDITORS)
def roadmap_approve(year: int):
    road_map = _year_or_404(year)
    form = ApprovalForm()
    if form.validate_on_submit():
        try:
            roadmap.approve(road_map, form.order_number.data, form.order_date.data)
        except RuleViolation as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Реквизиты приказа об утверждении сохранены.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("programme.roadmap_year", year=year))


@bp.get("/roadmap/<int:year>.xlsx")
@roles_required(*READERS)
def roadmap_xlsx(year: int):
    road_map = _year_or_404(year)
    activities = roadmap.visible_activities(road_map, current_user)
    data = export.road_map_xlsx(road_map, activities, get_settings())
    response = make_response(data)
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="roadmap-{year}.xlsx"'
    return response


@bp.get("/roadmap/<int:year>.pdf")
@roles_required(*READERS)
def roadmap_pdf(year: int):
    road_map = _year_or_404(year)
    activities = roadmap.visible_activities(road_map, current_user)
    data = export.road_map_pdf(road_map, activities, get_settings())
    response = make_response(data)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="roadmap-{year}.pdf"'
    return response
