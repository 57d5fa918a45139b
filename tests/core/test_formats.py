"""The one way a date and a person are written for people to read."""

from datetime import UTC, date, datetime

from clinsafe.core.formats import long_date, long_datetime, person_name


def test_a_date_is_written_day_month_year_in_words():
    assert long_date(date(2026, 12, 2)) == "2 December 2026"
    assert long_date("2026-12-02") == "2 December 2026"
    assert long_date(None) == ""


def test_a_moment_is_written_as_the_day_and_time_it_was_in_london(settings):
    settings.TIME_ZONE = "Europe/London"
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # half past midnight in summer time
    assert long_date(late) == "2 July 2026"
    assert long_datetime(late) == "2 July 2026, 00:30"
    assert long_datetime("2026-07-01 23:30:00+00:00") == "2 July 2026, 00:30"


def test_a_person_is_named_by_their_name_and_by_username_only_without_one(django_user_model):
    priya = django_user_model(username="priya", first_name="Priya", last_name="Shah")
    assert person_name(priya) == "Priya Shah"
    assert person_name(django_user_model(username="ci-bot")) == "ci-bot"
    assert person_name(None) == ""
