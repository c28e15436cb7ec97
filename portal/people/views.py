"""The bases of mentees and mentors, person cards, representatives, consents, import and export."""

from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.access import ALL_ROLES, MANAGERS, STAFF, roles_required
from portal.documents.pdf import PdfRenderError, render_pdf
from portal.documents.tables import TableError, write_csv, write_xlsx
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm, choices
from portal.participation import Period
from portal.people import access
from portal.people.anonymise import anonymise, can_anonymise
from portal.people.columns import BASE_TITLES, BASES, SHEET_TITLES, columns_for, screen_columns
from portal.people.consents import (
    KINDS,
    METHODS,
    Scan,
    destruction_due,
    record_consent,
    revoke_consent,
)
from portal.people.forms import ConsentForm, ImportForm, PersonForm, RepresentativeForm, RevokeForm
from portal.people.imports import (
    SKIP,
    analyse,
    commit_batch,
    confirm_mapping,
    fix_cell,
    mapping_page,
    start_batch,
    template_xlsx,
)
from portal.people.inventory import consent_data_lines
from portal.people.models import (
    CATEGORIES,
    STATUSES,
    Consent,
    ImportBatch,
    Person,
    Representative,
)
from portal.people.mydata import history_value, my_data_xlsx
from portal.people.registry import (
    CONSENT_TITLES,
    LABELS,
    TAG_FIELDS,
    ListFilters,
    base_query,
    clean_person,
    clubs,
    export_people,
    export_rows,
    likely_duplicates,
    link_representative,
    parse_date_value,
    remove_representative,
    save_person,
    tag_vocabulary,
)
from portal.people.rules import (
    children_of,
    consent_state,
    consent_variant,
    representatives_of,
    signing_rule,
)
from portal.relations import pair_info, pairs_of_person
from portal.settings.models import get_settings
from portal.statuses import PersonCategory
from portal.text import fold
from portal.timeutil import today_moscow
from portal.writelock import begin_write

bp = Blueprint("people", __name__, url_prefix="/people")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAG_TITLES = {"interests": "Интересы", "competencies": "Компетенции", "requests": "Запросы"}
FIELD_LABELS = {
    **LABELS,
    **TAG_TITLES,
    "is_mentor": "В базе наставников",
    "is_mentee": "В базе наставляемых",
    "consent": "Согласие",
    "signed_by": "Подписал(а)",
    "co_signed_by": "Соподпись",
    "signed_on": "Дата подписания",
    "method": "Способ",
    "scan": "Скан",
    "revoked_on": "Дата отзыва",
    "revoke_reason": "Основание отзыва",
    "representative": "Законный представитель",
}


def _base_arg() -> str:
    base = request.args.get("base", "mentees")
    if base not in BASES:
        abort(404)
    return base


