"""Approval freezes the plan; later edits are a draft with differences; the PDF reads back."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.plans import approval
from portal.plans.models import Plan, PlanRevision
from tests import factories
from tests.factories import client_for


@pytest.fixture
def world(app, mentor, mentee, parent):
    return factories.make_plan_world(mentor, mentee, parent)


def approve(app, curator, plan, version=None, number="112-о", on="2026-10-02"):
    return client_for(app, curator).post(
        f"/plans/{plan.id}/approve",
        data={
            "version": version if version is not None else plan.version,
            "order_number": number,
            "order_date": on,
        },
    )


def fresh_plan(plan_id):
    db.session.expire_all()
    return db.session.get(Plan, plan_id)


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # table cells wrap lines; compare words


def test_approval_freezes_and_later_edits_show_differences(app, world, curator, mentor, mentee):
    response = approve(app, curator, world.plan)
    assert response.status_code == 302
    plan = fresh_plan(world.plan.id)
    assert plan.status == "утверждён"
    revision = plan.approved_revision
    assert (revision.order_number, revision.order_date) == ("112-о", date(2026, 10, 2))
    assert revision.approved_by_name == "Соколова Анна Викторовна"
    assert [i["title"] for i in revision.snapshot["items"]] == [
        "Экскурсия в место обучения наставника",
        "Подготовка к конкурсу",
    ]
    page = client_for(app, mentor).get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "утверждён приказом от 02.10.2026 № 112-о" in page

    first, second = world.items
    client_for(app, mentor).post(
        f"/plans/items/{first.id}/title",
        data={"value": "Экскурсия в технопарк", "base": first.version},
    )
    client_for(app, mentee).post(f"/plans/{plan.id}/items", data={"title": "Сетевой проект"})
    client_for(app, mentor).post(f"/plans/items/{second.id}/delete")
    plan = fresh_plan(plan.id)
    assert plan.status == "изменён после утверждения"
    # The frozen snapshot did not move.
    assert db.session.get(PlanRevision, revision.id).snapshot["items"][0]["title"] == (
        "Экскурсия в место обучения наставника"
    )
    page = client_for(app, curator).get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Изменения после утверждения" in page
    assert "Экскурсия в место обучения наставника</s> → Экскурсия в технопарк" in page
    assert "добавлено</span> Сетевой проект" in page
    assert "удалено</span> <s>Подготовка к конкурсу</s>" in page

    # A mentee's proposal blocks approval until the mentor accepts it.
    blocked = approve(app, curator, plan, number="120-о")
    assert blocked.status_code == 422
    assert "ещё не приняты" in blocked.get_data(as_text=True) or "не принятые" in (
        blocked.get_data(as_text=True)
    )
    proposal = [i for i in plan.live_items if i.proposed_by_mentee][0]
    client_for(app, mentor).post(f"/plans/items/{proposal.id}/accept")
    plan = fresh_plan(plan.id)
    assert approve(app, curator, plan, number="120-о").status_code == 302
    plan = fresh_plan(plan.id)
    assert plan.status == "утверждён" and plan.approved_revision.number == 2
    assert approval.diff(plan.approved_revision.snapshot, approval.snapshot(plan)).empty


def test_approval_of_a_plan_changed_meanwhile_is_refused(app, world, curator, mentor):
    seen = world.plan.version
    item = world.items[0]
    client_for(app, mentor).post(
        f"/plans/items/{item.id}/format", data={"value": "Воркшопы", "base": item.version}
    )
    response = approve(app, curator, world.plan, version=seen)
    assert response.status_code == 422
    assert "Пока вы смотрели план, его изменили" in response.get_data(as_text=True)
    assert fresh_plan(world.plan.id).status == "черновик"
    assert db.session.scalar(select(PlanRevision)) is None


def test_approval_needs_order_number_and_date(app, world, curator):
    response = approve(app, curator, world.plan, number="", on="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Укажите номер приказа." in html and "Укажите дату приказа." in html


def test_pdf_in_the_layout_of_appendix_4(app, world, curator, parent):
    item = world.items[0]
    client_for(app, curator).post(
        f"/plans/items/{item.id}/format", data={"value": "Экскурсии", "base": item.version}
    )
    draft = client_for(app, parent).get(f"/plans/{world.plan.id}.pdf")
    assert draft.headers["Content-Type"] == "application/pdf"
    text = pdf_text(draft.data)
    assert "УТВЕРЖДЕНО" not in text
    assert "Индивидуальный план (комплекс мероприятий)" in text
    assert "Кузнецова Елена Сергеевна" in text and "Орлов Дмитрий Андреевич" in text
    assert "Экскурсия в место обучения наставника" in text and "Экскурсии" in text
    assert "педагог – ученик" in text
    assert "■" not in text

    approve(app, curator, fresh_plan(world.plan.id), number="112-о", on="2026-10-02")
    approved = pdf_text(client_for(app, parent).get(f"/plans/{world.plan.id}.pdf").data)
    assert "УТВЕРЖДЕНО" in approved
    assert "от «02» октября 2026 г. № 112-о" in approved
    assert "■" not in approved

    client_for(app, curator).post(
        f"/plans/items/{item.id}/title", data={"value": "Поездка в технопарк", "base": 0}
    )
    plan = fresh_plan(world.plan.id)
    changed = pdf_text(client_for(app, parent).get(f"/plans/{plan.id}.pdf").data)
    assert "Проект изменений" in changed and "Поездка в технопарк" in changed
    frozen = pdf_text(
        client_for(app, parent)
        .get(f"/plans/{plan.id}.pdf?revision={plan.approved_revision_id}")
        .data
    )
    assert "УТВЕРЖДЕНО" in frozen and "Поездка в технопарк" not in frozen


def test_pdf_has_the_footnote_formats_table_glossary_project_mark_and_parent(
    app, world, curator, parent
):
    from portal.matching.forms_seed import DOCUMENTS, seed_forms
    from portal.plans.formats import GLOSSARY

    seed_forms()
    db.session.commit()
    text = pdf_text(client_for(app, parent).get(f"/plans/{world.plan.id}.pdf").data)
    # Never approved: marked as a draft.
    assert "ПРОЕКТ" in text and "УТВЕРЖДЕНО" not in text
    # The title's asterisk and the footnote of Приложение № 4 with its table by form.
    assert "наставнической пары/группы*" in text
    assert "* Комплекс мероприятий в рамках организации работы наставнической" in text
    assert "Наименование документов, разработанных и действующих" in text
    for form in ("«Ученик – ученик»", "«Педагог – ученик»", "«Педагог – педагог»"):
        assert form in text, form
    assert " ".join(DOCUMENTS.split()) in text
    assert "Клуб по интересам с лидером- наставником" in text or "лидером-наставником" in text
    # The glossary as the seed gives it, word for word.
    assert "Глоссарий современных форм работы" in text
    for term, definition in GLOSSARY:
        assert term in text and " ".join(definition.split())[:60] in text, term
    # The 12-year-old mentee's parent signs the plan too.
    assert "Родитель (законный представитель) наставляемого Орлова Дмитрия Андреевича" in text
    assert "Орлова Наталья Петровна" in text

    approve(app, curator, fresh_plan(world.plan.id))
    approved = pdf_text(client_for(app, parent).get(f"/plans/{world.plan.id}.pdf").data)
    assert "ПРОЕКТ" not in approved and "УТВЕРЖДЕНО" in approved
