"""Pages of remote methodical help: teachers' channels, requests, consultations, the library."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.access import ALL_ROLES, Role, roles_required
from portal.communication import help as domain
from portal.communication.forms import (
    AnswerForm,
    MaterialForm,
    ProfileForm,
    RequestForm,
    ScheduleForm,
)
from portal.communication.models import ConsultationRequest, MethodMaterial, TeacherProfile
from portal.communication.statuses import ConsultationKind, ContactKind, RequestStatus
from portal.communication.views import bp
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Person
from portal.timeutil import today_moscow


def _request_form(students, teachers, form=None) -> RequestForm:
    form = form or RequestForm(formdata=None)
    form.student_id.choices = [(s.id, f"{s.full_name} ({s.club})") for s in students]
    form.teacher_id.choices = [(t.id, f"{t.full_name} — {t.club}") for t in teachers]
    return form


def _material_form(teacher, form=None) -> MaterialForm:
    form = form or MaterialForm(formdata=None)
    if domain.oversees(current_user):
        clubs = db.session.scalars(
            select(Person.club).where(Person.club.is_not(None)).distinct().order_by(Person.club)
        )
        form.club.choices = [(c, c) for c in clubs]
    else:
        form.club.choices = [(teacher.club, teacher.club)] if teacher else []
    return form


def _page(code=200, **forms):
    """The one help page, shaped by who looks: a student or parent, a teacher, a deputy."""
    teacher = domain.teacher_person(current_user)
    students = domain.students_of(current_user)
    clubs = {s.club for s in students}
    teachers = domain.teachers_of_club(clubs)
    status = request.args.get("status")
    query = (
        select(ConsultationRequest)
        .where(domain.visible_requests_clause(current_user))
        .order_by(ConsultationRequest.created_at.desc())
    )
    if status in RequestStatus.values():
        query = query.where(ConsultationRequest.status == RequestStatus(status))
    requests_page = db.paginate(query, per_page=25, error_out=False)
    if teacher is not None:
        clubs.add(teacher.club)
    profile = db.session.get(TeacherProfile, teacher.id) if teacher else None
    return render_template(
        "communication/help.html",
        teacher=teacher,
        students=students,
        teachers=teachers,
        teacher_profiles=domain.profiles(t.id for t in teachers),
        page=requests_page,
        status=status,
        statuses=list(RequestStatus),
        overseer=domain.oversees(current_user),
        materials=domain.materials_for(clubs)
        if not domain.oversees(current_user)
        else db.session.scalars(select(MethodMaterial).order_by(MethodMaterial.club)).all(),
        request_form=forms.get("request_form") or _request_form(students, teachers),
        profile_form=forms.get("profile_form") or ProfileForm(obj=profile, formdata=None),
        material_form=forms.get("material_form") or _material_form(teacher),
    ), code


@bp.get("/help")
@roles_required(*ALL_ROLES)
def help():
    return _page()


@bp.post("/help/profile")
@roles_required(*ALL_ROLES)
def help_profile():
    teacher = domain.teacher_person(current_user)
    if teacher is None:
        abort(403)
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(422, profile_form=form)
    profile = db.session.get(TeacherProfile, teacher.id) or TeacherProfile(person_id=teacher.id)
    fields = ("phone", "messenger", "email", "profile_url", "hours")
    before = {name: getattr(profile, name) for name in fields}
    for name in fields:
        setattr(profile, name, (getattr(form, name).data or "").strip() or None)
    db.session.add(profile)
    # The teacher's contacts are personal data shown to students: every change is logged.
    audit.record(
        "update",
        "teacher_profile",
        teacher.id,
        audit.diff(before, {name: getattr(profile, name) for name in fields}),
    )
    db.session.commit()
    flash(
        "Каналы связи и часы консультаций сохранены: их видят обучающиеся вашего объединения.",
        "success",
    )
    return redirect(url_for("communication.help"))


@bp.post("/help/requests")
@roles_required(Role.MENTEE, Role.PARENT)
def ask():
    students = domain.students_of(current_user)
    # Any teacher may be chosen in the form as sent; the rule checks the club, with a message.
    teachers = list(
        db.session.scalars(
            select(Person).where(Person.id == request.form.get("teacher_id", type=int))
        )
    )
    form = _request_form(
        students, domain.teachers_of_club({s.club for s in students}) + teachers, RequestForm()
    )
    if not form.validate_on_submit():
        return _page(422, request_form=form)
    student = db.session.get(Person, form.student_id.data)
    teacher = db.session.get(Person, form.teacher_id.data)
    try:
        domain.ask(
            current_user,
            student,
            teacher,
            form.topic.data,
            ContactKind(form.channel.data),
            form.preferred_time.data,
        )
    except RuleViolation as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _page(
            422,
            request_form=_request_form(
                students, domain.teachers_of_club({s.club for s in students}), form
            ),
        )
    db.session.commit()
    flash("Запрос отправлен педагогу.", "success")
    return redirect(url_for("communication.help"))


def _visible_request(request_id: int) -> ConsultationRequest:
    found = db.first_or_404(select(ConsultationRequest).where(ConsultationRequest.id == request_id))
    if not domain.can_see_request(current_user, found):
        abort(404)  # someone else's request does not exist for this user
    return found


def _request_page(found, answer_form=None, schedule_form=None, code=200):
    teacher = domain.teacher_person(current_user)
    is_teacher = teacher is not None and teacher.id == found.teacher_id
    schedule_form = schedule_form or ScheduleForm(formdata=None, held_on=today_moscow())
    others = []
    if is_teacher:
        others = db.session.scalars(
            select(ConsultationRequest).where(
                ConsultationRequest.teacher_id == teacher.id,
                ConsultationRequest.status != RequestStatus.SCHEDULED,
                ConsultationRequest.id != found.id,
            )
        ).all()
    schedule_form.others.choices = [
        (r.id, f"{r.student.short_name}: {r.topic[:60]}") for r in others
    ]
    return render_template(
        "communication/help_request.html",
        r=found,
        is_teacher=is_teacher,
        answer_form=answer_form or AnswerForm(formdata=None, answer=found.answer),
        schedule_form=schedule_form,
    ), code


@bp.get("/help/requests/<int:request_id>")
@roles_required(*ALL_ROLES)
def help_request(request_id: int):
    return _request_page(_visible_request(request_id))


@bp.post("/help/requests/<int:request_id>/answer")
@roles_required(*ALL_ROLES)
def answer_request(request_id: int):
    found = _visible_request(request_id)
    teacher = domain.teacher_person(current_user)
    if teacher is None or teacher.id != found.teacher_id:
        abort(403)  # only the teacher the request is addressed to answers it
    form = AnswerForm()
    if not form.validate_on_submit():
        return _request_page(found, answer_form=form, code=422)
    try:
        domain.answer(current_user, found, form.answer.data)
    except RuleViolation:
        abort(403)
    db.session.commit()
    flash("Ответ отправлен.", "success")
    return redirect(url_for("communication.help_request", request_id=found.id))


@bp.post("/help/requests/<int:request_id>/schedule")
@roles_required(*ALL_ROLES)
def schedule_request(request_id: int):
    found = _visible_request(request_id)
    form = ScheduleForm()
    teacher = domain.teacher_person(current_user)
    if teacher is None or teacher.id != found.teacher_id:
        abort(403)
    _request_page(found, schedule_form=form)  # fills the choices of «others»
    if not form.validate_on_submit():
        return _request_page(found, schedule_form=form, code=422)
    others = db.session.scalars(
        select(ConsultationRequest).where(ConsultationRequest.id.in_(form.others.data or [0]))
    ).all()
    try:
        domain.schedule(
            current_user,
            found,
            kind=ConsultationKind(form.kind.data),
            held_on=form.held_on.data,
            at=form.at.data,
            channel=ContactKind(form.channel.data),
            where=form.where.data,
            today=today_moscow(),
            others=others,
        )
    except RuleViolation as exc:
        db.session.rollback()
        form.held_on.errors = [str(exc)]
        return _request_page(found, schedule_form=form, code=422)
    db.session.commit()
    flash("Консультация назначена; накануне придёт напоминание.", "success")
    return redirect(url_for("communication.help_request", request_id=found.id))


@bp.post("/help/materials")
@roles_required(*ALL_ROLES)
def add_material():
    teacher = domain.teacher_person(current_user)
    if teacher is None and not domain.oversees(current_user):
        abort(403)
    form = _material_form(teacher, MaterialForm())
    if not form.validate_on_submit():
        return _page(422, material_form=form)
    db.session.add(
        MethodMaterial(
            club=form.club.data,
            title=form.title.data.strip(),
            link=form.link.data.strip(),
            description=(form.description.data or "").strip() or None,
            added_by_id=current_user.person_id,
        )
    )
    db.session.commit()
    flash("Материал добавлен в библиотеку объединения.", "success")
    return redirect(url_for("communication.help"))
