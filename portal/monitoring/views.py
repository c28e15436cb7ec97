"""Monitoring screens: questionnaires, campaigns, answering, results and the reports."""

from math import ceil

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
from sqlalchemy.orm import joinedload

from portal import audit
from portal.access import ALL_ROLES, MANAGERS, Role, roles_required
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm
from portal.matching.models import MentorshipForm
from portal.monitoring import annual as annual_service
from portal.monitoring import campaigns as service
from portal.monitoring import questionnaires as editor
from portal.monitoring import report as reports
from portal.monitoring.forms import (
    AnnualForm,
    AnnualOpenForm,
    CampaignForm,
    DeadlineForm,
    HeaderForm,
    QuestionForm,
    SectionForm,
    SentForm,
    SwotForm,
)
from portal.monitoring.models import (
    AnnualReport,
    Assignment,
    Campaign,
    PeriodKind,
    Question,
    QuestionKind,
    Questionnaire,
)
from portal.monitoring.results import response_by_pair, stage_two_people, text_answers
from portal.timeutil import today_moscow

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")

READERS = (*MANAGERS, Role.GROUP)
PER_PAGE = 50


@bp.app_template_filter("score")
def score(value: float | None) -> str:
    """An average as Russians write it: 7,5; a dash when there is none."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _login() -> str | None:
    return getattr(current_user, "login", None)


def _fail(message: str, status: int = 422):
    db.session.rollback()
    flash(message, "error")
    return status


class _Page:
    """Enough of Flask-SQLAlchemy's pagination for the pager macro."""

    def __init__(self, page: int, per_page: int, total: int):
        self.page, self.per_page, self.total = page, per_page, total
        self.pages = max(1, ceil(total / per_page))
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1


# --- overview --------------------------------------------------------------------------------


@bp.get("/")
@roles_required(*READERS)
def index():
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.deadline.desc())).all()
    reports_ = db.session.scalars(
        select(AnnualReport).order_by(AnnualReport.year.desc(), AnnualReport.period_kind)
    ).all()
    form = AnnualOpenForm(kind=PeriodKind.CALENDAR.value, year=today_moscow().year)
    return render_template(
        "monitoring/index.html",
        campaigns=campaigns,
        reports=reports_,
        annual_form=form,
        next_deadline=service.next_deadline(),
    )


# --- questionnaires --------------------------------------------------------------------------


@bp.get("/questionnaires")
@roles_required(*MANAGERS)
def questionnaires():
    current = editor.current_questionnaires()
    return render_template("monitoring/questionnaires.html", questionnaires=current)


def _questionnaire(qid: int) -> Questionnaire:
    q = db.session.get(Questionnaire, qid)
    if q is None:
        abort(404)
    return q


def _question_form(q: Questionnaire, question: Question | None = None, **kwargs) -> QuestionForm:
    form = QuestionForm(obj=question, prefix=f"q{question.id}" if question else "new", **kwargs)
    form.section_id.choices = [(0, "— без раздела —")] + [(s.id, s.title) for s in q.sections]
    if question is not None and request.method == "GET":
        form.options.data = "\n".join(question.options or [])
        form.section_id.data = question.section_id or 0
    return form


def _render_editor(q: Questionnaire, status: int = 200, **forms):
    versions = db.session.scalars(
        select(Questionnaire)
        .where(Questionnaire.family == q.family)
        .order_by(Questionnaire.version.desc())
    ).all()
    context = {
        "q": q,
        "versions": versions,
        "locked": editor.has_answers(q) or not q.current,
        "header_form": forms.get("header_form") or HeaderForm(obj=q),
        "new_form": forms.get("new_form") or _question_form(q),
        "section_form": forms.get("section_form") or SectionForm(),
        "question_forms": {
            question.id: forms.get(f"q{question.id}") or _question_form(q, question)
            for question in q.questions
        },
        "button_form": EmptyForm(),
    }
    return render_template("monitoring/questionnaire.html", **context), status


@bp.get("/questionnaires/<int:qid>")
@roles_required(*MANAGERS)
def questionnaire(qid: int):
    return _render_editor(_questionnaire(qid))


@bp.post("/questionnaires/<int:qid>/header")
@roles_required(*MANAGERS)
def questionnaire_header(qid: int):
    q = _questionnaire(qid)
    form = HeaderForm()
    if not form.validate_on_submit():
        return _render_editor(q, 422, header_form=form)
    try:
        editor.update_header(q, form.title.data, form.intro.data, form.anonymous.data)
    except RuleViolation as exc:
        return _render_editor(q, _fail(exc.message), header_form=form)
    audit.record("questionnaire_edit", "questionnaire", q.id, summary=q.title)
    db.session.commit()
    flash("Анкета сохранена.", "success")
    return redirect(url_for(".questionnaire", qid=q.id))


