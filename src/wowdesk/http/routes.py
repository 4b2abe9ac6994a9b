"""A domain's routers by audience, so `create_app` includes every domain's routes in one loop
and a reader sees at the bottom of each api.py/pages.py who may call what."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import APIRouter


@dataclass(frozen=True)
class Routes:
    """`public` routes need no login (the customer chat, the login page, published articles);
    the others carry their role guard on the router or on each route."""

    public: tuple[APIRouter, ...] = ()
    staff: tuple[APIRouter, ...] = ()
    supervisors: tuple[APIRouter, ...] = ()
    admin: tuple[APIRouter, ...] = ()

    def __iter__(self) -> Iterator[APIRouter]:
        yield from (*self.public, *self.staff, *self.supervisors, *self.admin)
