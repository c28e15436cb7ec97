"""Pages of the base of best practices and of the contests."""

from urllib.parse import quote

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.access import ALL_ROLES, STAFF, roles_required
from portal.communication import practices as domain
from portal.communication.forms import ContestForm, EntryForm, PracticeForm, ResultForm
from portal.communication.models import Contest, ContestEntry, EntryFile, Practice
from portal.communication.plan import PlanErrors
from portal.communication.statuses import EntryStatus
from portal.communication.views import _show_errors, bp
from portal.documents.pdf import render_pdf
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm
from portal.matching.models import MentorshipForm, Pair
from portal.people.models import Person
from portal.timeutil import today_moscow


def _is_staff() -> bool:
    return current_user.has_any_role(STAFF)


def _forms() -> list[tuple[int, str]]:
    return [
        (f.id, f.name)
        for f in db.session.scalars(select(MentorshipForm).order_by(MentorshipForm.name))
    ]


@bp.get("/practices")
@roles_required(*ALL_ROLES)
def practices():
    """The catalogue: search and filters by form, format and year; the public ones for all."""
    text = request.args.get("q", "").strip()[:200]
    form_id = request.args.get("form", type=int)
    fmt = request.args.get("format") if request.args.get("format") in domain.ALL_FORMATS else None
    year = request.args.get("year", type=int)
    query = domain.search_query(text=text, form_id=form_id, fmt=fmt, year=year, staff=_is_staff())
    page = db.paginate(query, per_page=20, error_out=False)
    template = (
        "communication/_practice_rows.html" if request.htmx else "communication/practices.html"
    )
    return render_template(
        template,
        page=page,
        q=text,
        form_id=form_id,
        fmt=fmt,
        year=year,
        forms=_forms(),
        formats=domain.ALL_FORMATS,
        years=domain.years(),
        staff=_is_staff(),
        is_public=domain.is_public,
        pairs=domain.finished_pairs() if _is_staff() else [],
    )


def _practice_or_404(practice_id: int) -> Practice:
    practice = db.first_or_404(select(Practice).where(Practice.id == practice_id))
    if not _is_staff() and not domain.is_public(practice):
        abort(404)  # a practice not public does not exist beyond the staff
    return practice


@bp.get("/practices/<int:practice_id>")
@roles_required(*ALL_ROLES)
def practice(practice_id: int):
    practice = _practice_or_404(practice_id)
    return render_template(
        "communication/practice.html",
        practice=practice,
        public=domain.is_public(practice),
        lacking=domain.lacking_publication_consent(practice.people, None),
        staff=_is_staff(),
    )


@bp.get("/practices/<int:practice_id>/card.pdf")
@roles_required(*ALL_ROLES)
def practice_pdf(practice_id: int):
    practice = _practice_or_404(practice_id)
    html = render_template(
        "communication/practice_pdf.html", practice=practice, today=today_moscow()
    )
    return current_app.response_class(
        render_pdf(html, static_root=current_app.static_folder),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=practice-{practice.id}.pdf"},
    )


def _practice_choices(form: PracticeForm) -> None:
    form.form_id.choices = [(0, "— не указана —"), *_forms()]
    form.formats.choices = [(f, f) for f in domain.ALL_FORMATS]
    people = db.session.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name)
        .where(Person.anonymised_at.is_(None), (Person.is_mentor | Person.is_mentee))
        .order_by(Person.last_name, Person.first_name)
    )
    form.people.choices = [(pid, " ".join(p for p in names if p)) for pid, *names in people]


def _practice_form(practice: Practice | None):
    if request.method == "POST":
        form = PracticeForm()
        _practice_choices(form)
        return form
    form = PracticeForm(obj=practice)
    _practice_choices(form)
    if practice is not None:
        form.form_id.data = practice.form_id or 0
        form.formats.data = practice.format_names
        form.people.data = [p.id for p in practice.people]
        return form
    pair_id = request.args.get("pair_id", type=int)
    form.year.data = today_moscow().year
    if pair_id:
        pair = db.first_or_404(select(Pair).where(Pair.id == pair_id))
        try:
            values, people = domain.draft_from_pair(pair)
        except RuleViolation as exc:
            flash(str(exc), "error")
            return form
        for name in ("title", "year", "problem", "actions", "results", "authors"):
            getattr(form, name).data = values[name]
        form.form_id.data = values["form_id"]
        form.formats.data = values["formats"]
        form.people.data = [p.id for p in people]
        form.pair_id.data = str(pair.id)
    return form


def _save_practice(practice: Practice | None):
    form = _practice_form(practice)
    if request.method == "GET" or not form.validate_on_submit():
        code = 200 if request.method == "GET" else 422
        return render_template(
            "communication/practice_form.html", form=form, practice=practice
        ), code
    people = list(db.session.scalars(select(Person).where(Person.id.in_(form.people.data or [0]))))
    pair_id = int(form.pair_id.data) if (form.pair_id.data or "").isdigit() else None
    if pair_id and db.session.get(Pair, pair_id) is None:
        pair_id = None
    values = {
        "title": form.title.data.strip(),
        "form_id": form.form_id.data or None,
        "year": form.year.data,
        "problem": form.problem.data or None,
        "actions": form.actions.data or None,
        "results": form.results.data or None,
        "materials": form.materials.data or None,
        "authors": (form.authors.data or "").strip() or None,
        "pair_id": pair_id if practice is None else practice.pair_id,
        "public": form.public.data,
    }
    try:
        saved = domain.save_practice(
            practice, values, form.formats.data or [], people, actor=current_user
        )
    except PlanErrors as exc:
        db.session.rollback()
        _show_errors(form, exc.errors)
        return render_template(
            "communication/practice_form.html", form=form, practice=practice
        ), 422
    db.session.commit()
    flash("Практика сохранена.", "success")
    return redirect(url_for("communication.practice", practice_id=saved.id))


