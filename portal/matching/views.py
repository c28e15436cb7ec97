"""Matching screens: forms of mentorship, weights, the quick screen, cohort proposals, pairs."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal import audit
from portal.access import MANAGERS, STAFF, Role, ensure, roles_required
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm, choices
from portal.matching import cohort as cohort_service
from portal.matching import pairs as pair_service
from portal.matching.access import (
    can_manage_pairs,
    ensure_pair_manageable,
    ensure_pair_visible,
    visible_pairs,
)
from portal.matching.candidates import (
    form_rule,
    load_candidates,
    load_weights,
    mentor_pool,
    paired_in_form,
    unmatched_pool,
    weights_dict,
)
from portal.matching.forms import (
    AddMemberForm,
    CaseUrlForm,
    ChangeItemForm,
    EndPairForm,
    MentorshipFormForm,
    PetitionForm,
    RemoveMemberForm,
    ResolvePetitionForm,
    WeightsForm,
)
from portal.matching.models import (
    PAIR_STATUSES,
    CohortProposal,
    MatchingWeights,
    MentorshipForm,
    Pair,
    PairMember,
    Petition,
    ProposalItem,
)
from portal.matching.score import Weights, common_ground, mentee_blockers, top_suggestions
from portal.people.models import Person
from portal.relations import valid_consent_ids
from portal.statuses import ProposalItemStatus
from portal.text import fold
from portal.timeutil import today_moscow, utcnow

bp = Blueprint("matching", __name__, url_prefix="/matching")

PAIR_VIEWERS = (*STAFF, Role.MENTOR, Role.MENTEE, Role.PARENT)
SUGGESTIONS = 10
FEDERAL_FORMS = (
    "ученик – ученик",
    "студент – ученик",
    "работодатель – ученик",
    "работодатель – студент",
    "учитель – учитель",
)


def _active_forms() -> list[MentorshipForm]:
    query = (
        select(MentorshipForm)
        .where(MentorshipForm.active.is_(True))
        .order_by(MentorshipForm.scope.desc(), MentorshipForm.id)
    )
    return list(db.session.scalars(query))


def _form_or_default(value) -> MentorshipForm | None:
    forms = _active_forms()
    try:
        wanted = int(value) if value else None
    except ValueError:
        wanted = None
    for form in forms:
        if form.id == wanted:
            return form
    return forms[0] if forms else None


def _int_arg(name: str) -> int | None:
    value = request.values.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _fail(message: str, status: int = 422, target: str | None = None):
    response = render_template("matching/_message.html", message=message, kind="error")
    headers = {"HX-Retarget": target, "HX-Reswap": "innerHTML"} if target else {}
    return response, status, headers


# --- Forms of mentorship ------------------------------------------------------------------------


@bp.get("/forms")
@roles_required(*STAFF)
def forms():
    query = select(MentorshipForm).order_by(MentorshipForm.scope.desc(), MentorshipForm.id)
    return render_template(
        "matching/forms.html",
        forms=list(db.session.scalars(query)),
        can_manage=can_manage_pairs(current_user),
    )


def _form_editor(form_obj: MentorshipForm | None):
    editor = MentorshipFormForm(obj=form_obj)
    editor.reported_as.choices = choices([("", "—"), *[(f, f) for f in FEDERAL_FORMS]])
    if request.method == "GET" and form_obj is not None:
        editor.formats.data = "\n".join(form_obj.formats or [])
        editor.reported_as.data = form_obj.reported_as or ""
    if request.method == "GET" and form_obj is None:
        editor.active.data = True
        editor.min_mentee_age.data = 10
    return editor


def _save_form(editor: MentorshipFormForm, form_obj: MentorshipForm | None):
    code = editor.code.data.strip()
    clash = db.session.scalar(select(MentorshipForm).where(MentorshipForm.code == code))
    if clash is not None and clash is not form_obj:
        editor.code.errors.append("Форма с таким кодом уже есть.")
        return None
    fields = (
        "name",
        "scope",
        "mentor_categories",
        "mentee_categories",
        "mentor_higher_level",
        "min_mentee_age",
        "description",
        "goal",
        "tasks",
        "documents",
        "active",
    )
    created = form_obj is None
    if created:
        form_obj = MentorshipForm(code=code)
        db.session.add(form_obj)
        before = {}
    else:
        before = {f: getattr(form_obj, f) for f in (*fields, "code", "formats", "reported_as")}
    for name in fields:
        value = getattr(editor, name).data
        setattr(form_obj, name, value.strip() if isinstance(value, str) else value)
    form_obj.code = code
    form_obj.formats = editor.format_list()
    form_obj.reported_as = editor.reported_as.data or None
    db.session.flush()
    after = {f: getattr(form_obj, f) for f in (*fields, "code", "formats", "reported_as")}
    audit.record(
        "form_created" if created else "form_updated",
        "mentorship_form",
        form_obj.id,
        audit.diff(before, after),
        f"Форма наставничества «{form_obj.name}»",
    )
    db.session.commit()
    return form_obj


@bp.route("/forms/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def form_new():
    editor = _form_editor(None)
    if editor.validate_on_submit() and (saved := _save_form(editor, None)) is not None:
        flash(f"Форма «{saved.name}» добавлена.", "success")
        return redirect(url_for("matching.forms"))
    status = 422 if editor.is_submitted() else 200
    return render_template("matching/form_edit.html", editor=editor, form_obj=None), status


@bp.route("/forms/<int:form_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def form_edit(form_id: int):
    form_obj = db.get_or_404(MentorshipForm, form_id)
    editor = _form_editor(form_obj)
    if editor.validate_on_submit() and (saved := _save_form(editor, form_obj)) is not None:
        flash(f"Форма «{saved.name}» сохранена.", "success")
        return redirect(url_for("matching.forms"))
    status = 422 if editor.is_submitted() else 200
    return render_template("matching/form_edit.html", editor=editor, form_obj=form_obj), status


# --- Weights ------------------------------------------------------------------------------------


@bp.route("/weights", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def weights():
    current = load_weights()
    editor = WeightsForm(data=weights_dict(current))
    if editor.validate_on_submit():
        row = db.session.get(MatchingWeights, 1)
        if row is None:
            row = MatchingWeights(id=1)
            db.session.add(row)
        before = weights_dict(current)
        for name, value in editor.values().items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        row.updated_by = current_user.login
        audit.record(
            "weights_updated",
            "matching_weights",
            1,
            audit.diff(before, editor.values()),
            "Веса критериев подбора изменены",
        )
        db.session.commit()
        flash("Веса сохранены: подсказки и распределения считаются по ним.", "success")
        return redirect(url_for("matching.weights"))
    status = 422 if editor.is_submitted() else 200
    form = _form_or_default(request.args.get("form"))
    sample = _sample_mentees(form)
    row = db.session.get(MatchingWeights, 1)
    return render_template(
        "matching/weights.html",
        editor=editor,
        form=form,
        forms=_active_forms(),
        sample=sample,
        row=row,
        history=audit.history("matching_weights", 1, limit=10),
    ), status


def _sample_mentees(form: MentorshipForm | None, limit: int = 30) -> list[Person]:
    if form is None:
        return []
    query = (
        select(Person)
        .where(Person.id.in_(unmatched_pool(form)))
        .order_by(Person.last_name, Person.first_name)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@bp.get("/weights/preview")
@roles_required(*MANAGERS)
def weights_preview():
    form = _form_or_default(request.args.get("form"))
    editor = WeightsForm(request.args, meta={"csrf": False})
    mentee_id = _int_arg("mentee")
    if form is None or mentee_id is None:
        return render_template(
            "matching/_message.html", kind="info", message="Выберите наставляемого для примера."
        )
    if not editor.validate():
        return render_template(
            "matching/_message.html",
            kind="error",
            message="Веса — целые числа от 0, хотя бы один больше нуля.",
        )
    mentee = load_candidates([mentee_id]).get(mentee_id)
    if mentee is None:
        abort(404)
    mentors = list(load_candidates(mentor_pool(form), with_capacity=True).values())
    paired = {b for a, b in paired_in_form(form.id, [mentee_id])}
    rule = form_rule(form)
    before = top_suggestions(mentee, mentors, rule, load_weights(), paired_ids=paired, limit=5)
    after = top_suggestions(
        mentee, mentors, rule, Weights(**editor.values()), paired_ids=paired, limit=5
    )
    rank_before = {s.mentor.id: i for i, s in enumerate(before, 1)}
    return render_template(
        "matching/_weights_preview.html",
        before=before,
        after=after,
        rank_before=rank_before,
        mentee=mentee,
    )


# --- The quick matching screen ------------------------------------------------------------------


def _filters() -> dict:
    return {
        "club": request.values.get("club", "").strip() or None,
        "age_min": _int_arg("age_min"),
        "age_max": _int_arg("age_max"),
        "q": request.values.get("q", "").strip() or None,
    }


@bp.get("")
@roles_required(*MANAGERS)
def index():
    form = _form_or_default(request.args.get("form"))
    filters = _filters()
    page = None
    consent_ids: set[int] = set()
    if form is not None:
        query = (
            select(Person)
            .where(Person.id.in_(unmatched_pool(form, **filters)))
            .order_by(Person.last_name, Person.first_name, Person.id)
        )
        page = db.paginate(query, per_page=30, error_out=False)
        consent_ids = valid_consent_ids([p.id for p in page.items])
    context = {"form": form, "filters": filters, "page": page, "consent_ids": consent_ids}
    if request.htmx and not request.headers.get("HX-Boosted"):
        return render_template("matching/_mentee_list.html", **context)
    clubs = db.session.scalars(
        select(Person.club)
        .distinct()
        .where(Person.club.is_not(None), Person.is_mentee.is_(True))
        .order_by(Person.club)
    ).all()
    return render_template(
        "matching/index.html", forms=_active_forms(), clubs=clubs, action=EmptyForm(), **context
    )


def _mentee_context(form: MentorshipForm, mentee_id: int) -> dict:
    mentee = db.get_or_404(Person, mentee_id)
    candidate = load_candidates([mentee_id])[mentee_id]
    rule = form_rule(form)
    current = pair_service.current_mentor_pair(mentee, form)
    return {
        "mentee": mentee,
        "candidate": candidate,
        "rule": rule,
        "current": current,
        "blockers": mentee_blockers(candidate, rule),
    }


@bp.get("/suggest")
@roles_required(*MANAGERS)
def suggest():
    form = _form_or_default(request.args.get("form"))
    mentee_id = _int_arg("mentee")
    if form is None or mentee_id is None:
        abort(404)
    context = _mentee_context(form, mentee_id)
    suggestions = []
    if context["current"] is None and not context["blockers"]:
        mentors = list(load_candidates(mentor_pool(form), with_capacity=True).values())
        paired = {b for a, b in paired_in_form(form.id, [mentee_id])}
        suggestions = top_suggestions(
            context["candidate"],
            mentors,
            context["rule"],
            load_weights(),
            paired_ids=paired,
            limit=SUGGESTIONS,
        )
    return render_template(
        "matching/_suggestions.html",
        form=form,
        suggestions=suggestions,
        action=EmptyForm(),
        **context,
    )


@bp.get("/compare")
@roles_required(*MANAGERS)
def compare():
    form = _form_or_default(request.args.get("form"))
    mentee_id = _int_arg("mentee")
    ids = [int(v) for v in request.args.getlist("cmp") if v.isdigit()][:2]
    if form is None or mentee_id is None:
        abort(404)
    if len(ids) != 2:
        return render_template(
            "matching/_message.html",
            kind="info",
            message="Отметьте двух наставников, чтобы сравнить их.",
        )
    found = load_candidates([mentee_id, *ids], with_capacity=True)
    if any(i not in found for i in (mentee_id, *ids)):
        abort(404)
    mentee = found[mentee_id]
    weights = load_weights()
    from portal.matching.score import match_score

    columns = [
        {
            "mentor": found[i],
            "score": match_score(found[i], mentee, weights),
            "common": common_ground(found[i], mentee),
        }
        for i in ids
    ]
    return render_template("matching/_compare.html", columns=columns, mentee=mentee)


@bp.post("/assign")
@roles_required(*MANAGERS)
def assign():
    if not EmptyForm().validate_on_submit():
        abort(400)
    form = db.get_or_404(MentorshipForm, _int_arg("form_id") or 0)
    mentor = db.get_or_404(Person, _int_arg("mentor_id") or 0)
    mentee = db.get_or_404(Person, _int_arg("mentee_id") or 0)
    try:
        result = pair_service.assign(form, mentor, mentee, source="быстрый подбор")
    except RuleViolation as exc:
        db.session.rollback()
        return _fail(exc.message, target="#assign-message")
    db.session.commit()
    pool = unmatched_pool(form, **_filters())
    next_mentee = db.session.scalar(
        select(Person)
        .where(Person.id.in_(pool))
        .order_by(Person.last_name, Person.first_name, Person.id)
        .limit(1)
    )
    return render_template(
        "matching/_assigned.html",
        result=result,
        form=form,
        mentee=mentee,
        mentor=mentor,
        remaining=pair_service.remaining_capacity(mentor),
        next_mentee=next_mentee,
        action=EmptyForm(),
        oob=True,
        pool_total=_pool_total(pool),
    )


def _pool_total(pool) -> int:
    return db.session.scalar(select(func.count()).select_from(pool.subquery())) or 0


@bp.post("/undo/<int:member_id>")
@roles_required(*MANAGERS)
def undo(member_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    member = db.get_or_404(PairMember, member_id)
    form = member.pair.form
    mentor = member.pair.mentor
    try:
        mentee = pair_service.undo_assignment(member)
    except RuleViolation as exc:
        db.session.rollback()
        return _fail(exc.message)
    db.session.commit()
    return render_template(
        "matching/_undone.html",
        mentee=mentee,
        mentor=mentor,
        form=form,
        member_id=member_id,
        consent_ids=valid_consent_ids([mentee.id]),
        remaining=pair_service.remaining_capacity(mentor),
        oob=True,
        pool_total=_pool_total(unmatched_pool(form, **_filters())),
    )


# --- Cohort proposals ---------------------------------------------------------------------------


@bp.get("/cohort")
@roles_required(*STAFF)
def cohort():
    form = _form_or_default(request.args.get("form"))
    pool = None
    if form is not None:
        pool = {
            "mentees": db.session.scalar(
                select(func.count()).select_from(unmatched_pool(form).subquery())
            ),
            "mentors": db.session.scalar(
                select(func.count()).select_from(mentor_pool(form).subquery())
            ),
        }
    return render_template(
        "matching/cohort.html",
        forms=_active_forms(),
        form=form,
        pool=pool,
        proposals=cohort_service.recent(),
        action=EmptyForm(),
        can_manage=can_manage_pairs(current_user),
    )


@bp.post("/cohort")
@roles_required(*MANAGERS)
def cohort_compute():
    if not EmptyForm().validate_on_submit():
        abort(400)
    form = db.get_or_404(MentorshipForm, _int_arg("form") or 0)
    if not form.active:
        flash(f"Форма «{form.name}» отключена.", "error")
        return redirect(url_for("matching.cohort"))
    proposal = cohort_service.compute(form, created_by=current_user.login)
    db.session.commit()
    return redirect(url_for("matching.proposal", proposal_id=proposal.id))


def _proposal_page(proposal: CohortProposal, status: int = 200, **extra):
    return render_template(
        "matching/proposal.html",
        proposal=proposal,
        action=EmptyForm(),
        can_manage=can_manage_pairs(current_user),
        history=audit.history("cohort_proposal", proposal.id, limit=50),
        **extra,
    ), status


@bp.get("/cohort/<int:proposal_id>")
@roles_required(*STAFF)
def proposal(proposal_id: int):
    return _proposal_page(db.get_or_404(CohortProposal, proposal_id))


def _proposal_item(proposal_id: int, item_id: int) -> ProposalItem:
    item = db.get_or_404(ProposalItem, item_id)
    if item.proposal_id != proposal_id:
        abort(404)
    return item


@bp.route("/cohort/<int:proposal_id>/items/<int:item_id>/change", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def proposal_change(proposal_id: int, item_id: int):
    item = _proposal_item(proposal_id, item_id)
    options = cohort_service.alternatives(item)
    taken: dict[int, int] = {}
    for other in item.proposal.items:
        if other.id != item.id and other.status == ProposalItemStatus.PROPOSED:
            taken[other.mentor_id] = taken.get(other.mentor_id, 0) + 1
    editor = ChangeItemForm()
    editor.mentor_id.choices = choices(
        [("", "— выберите —")]
        + [
            (
                s.mentor.id,
                f"{s.mentor.full_name} · {s.score.total} б. · свободно "
                f"{max(0, s.remaining_capacity - taken.get(s.mentor.id, 0))}",
            )
            for s in options
            if s.mentor.id != item.mentor_id
        ]
    )
    if editor.validate_on_submit():
        mentor = db.get_or_404(Person, int(editor.mentor_id.data))
        try:
            cohort_service.change_item(item, mentor, editor.reason.data)
        except RuleViolation as exc:
            db.session.rollback()
            editor.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                f"Наставник для {item.mentee.short_name} заменён; причина записана в журнал.",
                "success",
            )
            return redirect(url_for("matching.proposal", proposal_id=proposal_id))
    status = 422 if editor.is_submitted() else 200
    return render_template(
        "matching/proposal_change.html", item=item, options=options, editor=editor, taken=taken
    ), status


@bp.post("/cohort/<int:proposal_id>/accept")
@roles_required(*MANAGERS)
def proposal_accept(proposal_id: int):
    proposal = db.get_or_404(CohortProposal, proposal_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = (
        None
        if request.form.get("all")
        else {int(v) for v in request.form.getlist("item") if v.isdigit()}
    )
    try:
        report = cohort_service.accept(proposal, ids)
    except RuleViolation as exc:
        db.session.rollback()
        return _proposal_page(proposal, 422, error=exc.message)
    db.session.commit()
    if report.accepted:
        flash(
            f"Сформировано пар: {len(report.accepted)}. Они в черновиках — запустите их на "
            f"карточке пары после оформления соглашения.",
            "success",
        )
    if report.failed:
        flash(
            f"Не приняты ({len(report.failed)}): условия изменились с момента расчёта — "
            f"причины указаны в таблице.",
            "warning",
        )
    return redirect(url_for("matching.proposal", proposal_id=proposal.id))


@bp.post("/cohort/<int:proposal_id>/discard")
@roles_required(*MANAGERS)
def proposal_discard(proposal_id: int):
    proposal = db.get_or_404(CohortProposal, proposal_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        cohort_service.discard(proposal)
    except RuleViolation as exc:
        db.session.rollback()
        return _proposal_page(proposal, 422, error=exc.message)
    db.session.commit()
    flash("Предложение отклонено.", "info")
    return redirect(url_for("matching.cohort", form=proposal.form_id))


# --- Pairs and groups ---------------------------------------------------------------------------


@bp.get("/pairs")
@roles_required(*PAIR_VIEWERS)
def pairs():
    status = request.args.get("status", "")
    form_id = _int_arg("form")
    q = request.args.get("q", "").strip()
    attention = bool(request.args.get("attention"))
    query = visible_pairs(current_user)
    if status in PAIR_STATUSES:
        query = query.where(Pair.status == status)
    if form_id:
        query = query.where(Pair.form_id == form_id)
    if attention:
        query = query.where(Pair.needs_attention.is_not(None))
    if q:
        key = fold(q)
        query = query.where(
            Pair.mentor_id.in_(
                select(Person.id).where(Person.search_key.contains(key, autoescape=True))
            )
            | Pair.id.in_(
                select(PairMember.pair_id)
                .join(Person, Person.id == PairMember.mentee_id)
                .where(Person.search_key.contains(key, autoescape=True))
            )
        )
    query = query.order_by(Pair.needs_attention.is_(None), Pair.id.desc())
    page = db.paginate(query, per_page=25, error_out=False)
    attention_count = None
    if can_manage_pairs(current_user):
        attention_count = db.session.scalar(
            select(func.count()).select_from(
                visible_pairs(current_user).where(Pair.needs_attention.is_not(None)).subquery()
            )
        )
    context = {
        "page": page,
        "status": status,
        "form_id": form_id,
        "q": q,
        "attention": attention,
        "attention_count": attention_count,
    }
    if request.htmx and not request.headers.get("HX-Boosted"):
        return render_template("matching/_pair_rows.html", **context)
    forms_all = list(db.session.scalars(select(MentorshipForm).order_by(MentorshipForm.id)))
    return render_template(
        "matching/pairs.html", forms=forms_all, statuses=PAIR_STATUSES, **context
    )


def _pair_forms(pair: Pair) -> dict:
    add = AddMemberForm(prefix="add")
    pool = (
        select(Person)
        .where(Person.id.in_(unmatched_pool(pair.form)))
        .order_by(Person.last_name, Person.first_name)
        .limit(300)
    )
    add.mentee_id.choices = choices(
        [("", "— выберите —")]
        + [(p.id, f"{p.full_name} ({p.age or '—'})") for p in db.session.scalars(pool)]
    )
    petition = PetitionForm(prefix="petition")
    petition.mentee_id.choices = choices(
        [(m.mentee_id, m.mentee.full_name) for m in pair.current_members]
    )
    if petition.filed_on.data is None:
        petition.filed_on.data = today_moscow()
    resolve = ResolvePetitionForm(prefix="resolve")
    mentors = (
        select(Person)
        .where(Person.id.in_(mentor_pool(pair.form)), Person.id != pair.mentor_id)
        .order_by(Person.last_name, Person.first_name)
        .limit(500)
    )
    resolve.mentor_id.choices = choices(
        [("", "— выберите —")] + [(p.id, p.full_name) for p in db.session.scalars(mentors)]
    )
    return {
        "complete_form": EndPairForm(prefix="complete"),
        "terminate_form": EndPairForm(prefix="terminate"),
        "add_form": add,
        "remove_form": RemoveMemberForm(prefix="remove"),
        "case_form": CaseUrlForm(prefix="case", data={"case_url": pair.case_url}),
        "petition_form": petition,
        "resolve_form": resolve,
    }


def _pair_page(pair: Pair, status: int = 200, error: str | None = None, **overrides):
    capacities = ensure_pair_visible(current_user, pair)
    manage = "curator" in capacities
    context = {
        "pair": pair,
        "capacities": capacities,
        "manage": manage,
        "error": error,
        "events": pair_service.events(pair),
        "action": EmptyForm(),
        "petitions": list(
            db.session.scalars(
                select(Petition).where(Petition.pair_id == pair.id).order_by(Petition.id.desc())
            )
        ),
        "replaced_by": list(db.session.scalars(select(Pair).where(Pair.replaces_id == pair.id))),
    }
    if manage:
        context.update(_pair_forms(pair))
        context.update(overrides)
    return render_template("matching/pair.html", **context), status


@bp.get("/pairs/<int:pair_id>")
@roles_required(*PAIR_VIEWERS)
def pair(pair_id: int):
    return _pair_page(db.get_or_404(Pair, pair_id))


def _managed_pair(pair_id: int) -> Pair:
    pair = db.get_or_404(Pair, pair_id)
    ensure_pair_manageable(current_user, pair)
    return pair


def _pair_action(pair: Pair, action, success: str, **page_overrides):
    """Run a service call, commit and go back to the card; on a refusal show it, 422."""
    try:
        action()
    except RuleViolation as exc:
        db.session.rollback()
        db.session.refresh(pair)
        return _pair_page(pair, 422, error=exc.message, **page_overrides)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("matching.pair", pair_id=pair.id))


@bp.post("/pairs/<int:pair_id>/activate")
@roles_required(*MANAGERS)
def pair_activate(pair_id: int):
    pair = _managed_pair(pair_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _pair_action(pair, lambda: pair_service.activate(pair), "Пара запущена.")


@bp.post("/pairs/<int:pair_id>/complete")
@roles_required(*MANAGERS)
def pair_complete(pair_id: int):
    pair = _managed_pair(pair_id)
    editor = EndPairForm(prefix="complete")
    if not editor.validate_on_submit():
        return _pair_page(pair, 422, error="Опишите результаты работы пары.", complete_form=editor)
    return _pair_action(
        pair,
        lambda: pair_service.complete(pair, editor.text.data, on=editor.ended_on.data),
        "Пара завершена, результаты записаны.",
        complete_form=editor,
    )


@bp.post("/pairs/<int:pair_id>/terminate")
@roles_required(*MANAGERS)
def pair_terminate(pair_id: int):
    pair = _managed_pair(pair_id)
    editor = EndPairForm(prefix="terminate")
    if not editor.validate_on_submit():
        return _pair_page(pair, 422, error="Укажите причину расторжения.", terminate_form=editor)
    return _pair_action(
        pair,
        lambda: pair_service.terminate(pair, editor.text.data, on=editor.ended_on.data),
        "Пара расторгнута.",
        terminate_form=editor,
    )


@bp.post("/pairs/<int:pair_id>/members")
@roles_required(*MANAGERS)
def pair_add_member(pair_id: int):
    pair = _managed_pair(pair_id)
    mentee_id = _int_arg("add-mentee_id")
    if not EmptyForm().validate_on_submit() or mentee_id is None:
        return _pair_page(pair, 422, error="Выберите наставляемого.")
    mentee = db.get_or_404(Person, mentee_id)
    return _pair_action(
        pair,
        lambda: pair_service.add_member(pair, mentee),
        f"{mentee.short_name} добавлен(а) в группу.",
    )


@bp.post("/pairs/<int:pair_id>/members/<int:member_id>/remove")
@roles_required(*MANAGERS)
def pair_remove_member(pair_id: int, member_id: int):
    pair = _managed_pair(pair_id)
    member = db.get_or_404(PairMember, member_id)
    ensure(member.pair_id == pair.id)
    editor = RemoveMemberForm(prefix="remove")
    if not editor.validate_on_submit():
        return _pair_page(pair, 422, error="Укажите причину исключения из группы.")
    return _pair_action(
        pair,
        lambda: pair_service.remove_member(pair, member, editor.reason.data),
        f"{member.mentee.short_name} исключён(а) из группы.",
    )


@bp.post("/pairs/<int:pair_id>/case-url")
@roles_required(*MANAGERS)
def pair_case_url(pair_id: int):
    pair = _managed_pair(pair_id)
    editor = CaseUrlForm(prefix="case")
    if not editor.validate_on_submit():
        return _pair_page(pair, 422, error="Введите адрес вида https://…", case_form=editor)
    return _pair_action(
        pair,
        lambda: pair_service.set_case_url(pair, editor.case_url.data),
        "Ссылка на кейс сохранена.",
        case_form=editor,
    )


@bp.post("/pairs/<int:pair_id>/attention")
@roles_required(*MANAGERS)
def pair_clear_attention(pair_id: int):
    pair = _managed_pair(pair_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _pair_action(
        pair, lambda: pair_service.clear_attention(pair), "Отметка «требует внимания» снята."
    )


@bp.post("/pairs/<int:pair_id>/petitions")
@roles_required(*MANAGERS)
def pair_petition(pair_id: int):
    pair = _managed_pair(pair_id)
    editor = PetitionForm(prefix="petition")
    editor.mentee_id.choices = choices(
        [(m.mentee_id, m.mentee.full_name) for m in pair.current_members]
    )
    if not editor.validate_on_submit():
        return _pair_page(
            pair,
            422,
            error="Укажите наставляемого, дату и причину ходатайства.",
            petition_form=editor,
        )
    mentee = db.get_or_404(Person, int(editor.mentee_id.data))
    return _pair_action(
        pair,
        lambda: pair_service.file_petition(pair, mentee, editor.reason.data, editor.filed_on.data),
        "Ходатайство о замене наставника записано.",
        petition_form=editor,
    )


def _pair_petition(pair: Pair, petition_id: int) -> Petition:
    petition = db.get_or_404(Petition, petition_id)
    ensure(petition.pair_id == pair.id)
    return petition


@bp.post("/pairs/<int:pair_id>/petitions/<int:petition_id>/grant")
@roles_required(*MANAGERS)
def petition_grant(pair_id: int, petition_id: int):
    pair = _managed_pair(pair_id)
    petition = _pair_petition(pair, petition_id)
    mentor_id = _int_arg("resolve-mentor_id")
    if not EmptyForm().validate_on_submit() or mentor_id is None:
        return _pair_page(pair, 422, error="Выберите нового наставника.")
    mentor = db.get_or_404(Person, mentor_id)
    note = request.form.get("resolve-note", "")
    created: list[Pair] = []

    def grant():
        created.append(pair_service.replace_mentor(petition, mentor, note))

    try:
        grant()
    except RuleViolation as exc:
        db.session.rollback()
        db.session.refresh(pair)
        return _pair_page(pair, 422, error=exc.message)
    db.session.commit()
    flash(
        f"Наставник заменён: сформирована новая пара с {mentor.short_name}. Прежнее соглашение "
        f"отмечено к расторжению.",
        "success",
    )
    return redirect(url_for("matching.pair", pair_id=created[0].id))


@bp.post("/pairs/<int:pair_id>/petitions/<int:petition_id>/reject")
@roles_required(*MANAGERS)
def petition_reject(pair_id: int, petition_id: int):
    pair = _managed_pair(pair_id)
    petition = _pair_petition(pair, petition_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    note = request.form.get("resolve-note", "")
    return _pair_action(
        pair, lambda: pair_service.reject_petition(petition, note), "Ходатайство отклонено."
    )
