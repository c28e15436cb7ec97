"""The plan as a PDF in the layout of Приложение № 4, through the shared documents layer."""

from flask import current_app, render_template

from portal.documents.pdf import render_pdf
from portal.plans.editing import display


def breakable(text: str) -> str:
    """Let a narrow table cell wrap a long hyphenated word («лидером-наставником»).

    ReportLab breaks lines only at spaces (a zero-width space does not count), so a long
    hyphenated word gets a space after its hyphen; short ones are left as written.
    """
    words = [w.replace("-", "- ") if len(w) > 14 and "-" in w else w for w in text.split(" ")]
    return " ".join(words)


def render_plan_pdf(
    snapshot: dict,
    settings: dict,
    revision=None,
    draft_note=None,
    month_name=None,
    forms_table=(),
    glossary=(),
    representatives=(),
) -> bytes:
    """Render a plan snapshot; `revision` (approved) puts «УТВЕРЖДЕНО» in the header, and
    without it the plan is marked «ПРОЕКТ»."""
    html = render_template(
        "plans/pdf.html",
        plan=snapshot,
        settings=settings,
        revision=revision,
        draft_note=draft_note,
        month_name=month_name,
        forms_table=forms_table,
        glossary=glossary,
        representatives=representatives,
        breakable=breakable,
        display=display,
    )
    return render_pdf(html, static_root=current_app.static_folder)
