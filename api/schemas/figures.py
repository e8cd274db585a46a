import datetime

from ninja import Schema


class PeriodOut(Schema):
    key: str
    first_month: datetime.date
    last_month: datetime.date
    # The day whose end the stock figures describe (the period's last day once it has ended).
    state_day: datetime.date


class FiguresOut(Schema):
    """The dashboards' figures (dashboards.figures) for a scope and period: the counts, which add
    up across enterprises, and the shares and rates derived from them (null: nothing to divide by)."""

    scope: str
    # When the roll-ups the stock figures come from were computed (null: not yet).
    as_of: datetime.datetime | None
    period: PeriodOut
    enterprises: int
    # Whole numbers, except the average headcounts the rates divide by (rate_headcount: the sum
    # of the enterprises' average monthly headcounts, fractional).
    counts: dict[str, int | float]
    indicators: dict[str, float | None]
