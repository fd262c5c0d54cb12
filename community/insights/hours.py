"""Office hours, as the trust keeps them: 09:00 to 17:00, Monday to Friday,
Europe/London local time, except the bank holidays of England and Wales.
Everything else is "out of hours", the time the platform is there for when
nothing else is open.

The `holidays` package is not installed (and one list of dates does not
justify a new dependency), so the bank holidays are kept here, copied from
GOV.UK's published list (https://www.gov.uk/bank-holidays, the
"england-and-wales" division of https://www.gov.uk/bank-holidays.json).
`HOLIDAYS_KNOWN_UNTIL` says how far the list reaches; a test fails three
months before it runs out, so someone adds the next year in good time."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
OPENS = time(9, 0)
CLOSES = time(17, 0)

BANK_HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        # 2023 (8 May: the coronation of King Charles III)
        "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 "
        "2023-08-28 2023-12-25 2023-12-26 "
        # 2024
        "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 "
        "2024-12-25 2024-12-26 "
        # 2025
        "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 "
        "2025-12-25 2025-12-26 "
        # 2026 (Boxing Day falls on a Saturday: Monday 28 December instead)
        "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 "
        "2026-12-25 2026-12-28 "
        # 2027 (Christmas and Boxing Day fall at a weekend: 27 and 28 December)
        "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 "
        "2027-12-27 2027-12-28"
    ).split()
)
HOLIDAYS_KNOWN_FROM = date(2023, 1, 1)
HOLIDAYS_KNOWN_UNTIL = date(2027, 12, 31)


def is_office_hours(moment: datetime) -> bool:
    """Whether `moment` (aware, or naive London local time) falls within
    09:00-17:00 on a weekday that is not a bank holiday, in London."""
    local = moment.astimezone(LONDON) if moment.tzinfo else moment
    if local.weekday() >= 5 or local.date() in BANK_HOLIDAYS:
        return False
    return OPENS <= local.time() < CLOSES
