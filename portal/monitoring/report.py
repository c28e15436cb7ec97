"""The analytic report of a half-year and the annual report: one context for the page,
the PDF and the XLSX, so the three always show the same numbers and pictures."""

import io
from dataclasses import dataclass, field

from flask import current_app, render_template
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from portal.documents.pdf import render_pdf
from portal.monitoring import charts
from portal.monitoring.annual import FIGURES, TARGET_SHARE, AnnualFigures, people_behind
from portal.monitoring.models import AnnualReport, Campaign, QuestionKind, Respondent, Stage
from portal.monitoring.results import (
    FormChange,
    MeasureChange,
    StageOne,
    ended_in_period,
    stage_one,
    stage_two,
    summarise,
    trend,
)
from portal.settings.models import get_settings


@dataclass
class Analytic:
    campaign: Campaign
    one: StageOne | None
    form_changes: list[FormChange]
    measures: list[MeasureChange]
    ended: int
    trend: list
    charts: dict
    matrices: list = field(default_factory=list)


MOMENT_SHORT = {"half_year": "полугодие", "exit": "итог", "entry": "вход"}


@dataclass
class Matrix:
    """Averages (scale) and shares of «да» (yes/no) of one role: a row per question wording,
    a column per form and moment, so the director reads the whole stage 1 on one page."""

    title: str
    columns: list[str]
    rows: list[tuple[str, str, list[float | None]]]  # (question, kind, a value per column)


def _matrices(one: StageOne) -> list[Matrix]:
    result = []
    for role in (Respondent.MENTEE, Respondent.MENTOR, Respondent.CURATOR):
        groups = [
            qr for qr in one.questionnaires if qr.questionnaire.respondent == role and not qr.hidden
        ]
        if not groups:
            continue
        columns = [
            (qr.questionnaire.form.name if qr.questionnaire.form else "Центр")
            + f", {MOMENT_SHORT[qr.questionnaire.moment]}"
            + (f" (в.{qr.questionnaire.version})" if qr.questionnaire.version > 1 else "")
            for qr in groups
        ]
        rows: dict[tuple[str, str], list] = {}
        for index, qr in enumerate(groups):
            for r in qr.questions:
                value = r.average if r.question.kind == QuestionKind.SCALE else r.yes_share
                if value is None:
                    continue
                cells = rows.setdefault((r.question.text, r.question.kind), [None] * len(groups))
                cells[index] = value
        result.append(
            Matrix(
                Respondent(role).title,
                columns,
                [(text, kind, cells) for (text, kind), cells in rows.items()],
            )
        )
    return result


def analytic(campaign: Campaign) -> Analytic:
    """Everything the analytic report shows, in a fixed number of queries."""
    one = stage_one(campaign) if Stage.QUALITY in campaign.stages else None
    form_changes, measures = ([], [])
    if Stage.GROWTH in campaign.stages:
        form_changes, measures = stage_two(campaign.period_start, campaign.period_end)
    current = summarise_from(one)
    points = trend(campaign, current)
    drawn = {"columns": {}, "paired": []}
    if one is not None:
        drawn["response"] = charts.bars(
            "Доля ответивших по формам и ролям",
            [(r.label, r.rate) for r in one.responses],
            1.0,
            percent=True,
        )
        drawn["satisfaction"] = charts.bars(
            "Удовлетворённость совместной работой (1–10)",
            [
                (
                    f"{qr.questionnaire.form.name if qr.questionnaire.form else 'куратор'} · "
                    f"{qr.questionnaire.respondent_title}",
                    qr.satisfaction,
                )
                for qr in one.questionnaires
                if qr.satisfaction is not None
            ],
            10.0,
        )
        for qr in one.questionnaires:
            if qr.hidden:
                continue
            for r in qr.questions:
                if r.question.kind != QuestionKind.TEXT and r.answered:
                    drawn["columns"][r.question.id] = charts.columns(
                        r.question.text, [(label, n) for label, n, _ in r.rows]
                    )
    groups = {}
    for m in measures:
        groups.setdefault((m.form_name, m.respondent), []).append(m)
    for items in groups.values():
        drawn["paired"].append(
            (
                items[0].group,
                items,
                charts.paired(
                    f"Вход и выход: {items[0].group}",
                    [(m.text.rstrip("."), m.entry, m.exit) for m in items],
                ),
            )
        )
    labels = [_period_label(c) for c, _ in points]
    drawn["trend_rate"] = charts.line(
        "Доля ответивших по полугодиям",
        list(zip(labels, [s.get("rate") for _, s in points], strict=True)),
        1.0,
        percent=True,
    )
    drawn["trend_satisfaction"] = charts.line(
        "Удовлетворённость наставляемых (1–10) по полугодиям",
        list(
            zip(labels, [s.get("satisfaction", {}).get("mentee") for _, s in points], strict=True)
        ),
        10.0,
    )
    return Analytic(
        campaign,
        one,
        form_changes,
        measures,
        ended_in_period(campaign.period_start, campaign.period_end),
        points,
        drawn,
        _matrices(one) if one is not None else [],
    )


def summarise_from(one: StageOne | None) -> dict:
    if one is None:
        return {}
    return summarise(None, one)


