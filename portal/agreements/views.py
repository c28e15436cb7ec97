"""Agreement pages: archive, drafting, issuing, signing (password or code), PDF, verification."""

from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.hazmat.primitives import hashes
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from portal import audit
from portal.access import ALL_ROLES, MANAGERS, Role, ensure, roles_required
from portal.accounts import sessions
from portal.agreements import (
    archive,
    handover,
    lifecycle,
    paper,
    parties,
    render,
    signing,
    templates,
    trail,
)
from portal.agreements import verify as verification
from portal.agreements.access import can_view, is_manager, visible_agreements
from portal.agreements.forms import (
    DeclineForm,
    DraftForm,
    ExtendForm,
    HandoverForm,
    NewAgreementForm,
    PaperSignForm,
    RulesForm,
    SealForm,
    SignerKeyForm,
    SignForm,
    TemplateForm,
    TerminateForm,
    VerifyForm,
)
from portal.agreements.models import (
    ACTIVE,
    DRAFT,
    EXTENDED,
    KIND_AGREEMENT,
    SIGNED,
    SIGNED_STATUSES,
    SIGNING,
    STATUSES,
    Agreement,
    AgreementTemplate,
)
from portal.documents.pdf import PdfRenderError
from portal.documents.seal import SealError
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm, choices
from portal.matching.models import OPEN_PAIR_STATUSES, MentorshipForm, Pair
from portal.people.consents import Scan
from portal.statuses import AgreementMark, AgreementStatus
from portal.text import Case, full_name_in
from portal.timeutil import today_moscow

bp = Blueprint("agreements", __name__, url_prefix="/agreements")

PARTIES = (Role.ADMIN, Role.CURATOR, Role.MENTOR, Role.MENTEE, Role.PARENT)


@dataclass
class PairAgreementRow:
    """One mentee's agreement as the pair card shows it, with the next step for this user."""

    mentee: object
    agreement: Agreement | None
    signed: int = 0
    required: int = 0
    my_turn: bool = False


@bp.app_template_global("pair_agreement_rows")
def pair_agreement_rows(pair: Pair, user) -> list[PairAgreementRow]:
    """The pair card's agreements block: each current mentee's open agreement (the pair card
    lives in matching, which does not import agreements)."""
    members = {m.mentee_id: m.mentee for m in pair.current_members}
    if not members:
        return []
    found = {
        a.mentee_id: a
        for a in db.session.scalars(
            select(Agreement).where(
                Agreement.pair_id == pair.id,
                Agreement.mentee_id.in_(members),
                Agreement.kind == KIND_AGREEMENT,
                Agreement.status != AgreementStatus.TERMINATED,
            )
        )
    }
    rows = []
    for mentee_id, mentee in members.items():
        agreement = found.get(mentee_id)
        if agreement is not None and not can_view(user, agreement):
            agreement = None
        row = PairAgreementRow(mentee=mentee, agreement=agreement)
        if agreement is not None and agreement.issued:
            row.required = len(agreement.slots)
            row.signed = len(agreement.signatures)
            row.my_turn = agreement.status == AgreementStatus.SIGNING and bool(
                signing.slots_for_person(agreement, user.person_id)
            )
        rows.append(row)
    return rows


def _back_to_pair_or(agreement_id: int):
    """After an action started on the pair card, go back to it."""
    if request.form.get("return_to") == "pair":
        agreement = db.session.get(Agreement, agreement_id)
        return redirect(url_for("matching.pair", pair_id=agreement.pair_id))
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


def _request_info() -> signing.RequestInfo:
    return signing.RequestInfo(ip=request.remote_addr, user_agent=request.user_agent.string)


def _user():
    return current_user._get_current_object()


