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
from lab.community.models import (  # noqa: F401
    Answer,
    Article,
    Category,
    Flag,
    HelpfulVote,
    MeToo,
    Question,
    QuestionTag,
    Tag,
)
from lab.core.audit import AuditEntry  # noqa: F401
from lab.feedback.models import (  # noqa: F401
    FeedbackForm,
    FormQuestion,
    FormResponse,
    Report,
    ReportAttachment,
    ReportComment,
    ReportEvent,
    ReportMeToo,
    Task,
    TaskDone,
)
from lab.logistics.models import (  # noqa: F401
    Assignment,
    Device,
    DeviceEvent,
    Shipment,
)
from lab.notify.models import (  # noqa: F401
    Notification,
    OutboxMail,
    ResponseClock,
    SentReminder,
)
from lab.rewards.models import (  # noqa: F401
    Award,
    BadgeGrant,
    LeaderboardTotal,
    LedgerEntry,
    Redemption,
    Reward,
)
