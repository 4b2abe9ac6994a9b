"""Every domain's tables, imported once so Alembic and tests see the whole schema."""

from wowdesk.analytics import models as analytics
from wowdesk.assist import models as assist
from wowdesk.bot import models as bot
from wowdesk.channels import models as channels
from wowdesk.conversations import models as conversations
from wowdesk.customers import models as customers
from wowdesk.db import Base
from wowdesk.kb import models as kb
from wowdesk.operators import models as operators
from wowdesk.quality import models as quality
from wowdesk.routing import models as routing
from wowdesk.safety import models as safety
from wowdesk.training import models as training

metadata = Base.metadata

__all__ = [
    "analytics",
    "assist",
    "bot",
    "channels",
    "conversations",
    "customers",
    "kb",
    "metadata",
    "operators",
    "quality",
    "routing",
    "safety",
    "training",
]