def _load(agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        abort(404)
    ensure(can_view(current_user, agreement))
    return agreement


def _refused(exc: RuleViolation, agreement_id: int):
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


# --- archive ---------------------------------------------------------------------------


@bp.get("")
@roles_required(*PARTIES)
def index():
    # GET writes nothing: the status the dates give today is computed, not stored here.
    effective = lifecycle.effective_status_sql()
    status = request.args.get("status", "")
    form_code = request.args.get("form", "")
    expiring = request.args.get("expiring") == "1"
    query = visible_agreements(current_user).join(Pair, Pair.id == Agreement.pair_id)
    if status == AgreementMark.TO_TERMINATE:
        query = query.where(Agreement.to_terminate.is_not(None))
    elif status in STATUSES:
        query = query.where(effective == status)
    if form_code:
        query = query.join(MentorshipForm, MentorshipForm.id == Pair.form_id).where(
            MentorshipForm.code == form_code
        )
    if expiring:
        today = today_moscow()
        query = query.where(
            effective.in_((SIGNED, ACTIVE, EXTENDED)),
            func.coalesce(Agreement.extended_until, Agreement.ends_on).between(
                today, today + timedelta(days=30)
            ),
        )
    query = query.order_by(Agreement.created_at.desc(), Agreement.id.desc())
    page = db.paginate(query, per_page=25, error_out=False)
    forms = db.session.scalars(select(MentorshipForm).order_by(MentorshipForm.name)).all()
    context = {
        "page": page,
        "status": status,
        "form_code": form_code,
        "expiring": expiring,
        "statuses": STATUSES,
        "forms": forms,
        "is_manager": is_manager(current_user),
        "today": today_moscow(),
        "status_of": lifecycle.effective_status,
    }
    if request.htmx and not request.headers.get("HX-Boosted"):
        return render_template("agreements/_list.html", **context)
    return render_template("agreements/index.html", **context)


@bp.get("/archive.zip")
@roles_required(*MANAGERS)
def archive_zip():
    try:
        start = date.fromisoformat(request.args.get("from", ""))
        end = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        flash("Укажите период архива: даты «с» и «по».", "error")
        return redirect(url_for("agreements.index"))
    ids = list(
        db.session.scalars(
            select(Agreement.id)
            .where(
                Agreement.pdf_hash.is_not(None),
                Agreement.starts_on >= start,
                Agreement.starts_on <= end,
            )
            .order_by(Agreement.number)
        )
    )
    for agreement_id in ids:
        agreement = lifecycle.lock(agreement_id)
        trail.append(
            agreement,
            "pdf_downloaded",
            actor=_user(),
            ip=request.remote_addr,
            data={"via": "архив", "period": f"{start}…{end}"},
        )
    db.session.commit()
    name = f"soglasheniya_{start:%Y%m%d}-{end:%Y%m%d}.zip"
    response = Response(stream_with_context(archive.stream_zip(ids)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- drafting --------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new():
    form = NewAgreementForm()
    pairs = db.session.scalars(
        select(Pair).where(Pair.status.in_(OPEN_PAIR_STATUSES)).order_by(Pair.id.desc())
    ).all()
    waiting = [
        p for p in pairs if any(lifecycle.open_agreement_for(p.id, m.id) is None for m in p.mentees)
    ]
    form.pair.choices = choices(
        [
            (
                p.id,
                f"{p.mentor.full_name} — {', '.join(m.short_name for m in p.mentees)} "
                f"({p.form.name})",
            )
            for p in waiting
        ]
    )
    if request.method == "GET" and request.args.get("pair"):
        form.pair.data = request.args["pair"]
    if form.validate_on_submit():
        pair = db.session.get(Pair, int(form.pair.data))
        try:
            created = lifecycle.create_drafts(pair, _user())
        except RuleViolation as exc:
            db.session.rollback()
            form.pair.errors.append(exc.message)
        else:
            db.session.commit()
            if request.form.get("return_to") == "pair":
                flash(
                    f"Черновик соглашения {created[0].number} готов: задачи и срок — по шаблону, "
                    "их можно изменить; затем «Выдать».",
                    "success",
                )
                return redirect(url_for("matching.pair", pair_id=pair.id))
            flash(f"Создано черновиков: {len(created)}. Проверьте задачи и срок.", "success")
            return redirect(url_for("agreements.edit", agreement_id=created[0].id))
    status = 422 if request.method == "POST" else 200
    return render_template("agreements/new.html", form=form, waiting=waiting), status


def _representative_choices(person) -> list:
    links = parties.representative_choices(person)
    return [("", "— первый по списку —")] + [
        (link.representative_id, f"{link.representative.full_name} ({link.relation})")
        for link in links
    ]


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(agreement_id: int):
    agreement = _load(agreement_id)
    if agreement.status != DRAFT:
        flash("Соглашение уже выпущено: его текст и условия изменить нельзя.", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = DraftForm(obj=agreement)
    form.mentor_representative.choices = choices(_representative_choices(agreement.pair.mentor))
    form.mentee_representative.choices = choices(_representative_choices(agreement.mentee))
    if request.method == "GET":
        form.mentor_representative.data = str(agreement.mentor_representative_id or "")
        form.mentee_representative.data = str(agreement.mentee_representative_id or "")
    if form.validate_on_submit():
        values = {
            "city": form.city.data.strip(),
            "agreement_date": form.agreement_date.data,
            "months": form.months.data,
            "tasks": form.tasks.data.strip(),
            "mentor_representative_id": int(form.mentor_representative.data or 0) or None,
            "mentee_representative_id": int(form.mentee_representative.data or 0) or None,
        }
        try:
            lifecycle.edit_draft(agreement, values, _user())
        except RuleViolation as exc:
            return _refused(exc, agreement.id)
        db.session.commit()
        flash("Черновик сохранён.", "success")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    status = 422 if request.method == "POST" else 200
    return render_template("agreements/edit.html", form=form, agreement=agreement), status


@bp.post("/<int:agreement_id>/issue")
@roles_required(*MANAGERS)
def issue(agreement_id: int):
    _load(agreement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        agreement = lifecycle.issue(agreement_id, _user())
    except RuleViolation as exc:
        return _refused(exc, agreement_id)
    db.session.commit()
    flash(f"{agreement.title} выпущено на подписание. Текст зафиксирован.", "success")
    return _back_to_pair_or(agreement_id)


@bp.post("/<int:agreement_id>/delete")
@roles_required(*MANAGERS)
def delete(agreement_id: int):
    _load(agreement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        lifecycle.delete_draft(agreement_id, _user())
    except RuleViolation as exc:
        return _refused(exc, agreement_id)
    db.session.commit()
    flash("Черновик удалён.", "success")
    return redirect(url_for("agreements.index"))


# --- one agreement ---------------------------------------------------------------------


def _show_context(agreement: Agreement) -> dict:
    manager = is_manager(current_user)
    context = {
        "agreement": agreement,
        "blocks": render.layout(agreement.text) if agreement.text else [],
        "effective": lifecycle.effective_status(agreement),
        "my_slots": signing.slots_for_person(agreement, current_user.person_id),
        "is_manager": manager,
        "extensions": db.session.scalars(
            select(Agreement).where(Agreement.parent_id == agreement.id).order_by(Agreement.id)
        ).all(),
        "empty_form": EmptyForm(),
    }
    context["esign_adopted"] = signing.esign_adopted()
    context["esign_off"] = signing.ESIGN_OFF
    if manager:
        context["paper_form"] = PaperSignForm(signed_on=today_moscow())
        context["key_holders"] = {
            s.person_id
            for s in agreement.slots
            if (account := handover.account_of(s.person_id)) and account.holds_signer_key
        }
        terminate_form = TerminateForm()
        terminate_form.kind.choices = choices(list(lifecycle.TERMINATION_KINDS.items()))
        context.update(
            terminate_form=terminate_form,
            extend_form=ExtendForm(months=6),
            events=trail.events(agreement),
            chain=trail.verify_chain(agreement),
            event_titles=trail.EVENT_TITLES,
            record_problems=verification.record_problems(agreement),
        )
    return context


@bp.get("/<int:agreement_id>")
@roles_required(*PARTIES)
def show(agreement_id: int):
    agreement = _load(agreement_id)
    return render_template("agreements/show.html", **_show_context(agreement))


@bp.get("/<int:agreement_id>.pdf")
@roles_required(*PARTIES)
def pdf(agreement_id: int):
    agreement = _load(agreement_id)
    if agreement.pdf_hash is None or agreement.status not in SIGNED_STATUSES:
        flash("PDF с печатью формируется, когда соглашение подписано всеми сторонами.", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    locked = lifecycle.lock(agreement.id)
    trail.append(
        locked,
        "pdf_downloaded",
        actor=_user(),
        ip=request.remote_addr,
        data={"pdf_hash": locked.pdf_hash},
    )
    db.session.commit()
    data = db.session.scalar(select(Agreement.pdf).where(Agreement.id == agreement.id))
    name = archive.file_name(agreement.number, agreement.mentee.last_name)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"agreement-{agreement.id}.pdf\"; filename*=UTF-8''{_quote(name)}"
    )
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- signing ---------------------------------------------------------------------------


@bp.route("/rules", methods=["GET", "POST"])
@roles_required(*PARTIES)
def rules():
    form = RulesForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        signing.accept_rules(_user(), _request_info())
        db.session.commit()
        flash("Правила простой электронной подписи приняты.", "success")
        target = form.next.data or ""
        if target.startswith("/agreements/") and "//" not in target:
            return redirect(target)
        return redirect(url_for("agreements.index"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "agreements/rules.html",
        form=form,
        rules_text=signing.rules_text(),
        accepted=signing.has_accepted_rules(current_user),
    ), status


def _slot_choices(slots) -> list:
    return choices(
        [
            (
                s.id,
                f"{s.role_label}"
                + (
                    f" за {full_name_in(s.on_behalf_of, Case.GENITIVE)}"
                    if s.capacity == "representative"
                    else ""
                ),
            )
            for s in slots
        ]
    )


@bp.route("/<int:agreement_id>/sign", methods=["GET", "POST"])
@roles_required(Role.MENTOR, Role.MENTEE, Role.PARENT)
def sign(agreement_id: int):
    agreement = _load(agreement_id)
    slots = signing.slots_for_person(agreement, current_user.person_id)
    if agreement.status != SIGNING or not slots:
        flash("Ваша подпись под этим соглашением сейчас не требуется.", "info")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    if not signing.esign_adopted():
        flash(signing.ESIGN_OFF, "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    if not signing.has_accepted_rules(current_user):
        return redirect(url_for("agreements.rules", next=request.path))
    form = SignForm()
    # Only the user's own slots are offered; a forged value is refused by the service.
    form.slot.choices = _slot_choices(slots)
    decline_form = DeclineForm()
    decline_form.slot.choices = _slot_choices(slots)
    if request.method == "GET":
        form.document_hash.data = agreement.text_hash
        locked = lifecycle.lock(agreement.id)
        trail.append(locked, "opened", actor=_user(), ip=request.remote_addr)
        db.session.commit()
    if request.method == "POST" and form.validate_on_submit():
        try:
            signing.sign_with_password(
                agreement.id,
                _user(),
                form.password.data,
                form.document_hash.data,
                _request_info(),
                slot_id=int(form.slot.data),
            )
        except RuleViolation as exc:
            db.session.rollback()
            form.password.data = ""
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash("Соглашение подписано простой электронной подписью.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    elif request.method == "POST" and "slot" in form.errors:
        form.form_errors.append(
            "Подписать можно только от своего имени: выбранная подпись вам не назначена."
        )
    agreement = db.session.get(Agreement, agreement_id)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "agreements/sign.html",
        agreement=agreement,
        form=form,
        decline_form=decline_form,
        blocks=render.layout(agreement.text),
        key_problem=None if current_user.holds_signer_key else signing.NO_SIGNER_KEY,
        minor_problem=next(
            (
                problem
                for s in slots
                if s.capacity != "representative"
                and (problem := signing.representative_rules_missing(s.person))
            ),
            None,
        ),
    ), status


@bp.post("/<int:agreement_id>/decline")
@roles_required(Role.MENTOR, Role.MENTEE, Role.PARENT)
def decline(agreement_id: int):
    agreement = _load(agreement_id)
    form = DeclineForm()
    form.slot.choices = _slot_choices(signing.slots_for_person(agreement, current_user.person_id))
    if not form.validate_on_submit():
        flash("Укажите причину отказа (не короче 5 символов).", "error")
        return redirect(url_for("agreements.sign", agreement_id=agreement.id))
    try:
        signing.decline(
            agreement.id, _user(), form.reason.data, _request_info(), slot_id=int(form.slot.data)
        )
    except RuleViolation as exc:
        return _refused(exc, agreement.id)
    db.session.commit()
    flash("Отказ от подписания записан; куратор получит его в карточке соглашения.", "info")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))


@bp.get("/<int:agreement_id>/paper.pdf")
@roles_required(*MANAGERS)
def paper_pdf(agreement_id: int):
    agreement = _load(agreement_id)
    try:
        data = paper.paper_pdf(agreement)
    except RuleViolation as exc:
        return _refused(exc, agreement.id)
    response = Response(data, mimetype="application/pdf")
    name = f"{agreement.number} для подписания на бумаге.pdf"
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"agreement-{agreement.id}-paper.pdf\"; filename*=UTF-8''{_quote(name)}"
    )
    return response


@bp.post("/<int:agreement_id>/paper")
@roles_required(*MANAGERS)
def sign_on_paper(agreement_id: int):
    _load(agreement_id)
    form = PaperSignForm()
    if not form.validate_on_submit():
        problems = [e for errors in form.errors.values() for e in errors]
        flash(" ".join(problems) or "Укажите дату и загрузите скан.", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement_id))
    upload = form.scan.data
    if not (upload and getattr(upload, "filename", "")):
        flash("Загрузите скан подписанного экземпляра (PDF, JPEG или PNG).", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement_id))
    scan = Scan(filename=upload.filename, data=upload.read())
    try:
        agreement = paper.sign_on_paper(agreement_id, form.signed_on.data, scan, _user())
    except RuleViolation as exc:
        return _refused(exc, agreement_id)
    db.session.commit()
    flash(f"{agreement.title} подписано на бумаге; скан сохранён как экземпляр Центра.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


# --- handing signing access to a person --------------------------------------------------

KIOSK_SESSION_KEY = "signer_handover"


@bp.route("/<int:agreement_id>/handover/<int:slot_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def handover_start(agreement_id: int, slot_id: int):
    agreement = _load(agreement_id)
    slot = next((s for s in agreement.slots if s.id == slot_id), None)
    if slot is None:
        abort(404)
    if not signing.esign_adopted():
        flash(signing.ESIGN_OFF, "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = HandoverForm()
    form.document_kind.choices = choices([(k, k) for k in handover.DOCUMENT_KINDS])
    if form.validate_on_submit():
        check = handover.IdentityCheck(form.document_kind.data, form.last_digits.data.strip())
        try:
            token, _ = handover.start(agreement.id, slot.id, check, _user())
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            # The staff member leaves this browser before the signer touches it: their
            # server-side session ends, and the token lives only in the signer's session,
            # never rendered on any page.
            record = sessions.current()
            if record is not None:
                sessions.end(record.id, "logout")
            db.session.commit()
            logout_user()
            g.remember_cookie = ""
            session.clear()
            session[KIOSK_SESSION_KEY] = token
            return redirect(url_for("agreements.signer_key"))
    account = handover.account_of(slot.person_id)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "agreements/handover.html", agreement=agreement, slot=slot, form=form, account=account
    ), status


@bp.route("/signer", methods=["GET", "POST"])
def signer_key():
    """The kiosk screen: reachable only with a hand-over token and no one signed in."""
    if current_user.is_authenticated:
        flash(
            "Экран подписанта открывается только после выхода сотрудника из портала: "
            "куратор передаёт доступ кнопкой «Проверить документ и передать экран».",
            "error",
        )
        return redirect(url_for("agreements.index"))
    record = handover.pending(session.get(KIOSK_SESSION_KEY))
    if record is None:
        session.pop(KIOSK_SESSION_KEY, None)
        return render_template("agreements/signer_expired.html"), 410
    form = SignerKeyForm()
    account = handover.account_of(record.person_id)
    login = account.login if account else handover.suggested_login(record.person)
    if form.validate_on_submit():
        try:
            user = handover.complete(
                session[KIOSK_SESSION_KEY],
                form.password.data,
                form.repeat.data,
                form.rules.data,
                _request_info(),
            )
        except RuleViolation as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            session.pop(KIOSK_SESSION_KEY, None)
            # The signer's own session, as after a sign-in with the password just chosen.
            g.remember_cookie = sessions.begin(
                user, remember=False, ip=request.remote_addr, user_agent=request.user_agent.string
            )
            flash(
                f"Пароль задан. Ваш логин: {user.login}. Теперь подпишите документ, "
                "введя этот пароль ещё раз.",
                "success",
            )
            if record.agreement_id:
                return redirect(url_for("agreements.sign", agreement_id=record.agreement_id))
            return redirect(url_for("main.dashboard"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "agreements/signer_key.html",
        form=form,
        record=record,
        login=login,
        rules_text=signing.rules_text(),
    ), status


# --- after signing ---------------------------------------------------------------------


@bp.post("/<int:agreement_id>/terminate")
@roles_required(*MANAGERS)
def terminate(agreement_id: int):
    _load(agreement_id)
    form = TerminateForm()
    form.kind.choices = choices(list(lifecycle.TERMINATION_KINDS.items()))
    if not form.validate_on_submit():
        flash("Выберите основание расторжения.", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement_id))
    try:
        agreement = lifecycle.terminate(agreement_id, form.kind.data, form.reason.data, _user())
    except RuleViolation as exc:
        return _refused(exc, agreement_id)
    db.session.commit()
    flash(f"{agreement.title} расторгнуто.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.post("/<int:agreement_id>/extend")
@roles_required(*MANAGERS)
def extend(agreement_id: int):
    _load(agreement_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        flash("Укажите срок продления от 1 до 36 месяцев.", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement_id))
    try:
        extension = lifecycle.start_extension(agreement_id, form.months.data, _user())
    except RuleViolation as exc:
        return _refused(exc, agreement_id)
    db.session.commit()
    flash(f"Создан черновик: {extension.title}. Выпустите его на подписание.", "success")
    return redirect(url_for("agreements.show", agreement_id=extension.id))


# --- verification ----------------------------------------------------------------------


@bp.route("/verify", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def verify():
    form = VerifyForm()
    verdict = None
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            verdict = verification.verify_pdf(upload.read())
        elif form.code.data and form.code.data.strip():
            verdict = verification.verify_code(form.code.data)
        else:
            form.form_errors.append("Загрузите PDF-файл или введите код проверки.")
    elif request.method == "GET" and request.args.get("code"):
        verdict = verification.verify_code(request.args["code"])
    status = 422 if form.errors or form.form_errors else 200
    show_people = verdict is not None and verdict.agreement is not None
    return render_template(
        "agreements/verify.html",
        form=form,
        verdict=verdict,
        show_people=show_people,
        status_of=lifecycle.effective_status,
    ), status


# --- administration --------------------------------------------------------------------


@bp.route("/template", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def template():
    current = templates.current_template(create=False)
    form = TemplateForm(body=current.body)
    if form.validate_on_submit():
        if form.body.data.replace("\r\n", "\n") == current.body:
            flash("Текст не изменился: новая версия не создана.", "info")
            return redirect(url_for("agreements.template"))
        try:
            saved = templates.save_template(form.body.data, form.comment.data, _user())
        except RuleViolation as exc:
            db.session.rollback()
            form.body.errors.append(exc.message)
        else:
            audit.record(
                "agreement_template_saved",
                "agreement_template",
                saved.id,
                summary=f"Шаблон соглашения, версия {saved.version}",
            )
            db.session.commit()
            flash(
                f"Сохранена версия {saved.version}. Выпущенные соглашения сохраняют свою.",
                "success",
            )
            return redirect(url_for("agreements.template"))
    versions = db.session.scalars(
        select(AgreementTemplate).order_by(AgreementTemplate.version.desc())
    ).all()
    status = 422 if request.method == "POST" else 200
    return render_template(
        "agreements/template.html",
        form=form,
        current=current,
        versions=versions,
        fields=templates.SAMPLE_CONTEXT,
    ), status


@bp.route("/seal", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def seal():
    form = SealForm()
    if request.method == "POST" and form.validate_on_submit():
        key, cert, chain = form.key.data, form.certificate.data, form.chain.data
        if not (key and key.filename and cert and cert.filename):
            form.form_errors.append("Загрузите и ключ, и сертификат.")
        else:
            try:
                render.install_seal(
                    key.read(), cert.read(), chain.read() if chain and chain.filename else None
                )
            except SealError as exc:
                form.form_errors.append(str(exc))
            else:
                audit.record(
                    "seal_installed",
                    "seal",
                    None,
                    summary="Установлен ключ и сертификат печати Центра",
                )
                db.session.commit()
                flash("Ключ и сертификат печати установлены.", "success")
                return redirect(url_for("agreements.seal"))
    fingerprint = ""
    try:
        identity = render.seal_identity()
        fingerprint = identity.certificate.fingerprint(hashes.SHA256()).hex(":")
    except SealError as exc:
        identity = None
        form.form_errors.append(str(exc))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "agreements/seal.html", form=form, identity=identity, fingerprint=fingerprint
    ), status


@bp.errorhandler(PdfRenderError)
@bp.errorhandler(SealError)
def pdf_failed(error: Exception):
    # The last signature seals the PDF in the same transaction: on failure nothing is kept.
    db.session.rollback()
    flash(getattr(error, "message_ru", None) or str(error), "error")
    return redirect(url_for("agreements.index"))
