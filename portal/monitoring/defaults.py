"""The shipped questionnaires, written after the Целевая модель's ones for the three local
forms; the curator edits them in the portal (this is only their first version)."""

from sqlalchemy import select

from portal.extensions import db
from portal.matching.models import MentorshipForm
from portal.monitoring.models import (
    Moment,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionSection,
    Respondent,
)

S, YN, ONE, MANY, TXT = (
    QuestionKind.SCALE,
    QuestionKind.YESNO,
    QuestionKind.SINGLE,
    QuestionKind.MULTI,
    QuestionKind.TEXT,
)
SCALE_HINT = "Оцените по шкале от 1 до 10, где 1 — самый низкий балл, 10 — самый высокий."

# What each local form develops: (measure, the self-assessment item) for mentees and mentors.
FORM_SKILLS = {
    "teacher-student": {
        Respondent.MENTEE: [
            ("projects", "Умею вести проект или исследование от идеи до результата"),
            ("profession", "Понимаю, кем хочу стать и что для этого нужно"),
            ("goals", "Умею ставить цели и планировать свою работу"),
            ("motivation", "Мне интересно заниматься в объединении и узнавать новое"),
            ("confidence", "Уверен(а) в себе, когда выступаю и показываю свою работу"),
        ],
        Respondent.MENTOR: [
            ("individual", "Умею строить работу по индивидуальному запросу ученика"),
            ("motivating", "Умею поддержать интерес ученика к занятиям"),
            ("projects_lead", "Умею сопровождать проект или исследование ученика"),
        ],
    },
    "student-student": {
        Respondent.MENTEE: [
            ("results", "Мои результаты в объединении меня устраивают"),
            ("teamwork", "Умею работать в команде и договариваться"),
            ("goals", "Умею ставить цели и планировать свою работу"),
            ("motivation", "Мне интересно заниматься в объединении и узнавать новое"),
            ("confidence", "Чувствую себя уверенно среди ребят в объединении"),
        ],
        Respondent.MENTOR: [
            ("explaining", "Умею понятно объяснять то, что умею сам(а)"),
            ("responsibility", "Готов(а) отвечать за результат младшего товарища"),
            ("leadership", "Умею организовать работу небольшой группы"),
        ],
    },
    "teacher-teacher": {
        Respondent.MENTEE: [
            ("methods", "Владею современными методиками и технологиями обучения"),
            ("class", "Уверенно веду занятие и управляю группой"),
            ("parents", "Умею выстраивать отношения с родителями обучающихся"),
            ("planning", "Умею планировать занятия и программу объединения"),
            ("confidence", "Уверен(а) в своём профессиональном выборе"),
        ],
        Respondent.MENTOR: [
            ("support", "Умею поддержать молодого педагога, не подменяя его"),
            ("methods_share", "Умею передавать свои методические находки"),
            ("analysis", "Умею разбирать занятие вместе с коллегой"),
        ],
    },
}

SCREENING = [
    (YN, "Участвовали ли вы раньше в программах наставничества?", [], True, None),
    (TXT, "Если да, то где?", [], False, None),
]
EXPECTATIONS = [
    (
        MANY,
        "Чего вы ожидаете от участия в программе?",
        [
            "новых знаний и умений",
            "помощи в трудной ситуации",
            "поддержки и общения",
            "результата: проекта, конкурса, достижения",
            "понимания своего будущего",
        ],
        True,
        None,
    ),
    (TXT, "Что вы хотели бы получить от работы в паре?", [], False, None),
]


def _quality(respondent: Respondent) -> list:
    items = [
        (S, "Насколько эффективна, на ваш взгляд, программа наставничества?", "effectiveness"),
        (S, "Насколько комфортно вам общаться с партнёром по паре?", "comfort"),
        (S, "Насколько полезны были групповые встречи?", "group_meetings"),
        (S, "Насколько полезны были личные встречи?", "personal_meetings"),
        (S, "Насколько вы удовлетворены совместной работой?", "satisfaction"),
        (S, "Насколько оправдались ваши ожидания?", "expectations"),
    ]
    if respondent == Respondent.MENTOR:
        items += [
            (S, "Насколько выполнен индивидуальный план?", "plan_done"),
            (S, "Насколько вы чувствовали поддержку куратора?", "curator_support"),
        ]
    return [(kind, text, [], True, key) for kind, text, key in items]


OPEN = [
    (TXT, "Что было самым ценным в работе пары?", [], False, None),
    (TXT, "Чего не хватило? Что стоит изменить в программе?", [], False, None),
]


def _closing(respondent: Respondent) -> list:
    items = [
        (
            ONE,
            "Как часто вы встречались?",
            ["раз в неделю и чаще", "раз в две недели", "раз в месяц", "реже раза в месяц"],
            True,
            None,
        ),
        (YN, "Рады ли вы, что приняли участие в программе?", [], True, None),
        (YN, "Хотели бы вы продолжить работу в программе?", [], True, None),
    ]
    if respondent == Respondent.MENTEE:
        items.append((YN, "Планируете ли вы сами стать наставником?", [], True, None))
    return items


