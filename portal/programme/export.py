"""The road map as the director approves it: XLSX and PDF with «УТВЕРЖДАЮ» and the order."""

import io

from flask import current_app, render_template
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from portal.documents.pdf import render_pdf
from portal.programme.models import RoadMap
from portal.programme.roadmap import MONTH_NAMES, MONTHS, timeline
from portal.timeutil import today_moscow

COLUMNS = (
    ("№", 5),
    ("Этап", 28),
    ("Мероприятие", 50),
    ("Ответственный", 26),
    ("Срок", 12),
    ("Статус", 14),
    ("Результат", 36),
    ("Подтверждение", 30),
)
_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_OVERDUE = PatternFill("solid", fgColor="F8D7D4")
_WRAP = Alignment(wrap_text=True, vertical="top")


def approval_lines(road_map: RoadMap, settings: dict) -> list[str]:
    """The «УТВЕРЖДАЮ» block: the director, and the order once the map is approved."""
    order = (
        f"приказ от {road_map.order_date:%d.%m.%Y} № {road_map.order_number}"
        if road_map.order_number
        else "приказ от «___» ________ 20__ г. № ____"
    )
    return [
        "УТВЕРЖДАЮ",
        f"Директор {settings['org_short_name']}",
        f"_____________ {settings['director_short']}",
        order,
    ]


def _evidence(activity) -> str:
    if activity.evidence_url:
        return activity.evidence_url
    return f"файл: {activity.evidence_filename}" if activity.evidence_filename else ""


def road_map_xlsx(road_map: RoadMap, activities, settings: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Дорожная карта {road_map.year}-{road_map.year + 1}"
    last = len(COLUMNS)
    for row, line in enumerate(approval_lines(road_map, settings), start=1):
        cell = sheet.cell(row=row, column=last - 2, value=line)
        cell.font = Font(bold=row == 1)
        sheet.merge_cells(start_row=row, start_column=last - 2, end_row=row, end_column=last)
    title_row = 6
    sheet.cell(
        row=title_row,
        column=1,
        value=f"Дорожная карта внедрения целевой модели наставничества в "
        f"{settings['org_short_name']} на {road_map.title}",
    ).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=title_row, start_column=1, end_row=title_row, end_column=last)
    header = title_row + 2
    for column, (name, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header, column=column, value=name)
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.alignment = _WRAP
        sheet.column_dimensions[cell.column_letter].width = width
    today = today_moscow()
    for n, a in enumerate(activities, start=1):
        values = (
            n,
            f"{a.stage.number}. {a.stage.title}",
            a.title,
            a.responsible.full_name,
            a.deadline,
            a.status.title,
            a.result or "",
            _evidence(a),
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=header + n, column=column, value=value)
            cell.border = _BORDER
            cell.alignment = _WRAP
            if column == 5:
                cell.number_format = "DD.MM.YYYY"
            if a.is_overdue(today):
                cell.fill = _OVERDUE
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def road_map_pdf(road_map: RoadMap, activities, settings: dict) -> bytes:
    html = render_template(
        "programme/roadmap_pdf.html",
        road_map=road_map,
        activities=activities,
        settings=settings,
        approval=approval_lines(road_map, settings),
        rows=timeline(activities),
        months=[MONTH_NAMES[m][:3] for m in MONTHS],
        today=today_moscow(),
    )
    return render_pdf(html, static_root=current_app.static_folder)


def certificate_pdf(event, person, attendance, settings: dict) -> bytes:
    """A certificate of attendance (справка) of one training event."""
    html = render_template(
        "programme/certificate_pdf.html",
        event=event,
        person=person,
        attendance=attendance,
        settings=settings,
        issued_on=today_moscow(),
    )
    return render_pdf(html, static_root=current_app.static_folder)