def _person(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_global("consent_state_of")
def consent_state_of(person: Person, kind: str = "processing") -> str:
    return consent_state(person, kind)


@bp.app_template_global("signing_rule_of")
def signing_rule_of(person: Person):
    return signing_rule(person)


# --- the bases ----------------------------------------------------------------------------


def _list(base: str):
    filters = ListFilters.from_args(request.args)
    page = db.paginate(
        base_query(base, filters), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    info = pair_info([p.id for p in page.items])
    context = {
        "base": base,
        "page": page,
        "info": info,
        "filters": filters,
        "titles": screen_columns(base),
        "consent_titles": CONSENT_TITLES,
        "endpoint": f"people.{base}",
    }
    if request.htmx and not request.headers.get("HX-Boosted"):
        return render_template("people/_rows.html", **context)
    context.update(categories=CATEGORIES, statuses=STATUSES, clubs=clubs())
    return render_template("people/list.html", **context)


@bp.get("/mentees")
@roles_required(*STAFF)
def mentees():
    return _list("mentees")


@bp.get("/mentors")
@roles_required(*STAFF)
def mentors():
    return _list("mentors")


@bp.get("/me")
@roles_required(*ALL_ROLES)
def me():
    if current_user.person_id is None:
        flash(
            "Ваша учётная запись не связана с карточкой участника. Обратитесь к куратору.", "info"
        )
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("people.card", person_id=current_user.person_id))


@bp.get("/lookup")
@roles_required(*MANAGERS)
def lookup():
    """Find adults to pick as a representative, for the card's htmx search."""
    q = fold(request.args.get("q", ""))
    people = []
    if len(q) >= 2:
        query = (
            select(Person)
            .where(Person.search_key.contains(q, autoescape=True), Person.anonymised_at.is_(None))
            .order_by(Person.last_name, Person.first_name)
            .limit(10)
        )
        people = [p for p in db.session.scalars(query) if p.age is None or p.age >= 18]
    return render_template("people/_lookup.html", people=people, q=q)


# --- create and edit ----------------------------------------------------------------------


def _person_form_page(form, base, person, tags, duplicates=(), status=200):
    return render_template(
        "people/form.html",
        form=form,
        base=base,
        person=person,
        tags=tags,
        tag_titles=TAG_TITLES,
        vocabulary={key: tag_vocabulary(kind) for key, kind in TAG_FIELDS.items()},
        clubs=clubs(),
        duplicates=duplicates,
    ), status


def _save_from_form(form: PersonForm, base: str, person: Person | None):
    tags = form.tag_lists()
    cleaned = clean_person(form.raw_values(base, person, tags), base, person)
    for key, message in cleaned.errors.items():
        getattr(form, key).errors.append(message[0].upper() + message[1:])
    if not cleaned.ok:
        return None, tags, ()
    v = cleaned.values
    duplicates = likely_duplicates(
        v["last_name"],
        v["first_name"],
        v["middle_name"],
        v["birth_date"],
        exclude_id=person.id if person else None,
    )
    if duplicates and not form.confirm_duplicate.data:
        return None, tags, duplicates
    saved = save_person(person, cleaned, base)
    db.session.commit()
    return saved, tags, ()


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new():
    base = _base_arg()
    form = PersonForm()
    if request.method == "GET":
        form.category.data = PersonCategory.STUDENT if base == "mentees" else PersonCategory.TEACHER
        form.entered_on.data = today_moscow().isoformat()
        form.capacity.data = "1"
        return _person_form_page(form, base, None, {k: [] for k in TAG_FIELDS})
    if not form.validate_on_submit():
        abort(400)
    person, tags, duplicates = _save_from_form(form, base, None)
    if person is None:
        return _person_form_page(form, base, None, tags, duplicates, 422)
    flash(f"Карточка {person.full_name} создана.", "success")
    return redirect(url_for("people.card", person_id=person.id))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(person_id: int):
    person = _person(person_id)
    if person.anonymised_at is not None:
        flash("Запись обезличена и не редактируется.", "error")
        return redirect(url_for("people.card", person_id=person.id))
    base = "mentors" if person.is_mentor and not person.is_mentee else "mentees"
    if request.args.get("base") in BASES:
        base = request.args["base"]
    if request.method == "GET":
        form = PersonForm(obj=person)
        for key in ("birth_date", "entered_on", "completed_on"):
            value = getattr(person, key)
            getattr(form, key).data = value.isoformat() if value else ""
        tags = {key: person.tag_names(kind) for key, kind in TAG_FIELDS.items()}
        return _person_form_page(form, base, person, tags)
    form = PersonForm()
    if not form.validate_on_submit():
        abort(400)
    saved, tags, duplicates = _save_from_form(form, base, person)
    if saved is None:
        return _person_form_page(form, base, person, tags, duplicates, 422)
    flash("Изменения сохранены.", "success")
    return redirect(url_for("people.card", person_id=person.id))


# --- the card -----------------------------------------------------------------------------


def _representatives_context(person: Person, **extra) -> dict:
    """What the representatives block needs, and nothing else (it is re-rendered alone)."""
    context = {
        "person": person,
        "rule": signing_rule(person),
        "representatives": representatives_of(person),
        "child_links": db.session.scalars(
            select(Representative).where(Representative.representative_id == person.id)
        ).all(),
        "can_edit": access.can_edit(current_user),
        "can_browse": current_user.has_any_role(STAFF),
        "rep_form": RepresentativeForm(),
    }
    context.update(extra)
    return context


def _card_context(person: Person, **extra) -> dict:
    pairs = pairs_of_person(person)
    context = {
        **_representatives_context(person),
        "variant": consent_variant(person),
        "children": children_of(person),
        "consents": sorted(person.consents, key=lambda c: (c.signed_on, c.id), reverse=True),
        "consent_state": consent_state(person),
        "publication_state": consent_state(person, "publication"),
        "destruction": destruction_due(person),
        "kinds": KINDS,
        "methods": METHODS,
        "pairs": pairs,
        "open_pairs": [p for p in pairs if p.is_open],
        "show_contacts": access.can_see_contacts(current_user, person),
        "can_export": access.can_export_own_data(current_user, person),
        "can_see_history": access.can_see_history(current_user),
        "is_self": access.is_self(current_user, person),
        "history": audit.history("person", person.id)
        if access.can_see_history(current_user)
        else [],
        "anonymise_blocker": can_anonymise(person),
        "tag_titles": TAG_TITLES,
        "field_labels": FIELD_LABELS,
        "history_value": history_value,
        "form": EmptyForm(),
        "revoke_form": RevokeForm(formdata=None, revoked_on=today_moscow().isoformat()),
    }
    context.update(extra)
    return context


@bp.get("/<int:person_id>")
@roles_required(*ALL_ROLES)
def card(person_id: int):
    person = _person(person_id)
    access.ensure_view(current_user, person)
    return render_template("people/card.html", **_card_context(person))


# --- representatives ----------------------------------------------------------------------


def _representatives_block(person: Person, rep_form=None, error=None, status=200):
    context = _representatives_context(
        person, rep_form=rep_form or RepresentativeForm(), rep_error=error
    )
    return render_template("people/_representatives.html", **context), status


@bp.post("/<int:person_id>/representatives")
@roles_required(*MANAGERS)
def add_rep(person_id: int):
    child = _person(person_id)
    form = RepresentativeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        representative = link_representative(
            child,
            representative_id=_int_or_none(form.representative_id.data),
            new_person={
                "last_name": form.new_last_name.data,
                "first_name": form.new_first_name.data,
                "middle_name": form.new_middle_name.data,
                "phone": form.new_phone.data,
                "email": form.new_email.data,
            },
            relation=form.relation.data,
            authority_document=form.authority_document.data,
        )
    except (RuleViolation, ValueError) as exc:
        db.session.rollback()
        message = exc.message if isinstance(exc, RuleViolation) else "Неверный выбор."
        return _representatives_block(child, form, message, 422)
    db.session.commit()
    flash(f"{representative.full_name} — законный представитель ({form.relation.data}).", "success")
    if request.htmx:
        return _representatives_block(child)
    return redirect(url_for("people.card", person_id=child.id))


@bp.post("/<int:person_id>/representatives/<int:link_id>/delete")
@roles_required(*MANAGERS)
def remove_rep(person_id: int, link_id: int):
    link = db.get_or_404(Representative, link_id)
    if link.child_id != person_id or not EmptyForm().validate_on_submit():
        abort(404 if link.child_id != person_id else 400)
    remove_representative(link)
    db.session.commit()
    flash("Связь с представителем удалена.", "success")
    return redirect(url_for("people.card", person_id=person_id))


# --- consents -----------------------------------------------------------------------------


def _consent_form(person: Person) -> ConsentForm:
    form = ConsentForm()
    reps = [link.representative for link in representatives_of(person)]
    signers = [person, *reps]
    form.signed_by.choices = choices(
        [
            (p.id, f"{p.full_name}" + (" (сам(а))" if p.id == person.id else " (представитель)"))
            for p in signers
        ]
    )
    form.co_signed_by.choices = choices(
        [("", "— без соподписи —"), *[(p.id, p.full_name) for p in reps]]
    )
    if request.method == "GET":
        rule = signing_rule(person)
        form.signed_on.data = today_moscow().isoformat()
        if rule.mode == "representative" and reps:
            form.signed_by.data = str(reps[0].id)
        else:
            form.signed_by.data = str(person.id)
        if rule.mode == "self_with_representative" and reps:
            form.co_signed_by.data = str(reps[0].id)
        if request.args.get("kind") in KINDS:
            form.kind.data = request.args["kind"]
    return form


@bp.route("/<int:person_id>/consents/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def consent_new(person_id: int):
    person = _person(person_id)
    form = _consent_form(person)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        else:
            try:
                signed_on = parse_date_value(form.signed_on.data)
            except ValueError:
                signed_on = None
                form.signed_on.errors.append("Такой даты нет.")
            upload = request.files.get("scan")
            scan = None
            if upload is not None and upload.filename:
                with upload.stream:
                    scan = Scan(upload.filename, upload.read())
            people = {
                p.id: p for p in [person, *[r.representative for r in representatives_of(person)]]
            }
            try:
                if not form.signed_on.errors:
                    record_consent(
                        person,
                        kind=form.kind.data,
                        signed_by=people.get(_int_or_none(form.signed_by.data)),
                        co_signed_by=people.get(_int_or_none(form.co_signed_by.data)),
                        signed_on=signed_on,
                        method="paper",
                        scan=scan,
                        actor=current_user,
                    )
                    db.session.commit()
                    flash(f"Согласие {KINDS[form.kind.data]} записано.", "success")
                    return redirect(url_for("people.card", person_id=person.id))
            except RuleViolation as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
        status = 422
    else:
        status = 200
    return render_template(
        "people/consent_form.html",
        form=form,
        person=person,
        rule=signing_rule(person),
        variant=consent_variant(person),
    ), status


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _consent_of(person_id: int, consent_id: int) -> Consent:
    consent = db.get_or_404(Consent, consent_id)
    if consent.person_id != person_id:
        abort(404)
    return consent


@bp.post("/<int:person_id>/consents/<int:consent_id>/revoke")
@roles_required(*MANAGERS)
def consent_revoke(person_id: int, consent_id: int):
    consent = _consent_of(person_id, consent_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        try:
            revoked_on = parse_date_value(form.revoked_on.data)
        except ValueError as exc:
            raise RuleViolation("Дата отзыва: такой даты нет.") from exc
        flagged = revoke_consent(
            consent, revoked_on=revoked_on, reason=form.reason.data, actor=current_user
        )
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("people.card", person_id=person_id))
    db.session.commit()
    message = "Согласие отозвано."
    if flagged:
        message += (
            f" {len(flagged)} пар(ы) отмечены для куратора: работа с участником "
            "приостановлена до решения."
        )
    flash(message, "warning" if flagged else "success")
    return redirect(url_for("people.card", person_id=person_id))


@bp.get("/<int:person_id>/consents/<int:consent_id>/scan")
@roles_required(*MANAGERS)
def consent_scan(person_id: int, consent_id: int):
    consent = _consent_of(person_id, consent_id)
    if not consent.scan:
        abort(404)
    # An uploaded file goes back only as a download: never rendered in the portal's origin.
    response = _download(
        consent.scan,
        consent.scan_filename or "скан",
        consent.scan_mimetype or "application/octet-stream",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/<int:person_id>/consent.pdf")
@roles_required(*ALL_ROLES)
def consent_pdf(person_id: int):
    person = _person(person_id)
    access.ensure_export(current_user, person)
    kind = request.args.get("kind", "processing")
    if kind not in KINDS:
        abort(404)
    reps = representatives_of(person)
    html = render_template(
        "people/consent_pdf.html",
        person=person,
        kind=kind,
        rule=signing_rule(person),
        variant=consent_variant(person),
        representative=reps[0] if reps else None,
        settings=get_settings(),
        today=today_moscow(),
        data_lines=consent_data_lines(),
    )
    try:
        pdf = render_pdf(html, static_root=current_app.static_folder)
    except PdfRenderError as exc:
        current_app.logger.error("consent pdf: %s", exc.detail)
        flash(exc.message_ru, "error")
        return redirect(url_for("people.card", person_id=person.id))
    response = Response(pdf, mimetype="application/pdf")
    name = f"Согласие {person.last_name} {person.first_name}.pdf"
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


# --- personal-data duties -----------------------------------------------------------------


@bp.get("/<int:person_id>/my-data.xlsx")
@roles_required(*ALL_ROLES)
def my_data(person_id: int):
    person = _person(person_id)
    access.ensure_export(current_user, person)
    data = my_data_xlsx(person)
    # 152-ФЗ: who received a person's data is recorded (append-only; nothing else changes).
    audit.record(
        "person_data_exported",
        "person",
        person.id,
        summary="Выгружены все данные человека одним файлом (по запросу)",
    )
    db.session.commit()
    return _download(data, f"Мои данные {person.id}.xlsx", XLSX)


@bp.post("/<int:person_id>/anonymise")
@roles_required(*MANAGERS)
def anonymise_person(person_id: int):
    person = _person(person_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        anonymise(person, actor=current_user)
    except RuleViolation as exc:
        flash(exc.message, "error")
        return redirect(url_for("people.card", person_id=person.id))
    db.session.commit()
    flash(
        "Запись обезличена: ФИО, контакты, день и месяц рождения, заметки и сканы стёрты.",
        "success",
    )
    return redirect(url_for("people.card", person_id=person.id))


# --- export and import --------------------------------------------------------------------


def _export_period() -> Period | None:
    """?year=2026: everyone who took part in a pair that year; RuleViolation if malformed."""
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise RuleViolation("Год выгрузки — четыре цифры, например 2026.")
    return Period.year(int(raw))


def _export(fmt: str):
    base = _base_arg()
    filters = ListFilters.from_args(request.args)
    try:
        period = _export_period()
    except RuleViolation as exc:
        flash(exc.message, "error")
        return redirect(url_for(f"people.{base}"))
    settings = get_settings()
    people = export_people(base, filters, period)
    rows = export_rows(base, people, settings["org_short_name"], period)
    columns = [c.table_column() for c in columns_for(base)]
    short = settings["org_short_name"]
    title = f"{SHEET_TITLES[base]} {short.replace('Центр', 'Центра', 1)}"
    filename = f"{SHEET_TITLES[base]} {today_moscow():%d.%m.%Y}"
    if period is not None:
        title += f" за {period.start.year} год"
        filename = f"{SHEET_TITLES[base]} за {period.start.year} год"
    # 152-ФЗ: a base is personal data; who exported what is recorded (append-only).
    audit.record(
        "people_exported",
        "person_base",
        None,
        {"filters": [None, {**filters.active, "year": request.args.get("year")}]}
        if filters.active or period
        else None,
        summary=f"Выгрузка: {BASE_TITLES[base].lower()}, {fmt.upper()}, строк: {len(rows)}",
    )
    db.session.commit()
    if fmt == "csv":
        return _download(write_csv(columns, rows), f"{filename}.csv", "text/csv; charset=utf-8")
    data = write_xlsx(
        title,
        columns,
        rows,
        sheet_name=BASE_TITLES[base],
        subtitle=f"{settings['org_full_name']}. Выгружено {today_moscow():%d.%m.%Y}",
    )
    return _download(data, f"{filename}.xlsx", XLSX)


@bp.get("/export.xlsx")
@roles_required(*STAFF)
def export_xlsx():
    return _export("xlsx")


@bp.get("/export.csv")
@roles_required(*STAFF)
def export_csv():
    return _export("csv")


@bp.get("/import/template.xlsx")
@roles_required(*MANAGERS)
def import_template():
    base = _base_arg()
    return _download(template_xlsx(base), f"Шаблон — {BASE_TITLES[base].lower()}.xlsx", XLSX)


def _batch(batch_id: int, *, lock: bool = False) -> ImportBatch:
    """The user's own upload; with `lock`, held for this request's change (a row lock on
    PostgreSQL, the write lock on SQLite, which ignores FOR UPDATE), read afresh."""
    if lock:
        begin_write()
    batch = db.session.get(ImportBatch, batch_id, with_for_update=lock, populate_existing=lock)
    if batch is None:
        abort(404)
    access.ensure_owner(current_user, batch)
    return batch


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_upload():
    form = ImportForm()
    if request.method == "GET":
        form.base.data = (
            request.args.get("base") if request.args.get("base") in BASES else "mentees"
        )
        return render_template("people/import.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    if form.base.data not in BASES:
        form.base.errors.append("Выберите базу.")
        return render_template("people/import.html", form=form), 422
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors.append("Выберите файл XLSX или CSV.")
        return render_template("people/import.html", form=form), 422
    with upload.stream:
        data = upload.read()
    try:
        batch = start_batch(data, upload.filename, form.base.data, current_user)
    except TableError as exc:
        db.session.rollback()
        form.file.errors.append(exc.message_ru)
        return render_template("people/import.html", form=form), 422
    db.session.commit()
    step = "people.import_preview" if batch.mapping is not None else "people.import_columns"
    return redirect(url_for(step, batch_id=batch.id), 303)


def _columns_page(page, status=200):
    return (
        render_template(
            "people/import_columns.html",
            page=page,
            form=EmptyForm(),
            base_title=BASE_TITLES[page.batch.base],
        ),
        status,
    )


@bp.get("/import/<int:batch_id>/columns")
@roles_required(*MANAGERS)
def import_columns(batch_id: int):
    batch = _batch(batch_id)
    if batch.committed_at is not None:
        return redirect(url_for(f"people.{batch.base}"))
    return _columns_page(mapping_page(batch, request.args.get("sheet")))


@bp.post("/import/<int:batch_id>/columns")
@roles_required(*MANAGERS)
def import_columns_confirm(batch_id: int):
    batch = _batch(batch_id, lock=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if batch.committed_at is not None:
        return redirect(url_for(f"people.{batch.base}"))
    sheet = request.form.get("sheet") or ""
    header_row = _int_or_none(request.form.get("header_row"))
    # A sheet is read to 200 columns at most; a forged count must not make a long loop.
    count = min(_int_or_none(request.form.get("count")) or 0, MAX_IMPORT_COLUMNS)
    keys = [(request.form.get(f"column-{i}") or "").strip() for i in range(max(count, 0))]
    page = confirm_mapping(
        batch, sheet, header_row, keys, bool(request.form.get("confirm_drop")), current_user
    )
    if page.errors:
        db.session.rollback()
        return _columns_page(page, 422)
    db.session.commit()
    return redirect(url_for("people.import_preview", batch_id=batch.id), 303)


MAX_IMPORT_COLUMNS = 200
PREVIEW_FILTERS = {
    "all": "Все",
    "errors": "С ошибками",
    "new": "Новые",
    "existing": "Уже в базе",
    "cleaned": "Исправленные имена",
}
PREVIEW_LIMIT = 500


def _preview_context(batch: ImportBatch, show: str) -> dict:
    report = analyse(batch)
    rows = report.filtered(show)
    return {
        "batch": batch,
        "report": report,
        "show": show,
        "rows": rows[:PREVIEW_LIMIT],
        "total": len(rows),
        "filters": PREVIEW_FILTERS,
        "limit": PREVIEW_LIMIT,
        "form": EmptyForm(),
        "base_title": BASE_TITLES[batch.base],
        "skip_key": SKIP,
    }


@bp.get("/import/<int:batch_id>")
@roles_required(*MANAGERS)
def import_preview(batch_id: int):
    batch = _batch(batch_id)
    if batch.committed_at is not None:
        return redirect(url_for(f"people.{batch.base}"))
    if batch.mapping is None:
        return redirect(url_for("people.import_columns", batch_id=batch.id))
    show = request.args.get("show") if request.args.get("show") in PREVIEW_FILTERS else "all"
    context = _preview_context(batch, show)
    if request.htmx and request.htmx.target == "import-table":
        response = make_response(render_template("people/_import_table.html", **context))
    else:
        response = make_response(render_template("people/import_preview.html", **context))
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post("/import/<int:batch_id>/rows/<int:number>")
@roles_required(*MANAGERS)
def import_fix(batch_id: int, number: int):
    batch = _batch(batch_id, lock=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if batch.committed_at is not None or batch.mapping is None:
        return redirect(url_for("people.import_preview", batch_id=batch.id))
    key = request.form.get("key") or ""
    try:
        fix_cell(batch, number, key, request.form.get("value") or "")
    except RuleViolation as exc:
        db.session.rollback()
        return exc.message, 422
    db.session.commit()
    show = request.form.get("show") if request.form.get("show") in PREVIEW_FILTERS else "all"
    if not request.htmx:
        return redirect(url_for("people.import_preview", batch_id=batch.id, show=show), 303)
    context = _preview_context(batch, show)
    row = next(
        (r for r in context["report"].rows + context["report"].skipped if r.number == number), None
    )
    return render_template("people/_import_fix.html", row=row, **context)


@bp.post("/import/<int:batch_id>/commit")
@roles_required(*MANAGERS)
def import_commit(batch_id: int):
    # Locked: a double click or two workers must not store the same file twice
    # (a row lock on PostgreSQL, the database write lock on SQLite).
    begin_write()
    batch = db.session.get(ImportBatch, batch_id, with_for_update=True, populate_existing=True)
    if batch is None:
        flash(
            "Проверенный файл больше не хранится (вы загрузили другой). Загрузите его снова.",
            "error",
        )
        return redirect(url_for("people.import_upload"))
    access.ensure_owner(current_user, batch)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        created, existing = commit_batch(batch, current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
        if batch.committed_at is None and batch.mapping is not None:
            return redirect(url_for("people.import_preview", batch_id=batch.id))
        return redirect(url_for("people.import_upload", base=batch.base))
    db.session.commit()
    message = f"Загружено новых записей: {created}."
    if existing:
        message += f" Уже были в базе и не созданы повторно: {existing}."
    flash(message, "success")
    return redirect(url_for(f"people.{batch.base}"))