def _self_assessment(form_code: str, respondent: Respondent) -> list:
    return [(S, f"{text}.", [], True, key) for key, text in FORM_SKILLS[form_code][respondent]]


def _sections(form_code: str, respondent: Respondent, moment: Moment) -> list:
    if moment == Moment.ENTRY:
        return [
            ("Ваш опыт", SCREENING),
            ("Ожидания", EXPECTATIONS),
            ("Самооценка. " + SCALE_HINT, _self_assessment(form_code, respondent)),
        ]
    if moment == Moment.EXIT:
        return [
            ("Оценка программы. " + SCALE_HINT, _quality(respondent)),
            ("Самооценка. " + SCALE_HINT, _self_assessment(form_code, respondent)),
            ("Открытые вопросы", OPEN),
            ("В завершение", _closing(respondent)),
        ]
    return [
        ("Оценка программы. " + SCALE_HINT, _quality(respondent)),
        ("Открытые вопросы", OPEN),
        ("В завершение", _closing(respondent)),
    ]


CURATOR_SECTIONS = [
    (
        "Условия реализации программы. " + SCALE_HINT,
        [
            (S, "Обеспеченность программы помещениями и оборудованием", [], True, "premises"),
            (S, "Методическое сопровождение наставников", [], True, "methodics"),
            (S, "Вовлечённость рабочей группы", [], True, "working_group"),
            (S, "Подготовка (обучение) наставников", [], True, "training"),
            (S, "Информационное сопровождение (сайт, группа ВКонтакте)", [], True, "media"),
            (S, "Взаимодействие с родителями обучающихся", [], True, "parents"),
        ],
    ),
    (
        "Открытые вопросы",
        [
            (TXT, "Что мешает программе работать лучше?", [], False, None),
            (TXT, "Какие ресурсы стоит привлечь в следующем полугодии?", [], False, None),
        ],
    ),
]

TITLES = {
    (Respondent.MENTEE, Moment.ENTRY): "Входная анкета наставляемого",
    (Respondent.MENTEE, Moment.EXIT): "Итоговая анкета наставляемого",
    (Respondent.MENTEE, Moment.HALF_YEAR): "Анкета наставляемого (мониторинг за полугодие)",
    (Respondent.MENTOR, Moment.ENTRY): "Входная анкета наставника",
    (Respondent.MENTOR, Moment.EXIT): "Итоговая анкета наставника",
    (Respondent.MENTOR, Moment.HALF_YEAR): "Анкета наставника (мониторинг за полугодие)",
}


def build(
    family: str,
    title: str,
    respondent: Respondent,
    moment: Moment,
    sections: list,
    form: MentorshipForm | None = None,
    anonymous: bool = False,
) -> Questionnaire:
    """Make a questionnaire from (section title, [(kind, text, options, required, measure)])."""
    q = Questionnaire(
        family=family,
        version=1,
        current=True,
        title=title,
        respondent=respondent,
        moment=moment,
        form=form,
        anonymous=anonymous,
        created_by="портал",
    )
    position = 0
    for s_index, (section_title, items) in enumerate(sections):
        section = QuestionSection(position=s_index, title=section_title)
        q.sections.append(section)
        for kind, text, options, required, measure in items:
            position += 1
            question = Question(
                position=position,
                kind=kind,
                text=text,
                options=list(options),
                required=required,
                measure=measure,
                satisfaction=measure == "satisfaction",
            )
            question.section = section
            q.questions.append(question)
    return q


def install_defaults() -> list[Questionnaire]:
    """Create the shipped questionnaires whose family does not exist yet."""
    have = set(db.session.scalars(select(Questionnaire.family).distinct()))
    forms = {f.code: f for f in db.session.scalars(select(MentorshipForm))}
    made = []
    for code in FORM_SKILLS:
        form = forms.get(code)
        if form is None:
            continue
        for respondent in (Respondent.MENTEE, Respondent.MENTOR):
            for moment in Moment:
                family = f"{code}:{respondent}:{moment}"
                if family in have:
                    continue
                title = f"{TITLES[respondent, moment]} — «{form.name}»"
                made.append(
                    build(
                        family,
                        title,
                        respondent,
                        moment,
                        _sections(code, respondent, moment),
                        form,
                        # The half-year survey is anonymous so people judge the pair freely.
                        anonymous=moment == Moment.HALF_YEAR,
                    )
                )
    if "curator" not in have:
        made.append(
            build(
                "curator",
                "Анкета куратора: условия реализации программы",
                Respondent.CURATOR,
                Moment.HALF_YEAR,
                CURATOR_SECTIONS,
            )
        )
    db.session.add_all(made)
    db.session.flush()
    return made
