"""How customers' impact and urgency map to a priority.

Customers describe their problem; they never pick P1 themselves. The matrix is
the documented contract for the portal and the API:

| impact \\ urgency | high | medium | low |
|------------------|------|--------|-----|
| high (many users / business stopped) | P2 | P2 | P3 |
| medium (one team)                     | P2 | P3 | P3 |
| low (one person, workaround exists)   | P3 | P4 | P4 |

Staff raise a ticket to P1 after triage.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Priority


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


MATRIX: dict[tuple[str, str], str] = {
    (Level.HIGH, Level.HIGH): Priority.P2,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P3,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P4,
}
CUSTOMER_PRIORITIES = [Priority.P2, Priority.P3, Priority.P4]


def priority_for(*, impact: str, urgency: str) -> str:
    return MATRIX[(Level(impact), Level(urgency))]
