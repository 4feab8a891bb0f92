"""Calendar arithmetic shared by the apps (working days live in `workdays/`)."""

from datetime import date


def add_years(day: date, years: int) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes 28 February in a
    common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
