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

from portal.access import MANAGERS, STAFF, Role, ensure, roles_required
from portal.accounts.models import User
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm, choices
from portal.people.consents import Scan, check_scan
from portal.people.models import Person
from portal.programme import export, people, roadmap
from portal.programme.forms import (
    ActivityForm,
    ApplicationForm,
    AppointmentForm,
    ApprovalForm,
    DecisionForm,
    EndAppointmentForm,
    InterviewForm,
    NewYearForm,
    TrainingEventForm,
)
from portal.programme.models import (
    Appointment,
    CandidateDecision,
    MentorCandidate,
    RoadMap,
    RoadMapActivity,
    Stage,
    TrainingEvent,
)
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


# --- appointments --------------------------------------------------------------------------------


def _appointment_form():
    form = AppointmentForm()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name))
    form.user_id.choices = choices([(0, "— выберите —")] + [(u.id, u.full_name) for u in users])
    return form


def _appointments_page(form, status=200):
    return render_template(
        "programme/appointments.html",
        current=people.current_appointments(),
        history=people.history(),
        form=form,
        end_form=EndAppointmentForm(),
        can_edit=current_user.has_any_role(MANAGERS),
    ), status


@bp.get("/appointments")
@roles_required(*STAFF)
def appointments():
    return _appointments_page(_appointment_form())


@bp.post("/appointments")
@roles_required(*MANAGERS)
def appointment_new():
    form = _appointment_form()
    if form.validate_on_submit():
        try:
            people.appoint(
                form.kind.data,
                form.user_id.data,
                form.order_number.data,
                form.order_date.data,
                form.duties.data,
            )
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Назначение записано; роль сотрудника обновлена.", "success")
            return redirect(url_for("programme.appointments"))
    return _appointments_page(form, 422)


@bp.post("/appointments/<int:appointment_id>/end")
@roles_required(*MANAGERS)
def appointment_end(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = EndAppointmentForm()
    if form.validate_on_submit():
        try:
            people.end(appointment, form.ends_on.data, form.end_order.data)
        except RuleViolation as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Назначение прекращено; история сохранена.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("programme.appointments"))


# --- selection of mentors ------------------------------------------------------------------------


@bp.get("/candidates")
@roles_required(*STAFF)
def candidates():
    decision = request.args.get("decision", "")
    if decision not in CandidateDecision.values():
        decision = ""
    return render_template(
        "programme/candidates.html",
        candidates=people.candidates(decision or None),
        decision=decision,
        decisions=list(CandidateDecision),
        can_edit=roadmap.can_edit(current_user),
    )


def _application_form():
    form = ApplicationForm()
    form.category.choices = choices(c.value for c in people.CANDIDATE_CATEGORIES)
    return form


@bp.route("/candidates/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def candidate_new():
    form = _application_form()
    if form.validate_on_submit():
        try:
            candidate = people.apply(
                **{k: v for k, v in form.data.items() if k not in ("csrf_token",)}
            )
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Заявление кандидата записано.", "success")
            return redirect(url_for("programme.candidate", candidate_id=candidate.id))
    status = 422 if request.method == "POST" else 200
    return render_template("programme/candidate_form.html", form=form), status


def _candidate_page(candidate, interview=None, decision=None, status=200):
    return render_template(
        "programme/candidate.html",
        candidate=candidate,
        interview=interview or InterviewForm(obj=candidate),
        decision=decision or DecisionForm(),
        can_edit=roadmap.can_edit(current_user),
        pending=candidate.decision == CandidateDecision.PENDING,
    ), status


@bp.get("/candidates/<int:candidate_id>")
@roles_required(*STAFF)
def candidate(candidate_id: int):
    return _candidate_page(db.get_or_404(MentorCandidate, candidate_id))


@bp.post("/candidates/<int:candidate_id>/interview")
@roles_required(*EDITORS)
def candidate_interview(candidate_id: int):
    found = db.get_or_404(MentorCandidate, candidate_id)
    form = InterviewForm()
    if form.validate_on_submit():
        try:
            people.record_interview(found, form.interview_on.data, form.interview_note.data)
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Заметка о собеседовании сохранена.", "success")
            return redirect(url_for("programme.candidate", candidate_id=candidate_id))
    return _candidate_page(found, interview=form, status=422)


@bp.post("/candidates/<int:candidate_id>/decision")
@roles_required(*EDITORS)
def candidate_decision(candidate_id: int):
    found = db.get_or_404(MentorCandidate, candidate_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            people.decide(found, form.accepted.data == "yes", form.reason.data, current_user)
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Решение записано: {found.decision.title}.", "success")
            return redirect(url_for("programme.candidate", candidate_id=candidate_id))
    return _candidate_page(found, decision=form, status=422)


# --- training of mentors -------------------------------------------------------------------------


@bp.get("/training")
@roles_required(*READERS)
def training():
    events = list(db.session.scalars(select(TrainingEvent).order_by(TrainingEvent.held_on.desc())))
    mentors = None
    if current_user.has_any_role(STAFF):
        mentors = db.paginate(
            select(Person)
            .where(Person.is_mentor.is_(True), Person.anonymised_at.is_(None))
            .order_by(Person.training_completed.desc(), Person.last_name, Person.id),
            per_page=50,
            error_out=False,
        )
    return render_template(
        "programme/training.html",
        events=events,
        mentors=mentors,
        can_edit=roadmap.can_edit(current_user),
    )


def _event_form_page(form, event):
    if form.validate_on_submit():
        try:
            saved = people.save_event(event, **form.data)
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Обучение сохранено.", "success")
            return redirect(url_for("programme.training_event", event_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("programme/training_form.html", form=form, event=event), status


@bp.route("/training/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def training_new():
    return _event_form_page(TrainingEventForm(), None)


@bp.route("/training/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def training_edit(event_id: int):
    event = db.get_or_404(TrainingEvent, event_id)
    return _event_form_page(TrainingEventForm(obj=event), event)


@bp.get("/training/<int:event_id>")
@roles_required(*READERS)
def training_event(event_id: int):
    event = db.get_or_404(TrainingEvent, event_id)
    attended = {a.person_id for a in event.attendance}
    editable = roadmap.can_edit(current_user)
    return render_template(
        "programme/training_event.html",
        event=event,
        attended=attended,
        trainees=people.trainees() if editable else [],
        can_edit=editable,
        action=EmptyForm(),
        me=current_user.person_id,
    )


@bp.post("/training/<int:event_id>/attendance")
@roles_required(*EDITORS)
def training_attendance(event_id: int):
    event = db.get_or_404(TrainingEvent, event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("person") if v.isdigit()]
    try:
        people.set_attendance(event, ids)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("Посещаемость сохранена; отметки «обучение пройдено» пересчитаны.", "success")
    return redirect(url_for("programme.training_event", event_id=event_id))


@bp.get("/training/<int:event_id>/certificate/<int:person_id>.pdf")
@roles_required(*READERS)
def training_certificate(event_id: int, person_id: int):
    event = db.get_or_404(TrainingEvent, event_id)
    person = db.get_or_404(Person, person_id)
    ensure(roadmap.can_edit(current_user) or current_user.person_id == person.id)
    try:
        row = people.certificate_rows(event, person)
    except RuleViolation as exc:
        flash(exc.message, "error")
        return redirect(url_for("programme.training_event", event_id=event_id))
    data = export.certificate_pdf(event, person, row, get_settings())
    response = make_response(data)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="certificate-{event.id}-{person.id}.pdf"'
    )
    return response


@bp.context_processor
def inject_roles():
    return {"staff_roles": STAFF}
