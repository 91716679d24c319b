"""Imports every domain's models, so metadata (and Alembic) sees all tables."""

from lab.accounts.models import (  # noqa: F401
    MemberInterest,
    OwnedDevice,
    Role,
    ShippingAddress,
    TesterProfile,
    User,
)
from lab.core.audit import AuditEntry  # noqa: F401
from lab.notify.models import Notification, OutboxMail  # noqa: F401
from lab.rewards.models import (  # noqa: F401
    Award,
    BadgeGrant,
    LeaderboardTotal,
    LedgerEntry,
    Redemption,
    Reward,
)
