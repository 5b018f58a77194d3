"""The bounds of what the register takes in, in one place: pages, API and import use the same."""

import datetime

# An id is a whole number a bigint primary key holds: 1 to 2**63 - 1. A larger one crashes SQLite
# ("Python int too large to convert to SQLite INTEGER") before PostgreSQL would find nothing.
ID_MIN, ID_MAX = 1, 2**63 - 1
# No one alive was born before 1900; a birth date in year 1 would make a resident 80+.
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# A due date, a return expected, a campaign's deadline: within about a year of today.
NEAR = datetime.timedelta(days=366)
# Any other date a person types.
EARLIEST_DATE, LATEST_DATE = EARLIEST_BIRTH_DATE, datetime.date(2100, 12, 31)
# Free text without a column limit (notes): about a page.
TEXT_MAX = 2000
