"""Demo people: mentees in the centre's clubs, their parents, mentors, consents in every state."""

from datetime import date, timedelta

from portal.extensions import db
from portal.people.models import Consent, Person, PersonTag, Representative, Tag
from portal.people.rules import signing_rule
from portal.statuses import PersonCategory, PersonStatus
from portal.timeutil import today_moscow

MALE = (
    "Александр",
    "Дмитрий",
    "Максим",
    "Иван",
    "Артём",
    "Никита",
    "Михаил",
    "Егор",
    "Матвей",
    "Андрей",
    "Илья",
    "Кирилл",
    "Алексей",
    "Роман",
    "Сергей",
    "Владимир",
    "Тимофей",
    "Ярослав",
    "Павел",
    "Глеб",
    "Степан",
    "Фёдор",
    "Лев",
    "Денис",
    "Константин",
)
FEMALE = (
    "Анастасия",
    "Мария",
    "Анна",
    "Виктория",
    "Екатерина",
    "Софья",
    "Полина",
    "Дарья",
    "Алиса",
    "Ксения",
    "Варвара",
    "Елизавета",
    "Вероника",
    "Арина",
    "Ульяна",
    "Алёна",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Елена",
    "Ирина",
    "Светлана",
    "Юлия",
    "Марина",
)
# (male, female) surnames; a few with «ё» so that search must treat ё and е alike.
SURNAMES = (
    ("Иванов", "Иванова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Васильев", "Васильева"),
    ("Петров", "Петрова"),
    ("Соколов", "Соколова"),
    ("Михайлов", "Михайлова"),
    ("Новиков", "Новикова"),
    ("Фёдоров", "Фёдорова"),
    ("Морозов", "Морозова"),
    ("Волков", "Волкова"),
    ("Алексеев", "Алексеева"),
    ("Лебедев", "Лебедева"),
    ("Семёнов", "Семёнова"),
    ("Егоров", "Егорова"),
    ("Павлов", "Павлова"),
    ("Козлов", "Козлова"),
    ("Степанов", "Степанова"),
    ("Николаев", "Николаева"),
    ("Орлов", "Орлова"),
    ("Андреев", "Андреева"),
    ("Макаров", "Макарова"),
    ("Никитин", "Никитина"),
    ("Захаров", "Захарова"),
    ("Зайцев", "Зайцева"),
    ("Соловьёв", "Соловьёва"),
    ("Борисов", "Борисова"),
    ("Яковлев", "Яковлева"),
    ("Григорьев", "Григорьева"),
    ("Романов", "Романова"),
    ("Воробьёв", "Воробьёва"),
    ("Сергеев", "Сергеева"),
    ("Королёв", "Королёва"),
    ("Ковалёв", "Ковалёва"),
    ("Белов", "Белова"),
    ("Тарасов", "Тарасова"),
    ("Беляев", "Беляева"),
    ("Комаров", "Комарова"),
    ("Киселёв", "Киселёва"),
    ("Шестаков", "Шестакова"),
    ("Голубев", "Голубева"),
)
PATRONYMIC_ROOTS = (
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Андреевич", "Андреевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Алексеевич", "Алексеевна"),
    ("Игоревич", "Игоревна"),
    ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"),
    ("Николаевич", "Николаевна"),
    ("Михайлович", "Михайловна"),
    ("Павлович", "Павловна"),
    ("Олегович", "Олеговна"),
    ("Юрьевич", "Юрьевна"),
)
CLUBS = {
    "Робототехника": ("робототехника", "программирование", "3D-моделирование", "математика"),
    "Юный журналист": ("журналистика", "фотография", "видеомонтаж", "литература"),
    "Хореография": ("танцы", "музыка", "театр", "спорт"),
    "Шахматы": ("шахматы", "математика", "олимпиады", "логические игры"),
    "Изостудия": ("рисование", "дизайн", "фотография", "декоративно-прикладное творчество"),
    "Экология": ("экология", "биология", "волонтёрство", "история края"),
    "Программирование": ("программирование", "олимпиады", "видеоигры", "математика"),
}
COMPETENCIES = (
    "проектная деятельность",
    "подготовка к олимпиадам",
    "публичные выступления",
    "робототехника",
    "программирование на Python",
    "журналистика",
    "хореография",
    "шахматы",
    "живопись",
    "экологические исследования",
    "организация мероприятий",
    "профориентация",
    "психологическая поддержка",
    "медиаграмотность",
    "волонтёрство",
    "учебная мотивация",
)
# A key request is tagged with the competency that answers it, so the matcher can pair them.
REQUESTS = (
    ("подготовка к олимпиадам", "Подготовиться к муниципальному этапу олимпиады"),
    ("проектная деятельность", "Довести свой проект до регионального конкурса"),
    ("психологическая поддержка", "Освоиться в новом объединении и найти друзей"),
    ("профориентация", "Понять, какую профессию выбрать и что для этого изучать"),
    ("публичные выступления", "Научиться выступать перед аудиторией без страха"),
    ("организация мероприятий", "Научиться организовывать мероприятия для своего объединения"),
    ("учебная мотивация", "Вернуть интерес к занятиям и улучшить успеваемость"),
)
SCHOOLS = (
    "МБОУ СШ № 1 г. Пошехонье",
    "МБОУ СШ № 2 г. Пошехонье",
    "МБОУ Белосельская СШ",
    "МБОУ Гаютинская СШ",
)
EMPLOYERS = (
    "ООО «Техносфера»",
    "ГБУЗ ЯО «Пошехонская ЦРБ»",
    "Администрация Пошехонского МР",
    "МУК «Пошехонская ЦБС»",
    "ИП Лавров А. С. (фотостудия)",
    "ООО «Агросоюз»",
)
UNIVERSITIES = (
    "ЯрГУ им. П. Г. Демидова, студент",
    "ЯГТУ, студент",
    "ЯГПУ им. К. Д. Ушинского, студент",
    "Рыбинский авиационный колледж, студент",
)
TIMES = (
    "вторник и четверг после 15:00",
    "по субботам с 11:00",
    "понедельник, 16:00–17:00",
    "по договорённости",
    "среда после уроков",
)
RELATION_BY_SEX = {"m": "отец", "f": "мать"}
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        (
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "sch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ),
        strict=True,
    )
)


