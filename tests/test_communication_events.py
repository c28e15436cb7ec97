"""The events a publication can be planned against come from every area of the programme."""

from datetime import date

from portal.communication.events import find_event, programme_events
from tests import factories


def test_the_half_year_monitoring_is_an_event_to_plan_publications_against(app):
    form = factories.make_form()
    campaign = factories.make_campaign([form.id], deadline=date(2026, 12, 20))
    events = programme_events(date(2026, 12, 1))
    [event] = [e for e in events if e.source == "Мониторинг"]
    assert event.key == f"monitoring:{campaign.id}"
    assert event.on == date(2026, 12, 20)
    assert event.title == "Итоги мониторинга полугодия (до 20.12.2026)"
    assert find_event(event.key, date(2026, 12, 1)) == event
    # Outside the window (60 days back, 180 ahead) it is not offered.
    assert not [e for e in programme_events(date(2027, 9, 1)) if e.source == "Мониторинг"]