@bp.post("/questionnaires/<int:qid>/questions", defaults={"question_id": None})
@bp.post("/questionnaires/<int:qid>/questions/<int:question_id>")
@roles_required(*MANAGERS)
def save_question(qid: int, question_id: int | None):
    q = _questionnaire(qid)
    question = None
    if question_id is not None:
        question = db.session.get(Question, question_id)
        if question is None or question.questionnaire_id != q.id:
            abort(404)
    form = _question_form(q, question)
    key = f"q{question.id}" if question else "new_form"
    if not form.validate_on_submit():
        return _render_editor(q, 422, **{key: form})
    try:
        editor.save_question(
            q,
            question,
            kind=form.kind.data,
            text=form.text.data,
            options=form.options.data,
            required=form.required.data,
            measure=form.measure.data,
            section_id=form.section_id.data or None,
        )
    except RuleViolation as exc:
        return _render_editor(q, _fail(exc.message), **{key: form})
    audit.record("questionnaire_edit", "questionnaire", q.id, summary=form.text.data[:200])
    db.session.commit()
    flash("Вопрос сохранён.", "success")
    return redirect(url_for(".questionnaire", qid=q.id))


@bp.post("/questionnaires/<int:qid>/questions/<int:question_id>/delete")
@roles_required(*MANAGERS)
def delete_question(qid: int, question_id: int):
    q = _questionnaire(qid)
    question = db.session.get(Question, question_id)
    if question is None or question.questionnaire_id != q.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editor.delete_question(q, question)
    except RuleViolation as exc:
        return _render_editor(q, _fail(exc.message))
    db.session.commit()
    flash("Вопрос удалён.", "success")
    return redirect(url_for(".questionnaire", qid=q.id))


@bp.post("/questionnaires/<int:qid>/sections")
@roles_required(*MANAGERS)
def add_section(qid: int):
    q = _questionnaire(qid)
    form = SectionForm()
    if not form.validate_on_submit():
        return _render_editor(q, 422, section_form=form)
    try:
        editor.add_section(q, form.title.data)
    except RuleViolation as exc:
        return _render_editor(q, _fail(exc.message), section_form=form)
    db.session.commit()
    return redirect(url_for(".questionnaire", qid=q.id))


@bp.post("/questionnaires/<int:qid>/version")
@roles_required(*MANAGERS)
def new_version(qid: int):
    q = _questionnaire(qid)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        copy = editor.new_version(q, _login())
    except RuleViolation as exc:
        return _render_editor(q, _fail(exc.message))
    audit.record("questionnaire_version", "questionnaire", copy.id, summary=copy.label)
    db.session.commit()
    flash(
        f"Создана версия {copy.version}. Ответы на версию {q.version} остаются при своих "
        "вопросах; новые анкеты получат эту версию.",
        "success",
    )
    return redirect(url_for(".questionnaire", qid=copy.id))


# --- campaigns -------------------------------------------------------------------------------


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _campaign_form(**kwargs) -> CampaignForm:
    form = CampaignForm(**kwargs)
    forms = db.session.scalars(
        select(MentorshipForm)
        .where(MentorshipForm.active.is_(True))
        .order_by(MentorshipForm.scope.desc(), MentorshipForm.id)
    ).all()
    form.forms.choices = [(f.id, f.name) for f in forms]
    if request.method == "GET":
        form.forms.data = [f.id for f in forms if f.scope == "local"]
        form.deadline.data = service.next_deadline()
    return form


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_campaign():
    form = _campaign_form()
    status = 200
    if form.validate_on_submit():
        try:
            campaign = service.create_campaign(
                form.deadline.data, form.forms.data, form.stages.data, by=_login()
            )
            result = service.assign_campaign(campaign)
        except RuleViolation as exc:
            status = _fail(exc.message)
        else:
            audit.record("campaign_open", "campaign", campaign.id, summary=campaign.title)
            db.session.commit()
            flash(f"Мониторинг открыт: участникам назначено анкет — {result.created}.", "success")
            return redirect(url_for(".campaign", campaign_id=campaign.id))
    elif request.method == "POST":
        status = 422
    return render_template("monitoring/campaign_new.html", form=form), status


