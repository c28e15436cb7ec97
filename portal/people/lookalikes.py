"""People stored with Latin letters in their names, for the curator to correct."""

from dataclasses import dataclass

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db
from portal.people.models import Person
from portal.people.names import clean_name
from portal.text import has_latin


@dataclass
class LatinName:
    person_id: int
    name: str
    suggested: str  # the name with look-alikes replaced (the same when none look alike)


def people_with_latin_letters() -> list[LatinName]:
    """Every person whose name holds a Latin letter, with the name the import would store."""
    rows = db.session.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name).order_by(
            Person.last_name, Person.first_name, Person.id
        )
    )
    found = []
    for person_id, last, first, middle in rows:
        name = " ".join(p for p in (last, first, middle) if p)
        if has_latin(name):
            found.append(LatinName(person_id, name, clean_name(name)[0]))
    return found


@click.command("people-latin-names")
@with_appcontext
def people_latin_names() -> None:
    """List people whose names hold Latin letters (often «о», «е», «с» typed in English)."""
    found = people_with_latin_letters()
    if not found:
        click.echo("Латинских букв в ФИО нет.")
        return
    click.echo(f"ФИО с латинскими буквами: {len(found)}. Исправьте их в карточках:")
    with current_app.test_request_context():
        paths = {i.person_id: url_for("people.card", person_id=i.person_id) for i in found}
    for item in found:
        path = paths[item.person_id]
        hint = f" → «{item.suggested}»" if item.suggested != item.name else ""
        click.echo(f"  {path}  «{item.name}»{hint}")