def _period_label(c: Campaign) -> str:
    return f"{'май' if c.deadline.month <= 6 else 'дек.'} {c.deadline.year}"


def analytic_pdf(data: Analytic) -> bytes:
    html = render_template("monitoring/report_pdf.html", a=data, settings=get_settings())
    return render_pdf(html, static_root=current_app.static_folder)


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list], caption: str):
    sheet = workbook.create_sheet(title)
    sheet.append([caption])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for index, _ in enumerate(header):
        letter = sheet.cell(row=3, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = 48 if index == 0 else 16
    sheet.freeze_panes = "A4"
    return sheet


def _num(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


def analytic_xlsx(data: Analytic) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    c = data.campaign
    caption = f"{c.title}: срок {c.deadline:%d.%m.%Y}"
    if data.one is not None:
        rows = []
        for qr in data.one.questionnaires:
            for r in qr.questions:
                if r.question.kind == QuestionKind.TEXT:
                    continue
                hidden = qr.hidden
                rows.append(
                    [
                        r.question.text,
                        qr.questionnaire.label,
                        qr.questionnaire.respondent_title,
                        None if hidden else r.answered,
                        None if hidden else _num(r.average),
                        None if hidden else _num(r.yes_share),
                        "скрыто: меньше 3 ответов анонимной анкеты"
                        if hidden
                        else "; ".join(f"{label}: {n}" for label, n, _ in r.rows),
                    ]
                )
        _sheet(
            workbook,
            "Этап 1",
            [
                "Вопрос",
                "Анкета (версия)",
                "Роль",
                "Ответов",
                "Среднее",
                "Доля «да»",
                "Распределение",
            ],
            rows,
            caption + " — этап 1, качество программы",
        )
        _sheet(
            workbook,
            "Отклик",
            ["Форма", "Роль", "Назначено", "Ответили", "Доля"],
            [
                [r.form_name, r.respondent_title, r.assigned, r.submitted, _num(r.rate, 4)]
                for r in data.one.responses
            ],
            caption + " — отклик",
        )
    if Stage.GROWTH in c.stages:
        _sheet(
            workbook,
            "Этап 2",
            [
                "Форма",
                "Роль",
                "Участников",
                "Вход",
                "Выход",
                "Изменение",
                "Доля с ростом",
                "Завершили",
                "Расторгли",
                "Встреч в среднем",
                "Мероприятий плана в среднем",
            ],
            [
                [
                    f.form_name,
                    f.respondent_title,
                    f.participants,
                    _num(f.entry),
                    _num(f.exit),
                    _num(f.change),
                    _num(f.improved_share, 4),
                    f.completed,
                    f.terminated,
                    _num(f.meetings),
                    _num(f.activities),
                ]
                for f in data.form_changes
            ],
            caption + " — этап 2, рост участников",
        )
    _sheet(
        workbook,
        "SWOT и выводы",
        ["Раздел", "Текст"],
        [
            ["Сильные стороны", c.strengths or ""],
            ["Слабые стороны", c.weaknesses or ""],
            ["Возможности", c.opportunities or ""],
            ["Угрозы", c.threats or ""],
            ["Выводы", c.conclusions or ""],
        ],
        caption + " — SWOT-анализ",
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- annual ----------------------------------------------------------------------------------


def annual_xlsx(report: AnnualReport, fig: AnnualFigures) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    caption = (
        f"Количество участников программы наставничества, {report.period_title} "
        f"({fig.start:%d.%m.%Y}–{fig.end:%d.%m.%Y})"
    )
    rows = [[li.title, li.mentors, li.mentees, ", ".join(li.local_forms)] for li in fig.lines]
    rows.append(["Всего (каждый человек один раз)", fig.mentors_total, fig.mentees_total, ""])
    sheet = _sheet(
        workbook,
        "Отчёт",
        ["Форма наставничества (федеральная)", "Наставников", "Наставляемых", "Формы Центра"],
        rows,
        caption,
    )
    sheet.append([])
    sheet.append(["Обучающиеся 10 лет и старше, вовлечённые в наставничество"])
    sheet.cell(row=sheet.max_row, column=2, value=fig.students_involved)
    sheet.append(["Обучающиеся Центра 10 лет и старше (всего)", fig.students_10_plus])
    sheet.append(["Доля вовлечённых", _num(fig.share, 4)])
    sheet.append(["Целевое значение", TARGET_SHARE])
    for name in fig.unmapped_forms:
        sheet.append([f"Внимание: форма «{name}» не сопоставлена с федеральной"])
    people = workbook.create_sheet("Списки")
    people.append(["Показатель", "Категория", "ФИО", "Формы Центра"])
    for cell in people[1]:
        cell.font = Font(bold=True)
    for key, title in FIGURES.items():
        for person, forms in people_behind(report, key):
            people.append([title, "", person.full_name, ", ".join(forms)])
    people.column_dimensions["A"].width = 40
    people.column_dimensions["C"].width = 40
    people.column_dimensions["D"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annual_pdf(report: AnnualReport, fig: AnnualFigures) -> bytes:
    html = render_template(
        "monitoring/annual_pdf.html",
        report=report,
        fig=fig,
        target=TARGET_SHARE,
        settings=get_settings(),
    )
    return render_pdf(html, static_root=current_app.static_folder)