@bp.get("/campaigns/<int:campaign_id>")
@roles_required(*READERS)
def campaign(campaign_id: int):
    c = _campaign(campaign_id)
    from portal.monitoring.results import not_answered_curators, response_by_form

    return render_template(
        "monitoring/campaign.html",
        c=c,
        responses=response_by_form(c),
        curators_waiting=not_answered_curators(c),
        deadline_form=DeadlineForm(deadline=c.deadline),
        button_form=EmptyForm(),
        forms=db.session.scalars(
            select(MentorshipForm).where(MentorshipForm.id.in_(c.form_ids))
        ).all(),
    )


@bp.post("/campaigns/<int:campaign_id>/deadline")
@roles_required(*MANAGERS)
def campaign_deadline(campaign_id: int):
    c = _campaign(campaign_id)
    form = DeadlineForm()
    if form.validate_on_submit():
        try:
            service.change_deadline(c, form.deadline.data)
        except RuleViolation as exc:
            _fail(exc.message)
        else:
            audit.record("campaign_deadline", "campaign", c.id, summary=str(c.deadline))
            db.session.commit()
            flash(f"Срок мониторинга: {c.deadline:%d.%m.%Y}.", "success")
    else:
        flash("Укажите дату срока в виде ДД.ММ.ГГГГ.", "error")
    return redirect(url_for(".campaign", campaign_id=c.id))