@bp.route("/practices/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_practice():
    return _save_practice(None)


@bp.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_practice(practice_id: int):
    return _save_practice(db.first_or_404(select(Practice).where(Practice.id == practice_id)))


# --- contests ------------------------------------------------------------------------------


@bp.route("/contests", methods=["GET", "POST"])
@roles_required(*STAFF)
def contests():
    """The contests with their deadlines, and the form to add one."""
    form = ContestForm()
    code = 200
    if request.method == "POST":
        if form.validate_on_submit():
            values = {
                "title": form.title.data.strip(),
                "organiser": form.organiser.data.strip(),
                "applications_until": form.applications_until.data,
                "results_by": form.results_by.data,
                "link": (form.link.data or "").strip() or None,
            }
            try:
                contest = domain.create_contest(
                    values, form.nominations.data.splitlines(), actor=current_user
                )
            except PlanErrors as exc:
                db.session.rollback()
                _show_errors(form, exc.errors)
                code = 422
            else:
                db.session.commit()
                flash("Конкурс добавлен.", "success")
                return redirect(url_for("communication.contest", contest_id=contest.id))
        else:
            code = 422
    items = db.session.scalars(select(Contest).order_by(Contest.applications_until.desc()))
    return render_template(
        "communication/contests.html", contests=list(items), form=form, today=today_moscow()
    ), code


def _contest_page(contest: Contest, entry_form=None, code=200):
    entry_form = entry_form or EntryForm(formdata=None)
    _entry_choices(entry_form, contest)
    return render_template(
        "communication/contest.html",
        contest=contest,
        entry_form=entry_form,
        result_form=ResultForm(formdata=None),
        action=EmptyForm(),
        today=today_moscow(),
        EntryStatus=EntryStatus,
    ), code


def _entry_choices(form: EntryForm, contest: Contest) -> None:
    form.practice_id.choices = [
        (p.id, p.title) for p in db.session.scalars(select(Practice).order_by(Practice.title))
    ]
    form.nomination_id.choices = [(n.id, n.name) for n in contest.nominations]


@bp.get("/contests/<int:contest_id>")
@roles_required(*STAFF)
def contest(contest_id: int):
    return _contest_page(db.first_or_404(select(Contest).where(Contest.id == contest_id)))


@bp.post("/contests/<int:contest_id>/entries")
@roles_required(*STAFF)
def add_entry(contest_id: int):
    contest = db.first_or_404(select(Contest).where(Contest.id == contest_id))
    form = EntryForm()
    _entry_choices(form, contest)
    if not form.validate_on_submit():
        return _contest_page(contest, form, 422)
    practice = db.session.get(Practice, form.practice_id.data)
    files = [(f.filename, f.read()) for f in request.files.getlist(form.files.name) if f.filename]
    try:
        domain.enter(
            contest, practice, form.nomination_id.data, files, today_moscow(), actor=current_user
        )
    except RuleViolation as exc:
        db.session.rollback()
        contest = db.session.get(Contest, contest_id)
        form.form_errors.append(str(exc))
        return _contest_page(contest, form, 422)
    db.session.commit()
    flash("Практика заявлена на конкурс.", "success")
    return redirect(url_for("communication.contest", contest_id=contest.id))


def _entry_or_404(entry_id: int) -> ContestEntry:
    return db.first_or_404(select(ContestEntry).where(ContestEntry.id == entry_id))


@bp.post("/contest-entries/<int:entry_id>/submit")
@roles_required(*STAFF)
def submit_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        domain.submit(entry, today_moscow(), actor=current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Заявка подана.", "success")
    return redirect(url_for("communication.contest", contest_id=entry.contest_id))


@bp.post("/contest-entries/<int:entry_id>/result")
@roles_required(*STAFF)
def entry_result(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = ResultForm()
    if not form.validate_on_submit():
        flash("Укажите результат.", "error")
        return redirect(url_for("communication.contest", contest_id=entry.contest_id))
    try:
        domain.record_result(entry, form.result.data, actor=current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Результат записан.", "success")
    return redirect(url_for("communication.contest", contest_id=entry.contest_id))


@bp.get("/contest-entries/<int:entry_id>/files/<int:file_id>")
@roles_required(*STAFF)
def entry_file(entry_id: int, file_id: int):
    stored = db.first_or_404(
        select(EntryFile).where(EntryFile.id == file_id, EntryFile.entry_id == entry_id)
    )
    return current_app.response_class(
        stored.data,
        mimetype=stored.mimetype,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(stored.filename)}"},
    )


def _quote(name: str) -> str:
    return quote(name)