class _Builder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = today_moscow()
        self.tags: dict[str, Tag] = {}
        self.people: list[Person] = []
        self.consents: list[Consent] = []
        self.links: list[Representative] = []
        self.serial = 0

    # --- helpers
    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name] = Tag.make(name)
        return self.tags[name]

    def birth(self, age: int) -> date:
        return self.today - timedelta(days=age * 365 + age // 4 + self.rng.randint(20, 340))

    def phone(self) -> str:
        r = self.rng
        return (
            f"+7 ({r.choice(('915', '920', '910', '980', '906'))}) {r.randint(100, 999)}-"
            f"{r.randint(10, 99)}-{r.randint(10, 99)}"
        )

    def email(self, person: Person) -> str:
        self.serial += 1
        login = "".join(_TRANSLIT.get(ch, ch) for ch in person.last_name.lower())
        return f"{login}.{self.serial}@example.ru"

    def name(self, sex: str, surname: tuple[str, str] | None = None):
        r = self.rng
        surname = surname or r.choice(SURNAMES)
        first = r.choice(MALE if sex == "m" else FEMALE)
        middle = r.choice(PATRONYMIC_ROOTS)[0 if sex == "m" else 1]
        return surname[0 if sex == "m" else 1], first, middle

    def person(self, last, first, middle, birth, category, **values) -> Person:
        tags = values.pop("tags", {})
        person = Person(
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=birth,
            category=category,
            **values,
        )
        person.refresh_search_key()
        for kind, names in tags.items():
            for name in dict.fromkeys(names):
                person.tags.append(PersonTag(tag=self.tag(name), kind=kind))
        self.people.append(person)
        return person

    def link(self, child: Person, parent: Person, relation: str) -> None:
        self.links.append(
            Representative(
                child=child,
                representative=parent,
                relation=relation,
                authority_document="свидетельство о рождении ребёнка",
            )
        )

    def consent(
        self, person: Person, parent: Person | None, state: str, publication: bool = False
    ) -> None:
        """A consent signed by whoever the age requires; state: valid | revoked | missing."""
        if state == "missing":
            return
        signed = max(person.entered_on or self.today, self.today - timedelta(days=400))
        signed = min(signed, self.today)
        mode = signing_rule(person, signed).mode  # the age on the day of signing decides
        if mode != "self" and parent is None:
            # An adult with no representative on file signed after coming of age: today.
            signed = self.today
            mode = signing_rule(person, signed).mode
        if mode == "representative":
            signer, co, variant = parent, None, "A"
        else:
            signer, co, variant = person, (parent if mode != "self" else None), "B"
        kinds = ["processing", "publication"] if publication else ["processing"]
        for kind in kinds:
            consent = Consent(
                person=person,
                kind=kind,
                variant=variant,
                signed_by=signer,
                co_signed_by=co,
                signed_on=signed,
                method="paper",
            )
            if state == "revoked":
                consent.revoked_on = min(
                    self.today, signed + timedelta(days=self.rng.randint(30, 200))
                )
                consent.revoke_reason = "Письменное заявление об отзыве согласия"
            self.consents.append(consent)

    def entered(self) -> date:
        return self.today - timedelta(days=self.rng.randint(10, 420))

    # --- people
    def family(self, children: int, surname=None, state=None):
        r = self.rng
        surname = surname or r.choice(SURNAMES)
        parent_sex = "f" if r.random() < 0.7 else "m"
        parent = self.person(
            *self.name(parent_sex, surname),
            self.birth(r.randint(31, 50)),
            PersonCategory.PARENT,
            status=PersonStatus.MEMBER,
            phone=self.phone(),
            workplace=r.choice((*EMPLOYERS, *SCHOOLS)),
            preferred_channel="телефон",
        )
        parent.email = self.email(parent) if r.random() < 0.6 else None
        kids = [self.mentee(surname, parent, state) for _ in range(children)]
        return parent, kids

    def mentee(self, surname, parent: Person, state=None, **fixed) -> Person:
        r = self.rng
        sex = fixed.pop("sex", r.choice("mf"))
        age = fixed.pop("age", r.randint(10, 17))
        birth = fixed.pop("birth", None) or self.birth(age)
        club = fixed.pop("club", r.choice(list(CLUBS)))
        request_tag, request_text = r.choice(REQUESTS)
        names = fixed.pop("names", None) or self.name(sex, surname)
        status = r.choices(
            (
                PersonStatus.MEMBER,
                PersonStatus.CANDIDATE,
                PersonStatus.COMPLETED,
                PersonStatus.DROPPED,
            ),
            (60, 25, 10, 5),
        )[0]
        state = state or r.choices(("valid", "revoked", "missing"), (72, 10, 18))[0]
        if state == "revoked":
            status = r.choice(
                (
                    PersonStatus.DROPPED,
                    PersonStatus.DROPPED,
                    PersonStatus.COMPLETED,
                    PersonStatus.MEMBER,
                )
            )
        entered = self.entered()
        child = self.person(
            *names,
            birth,
            PersonCategory.STUDENT,
            is_mentee=True,
            club=club,
            study_level=max(4, min(11, age - 6)),
            workplace=r.choice(SCHOOLS),
            phone=self.phone() if age >= 12 else None,
            preferred_channel="мессенджер",
            messenger="VK Мессенджер" if age >= 12 else None,
            key_request=request_text,
            comm_format=r.choice(("очно", "очно", "очно и дистанционно")),
            comm_time=r.choice(TIMES),
            entered_on=entered,
            status=status,
            completed_on=(entered + timedelta(days=r.randint(60, 300)))
            if status == PersonStatus.COMPLETED
            else None,
            results="Проект представлен на муниципальном конкурсе"
            if status == PersonStatus.COMPLETED
            else None,
            tags={
                "interest": r.sample(CLUBS[club], 2)
                + r.sample([t for v in CLUBS.values() for t in v], 1),
                "request": [request_tag],
            },
            **fixed,
        )
        if child.completed_on and child.completed_on > self.today:
            child.completed_on = self.today
        self.link(child, parent, RELATION_BY_SEX["f" if parent.middle_name.endswith("на") else "m"])
        self.consent(child, parent, state, publication=state == "valid" and r.random() < 0.3)
        return child

    def mentor(self, **fixed) -> Person:
        r = self.rng
        category = fixed.pop(
            "category",
            r.choices(
                (
                    PersonCategory.TEACHER,
                    PersonCategory.SPECIALIST,
                    PersonCategory.STUDENT,
                    PersonCategory.GRADUATE,
                    PersonCategory.PARENT,
                    PersonCategory.EXPERT,
                ),
                (45, 15, 12, 10, 8, 10),
            )[0],
        )
        sex = fixed.pop("sex", r.choice("mf"))
        ages = {
            PersonCategory.TEACHER: (24, 62),
            PersonCategory.SPECIALIST: (25, 55),
            PersonCategory.STUDENT: (15, 17),
            PersonCategory.GRADUATE: (18, 23),
            PersonCategory.PARENT: (30, 50),
            PersonCategory.EXPERT: (30, 65),
        }
        age = fixed.pop("age", r.randint(*ages[category]))
        names = fixed.pop("names", None) or self.name(sex)
        club = fixed.pop("club", r.choice(list(CLUBS)))
        workplace = {
            PersonCategory.TEACHER: "МБУ ДО Центр «Эдельвейс»",
            PersonCategory.STUDENT: r.choice(SCHOOLS),
            PersonCategory.GRADUATE: r.choice(UNIVERSITIES),
        }.get(category, r.choice(EMPLOYERS))
        position = {
            PersonCategory.TEACHER: "педагог дополнительного образования",
            "обучающийся": "обучающийся объединения «" + club + "»",
        }.get(category)
        low = r.choice((10, 10, 12, 14)) if category != PersonCategory.STUDENT else 10
        high = min(17, low + r.choice((3, 4, 7))) if category != PersonCategory.STUDENT else age - 2
        state = fixed.pop("state", r.choices(("valid", "revoked", "missing"), (80, 7, 13))[0])
        status = fixed.pop(
            "status",
            PersonStatus.DROPPED
            if state == "revoked"
            else r.choices(
                (PersonStatus.MEMBER, PersonStatus.CANDIDATE, PersonStatus.COMPLETED), (70, 22, 8)
            )[0],
        )
        mentor = self.person(
            *names,
            self.birth(age),
            category,
            is_mentor=True,
            club=club if category in (PersonCategory.TEACHER, PersonCategory.STUDENT) else None,
            study_level=(age - 6) if category == PersonCategory.STUDENT else None,
            workplace=workplace,
            position=position or fixed.pop("position", None),
            phone=self.phone(),
            preferred_channel=r.choice(("телефон", "электронная почта")),
            achievements=r.choice(
                (
                    "Подготовил(а) призёров регионального этапа",
                    "Руководитель проектной группы",
                    "Победитель конкурса «Педагог года»",
                    "Опыт работы с детьми более 5 лет",
                    "Автор методических разработок по проектной деятельности",
                )
            ),
            desired_age_min=low,
            desired_age_max=max(low, high),
            capacity=r.randint(1, 3),
            comm_time=r.choice(TIMES),
            comm_format=r.choice(("очно", "дистанционно", "очно и дистанционно")),
            entered_on=self.entered(),
            status=status,
            training_completed=r.random() < 0.7,
            tags={
                "competency": r.sample(COMPETENCIES, 2) + list(CLUBS[club][:1]),
                "interest": r.sample(CLUBS[club], 2),
            },
            **fixed,
        )
        mentor.email = self.email(mentor)
        parent = None
        if category == PersonCategory.STUDENT:
            parent = self.person(
                *self.name(
                    "f",
                    (mentor.last_name, mentor.last_name)
                    if mentor.last_name.endswith("а")
                    else (mentor.last_name, mentor.last_name + "а"),
                ),
                self.birth(r.randint(36, 50)),
                PersonCategory.PARENT,
                status=PersonStatus.MEMBER,
                phone=self.phone(),
            )
            self.link(mentor, parent, "мать")
        self.consent(mentor, parent, state, publication=state == "valid" and r.random() < 0.25)
        return mentor


def _years_before(day: date, years: int, days: int) -> date:
    """A birthday that makes exactly `years` full years on `day` (29 February safe)."""
    try:
        anniversary = day.replace(year=day.year - years)
    except ValueError:
        anniversary = day.replace(year=day.year - years, day=28)
    return anniversary - timedelta(days=days)


def seed(ctx) -> None:
    """Add ~ctx.people_count people and the demo persons of the contract; link the accounts."""
    b = _Builder(ctx)
    today = b.today

    # The demo persons every later seeder relies on.
    mentor = b.mentor(
        category=PersonCategory.TEACHER,
        sex="f",
        age=41,
        club="Робототехника",
        state="valid",
        status=PersonStatus.MEMBER,
        names=("Кузнецова", "Елена", "Сергеевна"),
    )
    mentor.capacity, mentor.training_completed = 3, True
    parent = b.person(
        "Орлова",
        "Наталья",
        "Петровна",
        b.birth(38),
        PersonCategory.PARENT,
        status=PersonStatus.MEMBER,
        phone="+7 (915) 200-11-22",
        email="orlova.parent@example.ru",
        workplace="ГБУЗ ЯО «Пошехонская ЦРБ»",
        preferred_channel="телефон",
    )
    mentee = b.mentee(
        ("Орлов", "Орлова"),
        parent,
        "valid",
        sex="m",
        age=12,
        birth=_years_before(today, 12, 100),
        club="Робототехника",
        names=("Орлов", "Дмитрий", "Андреевич"),
    )
    mentee.status = PersonStatus.MEMBER
    b.consent(parent, None, "valid")
    mentor2 = b.mentor(
        category=PersonCategory.TEACHER,
        sex="m",
        age=35,
        club="Юный журналист",
        state="valid",
        status=PersonStatus.MEMBER,
        names=("Васильев", "Павел", "Олегович"),
    )
    mentor2.training_completed = True
    parent2 = b.person(
        "Смирнова",
        "Ольга",
        "Викторовна",
        b.birth(42),
        PersonCategory.PARENT,
        status=PersonStatus.MEMBER,
        phone="+7 (920) 300-44-55",
        email="smirnova.parent@example.ru",
        preferred_channel="электронная почта",
    )
    mentee2 = b.mentee(
        ("Смирнов", "Смирнова"),
        parent2,
        "valid",
        sex="f",
        age=15,
        birth=_years_before(today, 15, 150),
        club="Юный журналист",
        names=("Смирнова", "Алина", "Игоревна"),
    )
    mentee2.status = PersonStatus.MEMBER
    b.consent(parent2, None, "valid")

    # Everyone else: about 15 % mentors, the rest families of one parent and 1–2 children.
    total = max(ctx.people_count - len(b.people), 0)
    for _ in range(int(total * 0.15)):
        b.mentor()
    while len(b.people) < ctx.people_count:
        b.family(children=1 if b.rng.random() < 0.6 else 2)

    db.session.add_all(b.tags.values())
    db.session.add_all(b.people)
    db.session.add_all(b.links)
    db.session.add_all(b.consents)
    db.session.flush()

    persons = {
        "mentor": mentor,
        "mentee": mentee,
        "parent": parent,
        "mentor2": mentor2,
        "mentee2": mentee2,
    }
    for login, person in persons.items():
        user = ctx.users.get(login)
        if user is not None:
            user.person_id = person.id
    ctx.extras["persons"] = persons
