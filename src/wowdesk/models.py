"""Every domain's tables, imported once so Alembic and tests see the whole schema."""

from wowdesk.conversations import models as conversations
from wowdesk.customers import models as customers
from wowdesk.db import Base
from wowdesk.operators import models as operators

metadata = Base.metadata

__all__ = ["conversations", "customers", "metadata", "operators"]
