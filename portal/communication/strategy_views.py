"""Pages of the dissemination strategy: target groups and messages, events, the evaluation."""

import base64

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from portal import audit
from portal.access import STAFF, roles_required
from portal.communication import evaluation as ev
from portal.communication.forms import DisseminationForm, MessageForm, TargetGroupForm
from portal.communication.models import (
    DisseminationEvent,
    MediaChannel,
    StrategyMessage,
    TargetGroup,
)
from portal.communication.statuses import DisseminationKind, MessageStage
from portal.communication.views import bp
from portal.documents.pdf import render_pdf
from portal.extensions import db
from portal.forms import EmptyForm
from portal.timeutil import today_moscow

COLOURS = ("#9fb0bd", "#1a4f8b")  # plan, fact


def _groups() -> list[TargetGroup]:
    return list(
        db.session.scalars(select(TargetGroup).order_by(TargetGroup.position, TargetGroup.name))
    )


def _strategy_page(group_form=None, message_form=None, code=200):
    groups = _groups()
    message_form = message_form or MessageForm()
    message_form.target_group_id.choices = [(g.id, g.name) for g in groups]
    return render_template(
        "communication/strategy.html",
        groups=groups,
        stages=list(MessageStage),
        group_form=group_form or TargetGroupForm(formdata=None),
        message_form=message_form,
        action=EmptyForm(),
    ), code


@bp.get("/strategy")
@roles_required(*STAFF)
def strategy():
    return _strategy_page()


@bp.post("/strategy/groups")
@roles_required(*STAFF)
def add_target_group():
    form = TargetGroupForm()
    if not form.validate_on_submit():
        return _strategy_page(group_form=form, code=422)
    name = form.name.data.strip()
    if db.session.scalar(select(TargetGroup.id).where(TargetGroup.name == name)):
        form.name.errors = ["Такая целевая группа уже есть."]
        return _strategy_page(group_form=form, code=422)
    group = TargetGroup(
        name=name, description=form.description.data or None, position=len(_groups())
    )
    db.session.add(group)
    db.session.flush()
    audit.record("create", "target_group", group.id, summary=name)
    db.session.commit()
    flash(f"Целевая группа «{name}» добавлена.", "success")
    return redirect(url_for("communication.strategy"))


@bp.post("/strategy/messages")
@roles_required(*STAFF)
def add_message():
    form = MessageForm()
    form.target_group_id.choices = [(g.id, g.name) for g in _groups()]
    if not form.validate_on_submit():
        return _strategy_page(message_form=form, code=422)
    message = StrategyMessage(
        target_group_id=form.target_group_id.data,
        stage=MessageStage(form.stage.data),
        text=form.text.data.strip(),
        channels=(form.channels.data or "").strip() or None,
    )
    db.session.add(message)
    db.session.flush()
    audit.record("create", "strategy_message", message.id, summary=message.text[:200])
    db.session.commit()
    flash("Сообщение добавлено в стратегию.", "success")
    return redirect(url_for("communication.strategy"))


@bp.post("/strategy/messages/<int:message_id>/delete")
@roles_required(*STAFF)
def delete_message(message_id: int):
    message = db.first_or_404(select(StrategyMessage).where(StrategyMessage.id == message_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    audit.record("delete", "strategy_message", message.id, summary=message.text[:200])
    db.session.delete(message)
    db.session.commit()
    flash("Сообщение удалено.", "success")
    return redirect(url_for("communication.strategy"))


def _dissemination_choices(form: DisseminationForm) -> None:
    form.target_group_id.choices = [(0, "— не указана —")] + [(g.id, g.name) for g in _groups()]
    channels = db.session.execute(
        select(MediaChannel.id, MediaChannel.name).order_by(MediaChannel.position)
    )
    form.channel_id.choices = [(0, "— не указан —")] + [(i, n) for i, n in channels]


@bp.route("/dissemination", methods=["GET", "POST"])
@roles_required(*STAFF)
def dissemination():
    """Every dissemination event, newest first, and the form to record one."""
    form = (
        DisseminationForm()
        if request.method == "POST"
        else DisseminationForm(held_on=today_moscow())
    )
    _dissemination_choices(form)
    code = 200
    if request.method == "POST":
        if form.validate_on_submit():
            event = DisseminationEvent(
                held_on=form.held_on.data,
                kind=DisseminationKind(form.kind.data),
                title=form.title.data.strip(),
                target_group_id=form.target_group_id.data or None,
                channel_id=form.channel_id.data or None,
                audience=(form.audience.data or "").strip() or None,
                reach=form.reach.data,
                materials=(form.materials.data or "").strip() or None,
            )
            db.session.add(event)
            db.session.flush()
            audit.record("create", "dissemination_event", event.id, summary=event.title)
            db.session.commit()
            flash("Мероприятие по распространению записано.", "success")
            return redirect(url_for("communication.dissemination"))
        code = 422
    events = db.paginate(
        select(DisseminationEvent).order_by(
            DisseminationEvent.held_on.desc(), DisseminationEvent.id.desc()
        ),
        per_page=25,
        error_out=False,
    )
    return render_template("communication/dissemination.html", form=form, page=events), code


def _period() -> tuple[int, int]:
    today = today_moscow()
    year = request.args.get("year", type=int) or today.year
    half = request.args.get("half", type=int) or (1 if today.month <= 6 else 2)
    if half not in (1, 2) or not 2000 <= year <= 2100:
        abort(404)
    return year, half


def _charts(evaluation) -> dict[str, str]:
    return {
        "publications": render_template(
            "communication/_chart.svg",
            title="Публикации: план и факт",
            bars=ev.chart_bars(evaluation, "publications"),
            colours=COLOURS,
            width=640,
        ),
        "reach": render_template(
            "communication/_chart.svg",
            title="Охват мероприятий, человек",
            bars=ev.chart_bars(evaluation, "reach"),
            colours=COLOURS[1:],
            width=640,
        ),
    }


@bp.get("/evaluation")
@roles_required(*STAFF)
def evaluation():
    year, half = _period()
    result = ev.evaluate(year, half)
    return render_template(
        "communication/evaluation.html", e=result, charts=_charts(result), colours=COLOURS
    )


@bp.get("/evaluation.pdf")
@roles_required(*STAFF)
def evaluation_pdf():
    year, half = _period()
    result = ev.evaluate(year, half)
    images = {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        for name, svg in _charts(result).items()
    }
    html = render_template(
        "communication/evaluation_pdf.html", e=result, images=images, today=today_moscow()
    )
    data = render_pdf(html, static_root=current_app.static_folder)
    return current_app.response_class(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=evaluation-{year}-{half}.pdf"},
    )
