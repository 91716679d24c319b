"""Imports every domain's models, so metadata (and Alembic) sees all tables."""

from lab.accounts.models import (  # noqa: F401
    MemberInterest,
    OwnedDevice,
    Role,
    ShippingAddress,
    TesterProfile,
    User,
)
from lab.campaigns.models import (  # noqa: F401
    Application,
    ApplicationEvent,
    Campaign,
    CampaignQuestion,
    Draw,
    Product,
)
from lab.core.audit import AuditEntry  # noqa: F401
from lab.notify.models import Notification, OutboxMail, SentReminder  # noqa: F401
from lab.rewards.models import (  # noqa: F401
    Award,
    BadgeGrant,
    LeaderboardTotal,
    LedgerEntry,
    Redemption,
    Reward,
)
