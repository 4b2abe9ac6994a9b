"""Several dispatchers at once (as in several app processes): on PostgreSQL they lock with
SKIP LOCKED, on SQLite the single writer serialises them. Either way no conversation is
given twice and no operator goes past their capacity."""

from __future__ import annotations

import threading

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import make_user, new_conversation
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Status
from wowdesk.db import unit_of_work
from wowdesk.errors import Conflict
from wowdesk.operators import presence
from wowdesk.operators.models import OperatorStatus
from wowdesk.routing import service


def test_racing_dispatchers_never_double_assign_or_overfill(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as db:
        ops = []
        for capacity in (1, 2, 3, 2):
            user = make_user(db)
            presence.do_set_capacity(db, user.id, capacity)
            presence.do_set_status(db, user, OperatorStatus.online)
            ops.append((user.id, capacity))
        conv_ids = []
        for _ in range(30):
            conv_ids.append(new_conversation(db).id)
        service.do_sync(db)
    errors: list[BaseException] = []
    offers: list[service.Offer] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            try:
                with unit_of_work(factory) as db:
                    made = service.do_dispatch(db)
                with lock:
                    offers.extend(made)
            except (OperationalError, Conflict):  # SQLite: busy writer, try again
                continue
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    total_capacity = sum(c for _u, c in ops)
    with unit_of_work(factory) as db:
        convs = [conversations.get_conversation(db, cid) for cid in conv_ids]
        assigned = [c for c in convs if c.status == Status.assigned]
        assert len(assigned) == total_capacity == len(offers)
        assert len({o.conversation_id for o in offers}) == len(offers)
        for uid, capacity in ops:
            assert sum(c.operator_id == uid for c in assigned) == capacity
        for c in assigned:
            joined = [
                m for m in conversations.list_messages(db, c) if m.meta.get("kind") == "joined"
            ]
            assert len(joined) == 1
    print(f"checked {len(conv_ids)} conversations, {len(offers)} offers, {len(ops)} operators")