@bp.post("/campaigns/<int:campaign_id>/assign")
@roles_required(*MANAGERS)
def campaign_assign(campaign_id: int):
    c = _campaign(campaign_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = service.assign_campaign(c)
    except RuleViolation as exc:
        _fail(exc.message)
    else:
        db.session.commit()
        flash(f"Добавлено анкет: {result.created}.", "success")
    return redirect(url_for(".campaign", campaign_id=c.id))


@bp.post("/campaigns/<int:campaign_id>/close")
@roles_required(*MANAGERS)
def campaign_close(campaign_id: int):
    c = _campaign(campaign_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.close_campaign(c)
    except RuleViolation as exc:
        _fail(exc.message)
    else:
        audit.record("campaign_close", "campaign", c.id, summary=c.title)
        db.session.commit()
        flash("Мониторинг завершён; его итоги вошли в сравнение полугодий.", "success")
    return redirect(url_for(".campaign", campaign_id=c.id))


@bp.get("/campaigns/<int:campaign_id>/responses")
@roles_required(*MANAGERS)
def responses(campaign_id: int):
    c = _campaign(campaign_id)
    page = max(request.args.get("page", 1, type=int), 1)
    total, rows = response_by_pair(c, page, PER_PAGE)
    return render_template(
        "monitoring/responses.html", c=c, rows=rows, page=_Page(page, PER_PAGE, total)
    )


@bp.get("/campaigns/<int:campaign_id>/results")
@roles_required(*READERS)
def results(campaign_id: int):
    c = _campaign(campaign_id)
    data = reports.analytic(c)
    return render_template(
        "monitoring/results.html", a=data, c=c, swot_form=SwotForm(obj=c), kinds=QuestionKind
    )


@bp.post("/campaigns/<int:campaign_id>/swot")
@roles_required(*MANAGERS)
def swot(campaign_id: int):
    c = _campaign(campaign_id)
    form = SwotForm()
    if not form.validate_on_submit():
        data = reports.analytic(c)
        return render_template(
            "monitoring/results.html", a=data, c=c, swot_form=form, kinds=QuestionKind
        ), 422
    form.populate_obj(c)
    audit.record("campaign_swot", "campaign", c.id, summary="SWOT и выводы")
    db.session.commit()
    flash("SWOT-анализ и выводы сохранены.", "success")
    return redirect(url_for(".results", campaign_id=c.id) + "#swot")


@bp.get("/campaigns/<int:campaign_id>/growth")
@roles_required(*MANAGERS)
def growth(campaign_id: int):
    c = _campaign(campaign_id)
    page = max(request.args.get("page", 1, type=int), 1)
    total, rows = stage_two_people(c.period_start, c.period_end, page, PER_PAGE)
    return render_template(
        "monitoring/growth.html", c=c, rows=rows, page=_Page(page, PER_PAGE, total)
    )


@bp.get("/campaigns/<int:campaign_id>/texts/<int:question_id>")
@roles_required(*MANAGERS)
def texts(campaign_id: int, question_id: int):
    c = _campaign(campaign_id)
    question = db.session.get(Question, question_id)
    if question is None or question.kind != QuestionKind.TEXT:
        abort(404)
    one = reports.stage_one(c)
    group = next(
        (qr for qr in one.questionnaires if qr.questionnaire.id == question.questionnaire_id),
        None,
    )
    if group is None:
        abort(404)
    shown = [] if group.hidden else text_answers(c, question.id)
    return render_template(
        "monitoring/texts.html", c=c, question=question, group=group, texts=shown
    )


def _download(data: bytes, filename: str, mimetype: str, inline: bool = False):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/campaigns/<int:campaign_id>/report.pdf")
@roles_required(*READERS)
def report_pdf(campaign_id: int):
    c = _campaign(campaign_id)
    data = reports.analytic_pdf(reports.analytic(c))
    return _download(data, f"monitoring-{c.deadline:%Y-%m}.pdf", "application/pdf", inline=True)


@bp.get("/campaigns/<int:campaign_id>/report.xlsx")
@roles_required(*READERS)
def report_xlsx(campaign_id: int):
    c = _campaign(campaign_id)
    data = reports.analytic_xlsx(reports.analytic(c))
    return _download(data, f"monitoring-{c.deadline:%Y-%m}.xlsx", XLSX)


# --- answering -------------------------------------------------------------------------------


def _refuse_foreign():
    return render_template(
        "errors/page.html",
        code=403,
        title="Это не ваша анкета",
        text="Эту анкету заполняет другой участник программы; ответить за него нельзя, "
        "и его ответы вам не видны. Ваши анкеты — в разделе «Мои анкеты».",
    ), 403


def _assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(
        Assignment, assignment_id, options=[joinedload(Assignment.campaign)]
    )
    if assignment is None:
        abort(404)
    return assignment


@bp.get("/my")
@roles_required(*ALL_ROLES)
def mine():
    rows = db.session.scalars(
        service.my_assignments_query(current_user).order_by(
            Assignment.submitted_at.is_not(None), Assignment.due_on, Assignment.id
        )
    ).all()
    return render_template("monitoring/mine.html", assignments=rows)


def _render_answer(assignment: Assignment, status: int = 200, missing=frozenset()):
    return render_template(
        "monitoring/answer.html",
        a=assignment,
        q=assignment.questionnaire,
        answers=service.answers_of(assignment),
        missing=missing,
        kinds=QuestionKind,
        button_form=EmptyForm(),
    ), status


@bp.get("/answer/<int:assignment_id>")
@roles_required(*ALL_ROLES)
def answer(assignment_id: int):
    assignment = _assignment(assignment_id)
    if not service.belongs_to(assignment, current_user):
        return _refuse_foreign()
    return _render_answer(assignment)


@bp.post("/answer/<int:assignment_id>/q/<int:question_id>")
@roles_required(*ALL_ROLES)
def save_answer(assignment_id: int, question_id: int):
    assignment = _assignment(assignment_id)
    if not service.belongs_to(assignment, current_user):
        return _refuse_foreign()
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    question_id = question.id
    try:
        service.save_answer(assignment, question, request.form.getlist(f"q{question_id}"))
    except RuleViolation as exc:
        db.session.rollback()
        if not request.htmx:
            flash(exc.message, "error")
            return redirect(url_for(".answer", assignment_id=assignment_id) + f"#q{question_id}")
        return render_template(
            "monitoring/_saved.html", question=question, error=exc.message, saved=False
        ), 422
    # Rendered before the commit: afterwards every loaded object would be read again.
    fragment = render_template("monitoring/_saved.html", question=question, saved=True)
    db.session.commit()
    if not request.htmx:
        return redirect(url_for(".answer", assignment_id=assignment_id) + f"#q{question_id}")
    return fragment


@bp.post("/answer/<int:assignment_id>/submit")
@roles_required(*ALL_ROLES)
def submit(assignment_id: int):
    assignment = _assignment(assignment_id)
    if not service.belongs_to(assignment, current_user):
        return _refuse_foreign()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        # Without JavaScript nothing was saved as the person went: the form carries it all.
        if assignment.submitted_at is None:
            for question in assignment.questionnaire.questions:
                name = f"q{question.id}"
                if name in request.form:
                    service.save_answer(assignment, question, request.form.getlist(name))
        db.session.commit()
        service.submit(assignment)
    except service.MissingAnswers as exc:
        db.session.commit()  # what was typed stays
        flash(exc.message, "error")
        return _render_answer(assignment, 422, exc.question_ids)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render_answer(_assignment(assignment_id), 422)
    db.session.commit()
    flash("Спасибо! Анкета отправлена.", "success")
    return redirect(url_for(".mine"))


@bp.get("/assignments/<int:assignment_id>")
@roles_required(*ALL_ROLES)
def answers(assignment_id: int):
    """One person's answers: to themselves and to the curator, never to anyone else."""
    assignment = _assignment(assignment_id)
    if not service.may_read_answers(assignment, current_user):
        return _refuse_foreign()
    if assignment.person_id is not None and not service.belongs_to(assignment, current_user):
        audit.record(
            "answers_read", "person", assignment.person_id, summary=assignment.questionnaire.label
        )
        db.session.commit()
    return render_template(
        "monitoring/answers.html",
        a=assignment,
        q=assignment.questionnaire,
        answers=service.answers_of(assignment),
        kinds=QuestionKind,
    )


# --- the annual report -----------------------------------------------------------------------


def _annual(kind: str, year: int, create: bool = False) -> AnnualReport:
    if kind not in PeriodKind.__members__.values() or not 2000 <= year <= 2100:
        abort(404)
    report = db.session.scalar(
        select(AnnualReport).where(AnnualReport.period_kind == kind, AnnualReport.year == year)
    )
    if report is None:
        # Reading a report never stores anything: an unsaved one is counted just the same.
        report = AnnualReport(period_kind=kind, year=year)
        if create:
            report.created_by = _login()
            db.session.add(report)
    return report


@bp.get("/annual/open")
@roles_required(*MANAGERS)
def annual_open():
    form = AnnualOpenForm(request.args, meta={"csrf": False})
    if not form.validate():
        flash("Укажите период и год числом.", "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".annual", kind=form.kind.data, year=form.year.data))


@bp.get("/annual/<kind>/<int:year>")
@roles_required(*MANAGERS)
def annual(kind: str, year: int):
    report = _annual(kind, year)
    return _render_annual(report)


def _render_annual(report: AnnualReport, status: int = 200, form=None):
    fig = annual_service.figures(report)
    return render_template(
        "monitoring/annual.html",
        report=report,
        fig=fig,
        target=annual_service.TARGET_SHARE,
        form=form or AnnualForm(obj=report),
        sent_form=SentForm(sent_on=report.sent_on or today_moscow()),
        mapping_forms=db.session.scalars(
            select(MentorshipForm).order_by(MentorshipForm.scope.desc(), MentorshipForm.id)
        ).all(),
    ), status


@bp.post("/annual/<kind>/<int:year>")
@roles_required(*MANAGERS)
def annual_save(kind: str, year: int):
    report = _annual(kind, year, create=True)
    form = AnnualForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_annual(_annual(kind, year), 422, form)
    report.students_10_plus = form.students_10_plus.data
    db.session.commit()
    flash("Число обучающихся сохранено.", "success")
    return redirect(url_for(".annual", kind=kind, year=year))


@bp.post("/annual/<kind>/<int:year>/sent")
@roles_required(*MANAGERS)
def annual_sent(kind: str, year: int):
    report = _annual(kind, year, create=True)
    form = SentForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash("Укажите дату отправки.", "error")
        return redirect(url_for(".annual", kind=kind, year=year))
    try:
        annual_service.mark_sent(report, form.sent_on.data)
    except RuleViolation as exc:
        _fail(exc.message)
        return redirect(url_for(".annual", kind=kind, year=year))
    audit.record("annual_report_sent", "annual_report", report.id, summary=report.period_title)
    db.session.commit()
    flash("Отметка об отправке сохранена; цифры отчёта зафиксированы.", "success")
    return redirect(url_for(".annual", kind=kind, year=year))


@bp.get("/annual/<kind>/<int:year>/people")
@roles_required(*MANAGERS)
def annual_people(kind: str, year: int):
    report = _annual(kind, year)
    figure = request.args.get("figure", "")
    category = request.args.get("category")
    try:
        people = annual_service.people_behind(report, figure, category)
    except RuleViolation:
        abort(404)
    return render_template(
        "monitoring/annual_people.html",
        report=report,
        people=people,
        figure_title=annual_service.FIGURES[figure],
        category=category,
    )


@bp.get("/annual/<kind>/<int:year>.xlsx")
@roles_required(*MANAGERS)
def annual_xlsx(kind: str, year: int):
    report = _annual(kind, year)
    data = reports.annual_xlsx(report, annual_service.figures(report))
    return _download(data, f"annual-{kind}-{year}.xlsx", XLSX)


@bp.get("/annual/<kind>/<int:year>.pdf")
@roles_required(*MANAGERS)
def annual_pdf(kind: str, year: int):
    report = _annual(kind, year)
    data = reports.annual_pdf(report, annual_service.figures(report))
    return _download(data, f"annual-{kind}-{year}.pdf", "application/pdf", inline=True)
