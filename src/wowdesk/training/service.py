"""Training services: scenarios and practice attempts, the entry test, tracks and progress.

A practice attempt lives in `training_attempt` only: no conversation, no queue, no message
to a customer, no KPI row, so practice can never reach a real customer or a report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.assist import service as assist
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.kb import service as kb
from wowdesk.operators.models import User
from wowdesk.quality import cases, scorecards
from wowdesk.training import demo_scenarios, demo_tracks, quiz, scenarios, simulator
from wowdesk.training.models import (
    Attempt,
    AttemptStatus,
    Enrollment,
    Module,
    Progress,
    Quiz,
    QuizAttempt,
    Scenario,
    Track,
)

MAX_REPLY = 4000
MAX_TURNS = 60
SCENARIO_FIELDS = (
    "slug", "title", "persona", "brief", "hidden_facts", "goal", "article_slug", "solution",
    "ideal_path", "opening", "beats", "on_secret",
)  # fmt: skip


# --- scenarios ---------------------------------------------------------------------------


def as_dict(sc: Scenario) -> dict[str, Any]:
    return {f: getattr(sc, f) for f in SCENARIO_FIELDS}


def list_scenarios(db: Session) -> list[Scenario]:
    return list(db.scalars(select(Scenario).where(Scenario.active).order_by(Scenario.id)))


def get_scenario(db: Session, key: int | str) -> Scenario:
    """By id, or by slug (the CLI accepts either)."""
    if isinstance(key, int) or str(key).isdigit():
        found = db.get(Scenario, int(key))
    else:
        found = db.scalar(select(Scenario).where(Scenario.slug == str(key)))
    if found is None:
        raise NotFound("Scenario not found")
    return found


def do_save_scenario(db: Session, author: User | None, data: dict[str, Any]) -> Scenario:
    """Creates the scenario or replaces the one with the same slug."""
    clean = scenarios.check_scenario(data)
    if clean["article_slug"] and kb.find_by_slug(db, clean["article_slug"]) is None:
        raise Invalid("No article {slug} in the knowledge base", slug=clean["article_slug"])
    sc = db.scalar(select(Scenario).where(Scenario.slug == clean["slug"]))
    if sc is None:
        sc = Scenario(author_id=author.id if author else None, **clean)
        db.add(sc)
    else:
        for key, value in clean.items():
            setattr(sc, key, value)
    db.flush()
    return sc


def do_scenario_from_case(db: Session, user: User, case_id: int, persona: str) -> Scenario:
    case = cases.access_case(db, user, case_id)
    data = scenarios.draft_from_dialogue(
        list(case.transcript), case.title[:300], f"case-{case.id}", persona
    )
    data["ideal_path"] = data["ideal_path"] + ([case.ideal_scenario] if case.ideal_scenario else [])
    sc = do_save_scenario(db, user, data)
    sc.case_id = case.id
    db.flush()
    return sc


def passages(db: Session, sc: Scenario) -> tuple[str, ...]:
    """The paragraphs of the scenario's article: what `kb_match` and the promises checks
    compare the trainee's replies with, as auto-QA does with a real conversation's."""
    article = kb.find_by_slug(db, sc.article_slug) if sc.article_slug else None
    if article is None:
        return ()
    return tuple(p.strip() for p in article.body.split("\n\n") if p.strip())


def _templates(db: Session) -> tuple[str, ...]:
    return tuple(t.text for t in assist.list_templates(db, active_only=True))


def _definition(db: Session) -> dict[str, Any]:
    return dict(scorecards.default_version(db, "operator").definition)


@dataclass(frozen=True)
class Simulation:
    lines: list[dict[str, Any]]
    result: dict[str, Any]


def simulate(db: Session, sc: Scenario, replies: list[str]) -> Simulation:
    """Replays a trainee's replies against the scripted customer and scores them (nothing
    stored): `wowdesk training simulate` and scenario authors use it."""
    script = as_dict(sc)
    state = simulator.start(script)
    for text in replies:
        if text.strip():
            simulator.reply(script, state, text.strip()[:MAX_REPLY])
    result = simulator.score(script, state, _definition(db), passages(db, sc), _templates(db))
    return Simulation(state.lines, result)


# --- practice attempts -------------------------------------------------------------------


def do_start(
    db: Session,
    user: User,
    scenario_id: int,
    *,
    quiz_attempt_id: int | None = None,
    module_id: int | None = None,
) -> Attempt:
    sc = get_scenario(db, scenario_id)
    state = simulator.start(as_dict(sc))
    attempt = Attempt(
        scenario_id=sc.id,
        user_id=user.id,
        transcript=state.lines,
        quiz_attempt_id=quiz_attempt_id,
        module_id=module_id,
    )
    db.add(attempt)
    db.flush()
    return attempt


def access_attempt(
    db: Session, user: User, attempt_id: int, *, for_update: bool = False
) -> Attempt:
    """A trainee sees their own attempts only. `for_update` locks the row (PostgreSQL) so
    two replies sent at once are both appended, in order, never one over the other."""
    attempt = db.get(Attempt, attempt_id, with_for_update=for_update)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("Practice attempt not found")
    return attempt


def _state(attempt: Attempt, sc: Scenario) -> simulator.State:
    return simulator.State(
        beat=attempt.beat,
        lines=[dict(x) for x in attempt.transcript],
        moves=list(attempt.moves),
        ended=attempt.beat >= len(sc.beats) or "secret_requested" in attempt.moves,
    )


def do_reply(db: Session, user: User, attempt_id: int, text: str) -> str | None:
    """The trainee's reply; returns the simulated customer's answer (None: silent)."""
    attempt = access_attempt(db, user, attempt_id, for_update=True)
    text = text.strip()
    if not text or len(text) > MAX_REPLY:
        raise Invalid("A reply needs 1–{n} characters", n=MAX_REPLY)
    if attempt.status != AttemptStatus.open:
        raise Conflict("The practice dialogue is finished", code="attempt_finished")
    if len(attempt.transcript) >= MAX_TURNS * 2:
        raise Conflict("The practice dialogue is too long: finish it", code="too_long")
    sc = get_scenario(db, attempt.scenario_id)
    state = _state(attempt, sc)
    answer = simulator.reply(as_dict(sc), state, text)
    attempt.beat, attempt.transcript, attempt.moves = state.beat, state.lines, state.moves
    db.flush()
    return answer


def do_finish(db: Session, user: User, attempt_id: int) -> Attempt:
    """Scores the attempt once; a second call returns it as it is."""
    attempt = access_attempt(db, user, attempt_id, for_update=True)
    if attempt.status == AttemptStatus.finished:
        return attempt
    sc = get_scenario(db, attempt.scenario_id)
    if not any(x["author"] == "operator" for x in attempt.transcript):
        raise Invalid("Say something to the customer before finishing")
    result = simulator.score(
        as_dict(sc), _state(attempt, sc), _definition(db), passages(db, sc), _templates(db)
    )
    attempt.result, attempt.total = result, result["total"]
    attempt.status, attempt.finished_at = AttemptStatus.finished, utcnow()
    db.flush()
    if attempt.quiz_attempt_id is not None:
        _finish_entry(db, user, attempt.quiz_attempt_id, result["total"])
    if attempt.module_id is not None:
        progress = _progress(db, user, attempt.module_id)
        progress.practice_total = max(progress.practice_total or 0.0, result["total"])
        _maybe_complete(db, progress)
    return attempt


def list_attempts(db: Session, user: User, limit: int = 20) -> list[Attempt]:
    return list(
        db.scalars(
            select(Attempt)
            .where(Attempt.user_id == user.id)
            .order_by(Attempt.id.desc())
            .limit(limit)
        )
    )


# --- quizzes and the entry test ----------------------------------------------------------


def get_quiz(db: Session, slug: str) -> Quiz:
    found = db.scalar(select(Quiz).where(Quiz.slug == slug))
    if found is None:
        raise NotFound("Quiz not found")
    return found


def _article_text(db: Session, slug: str) -> str | None:
    article = kb.find_by_slug(db, slug) if slug else None
    return article.body if article is not None else None


def do_save_quiz(db: Session, data: dict[str, Any]) -> Quiz:
    """A supervisor's bank (questions, dialogue part, thresholds); short answers are
    checked against the current knowledge base."""
    slug = str(data.get("slug", "")).strip()
    title = str(data.get("title", "")).strip()
    questions = data.get("questions")
    if not scenarios.SLUG.match(slug) or not title:
        raise Invalid("A quiz needs an id (latin letters, digits, -) and a title")
    if not isinstance(questions, list) or not 0 < len(questions) <= quiz.MAX_QUESTIONS:
        raise Invalid("A quiz needs 1–{n} questions", n=quiz.MAX_QUESTIONS)
    clean = [
        quiz.check_question(q, _article_text(db, str(q.get("article_slug", ""))))
        if isinstance(q, dict)
        else quiz.check_question(q, None)
        for q in questions
    ]
    levels = []
    for lv in data.get("levels") or []:
        track = str(lv.get("track", "")) if isinstance(lv, dict) else ""
        if db.scalar(select(Track.id).where(Track.slug == track)) is None:
            raise Invalid("Unknown track {track}", track=track)
        levels.append({"min": float(lv.get("min", 0)), "level": str(lv["level"]), "track": track})
    scenario_slug = str(data.get("scenario_slug") or "")
    if scenario_slug:
        get_scenario(db, scenario_slug)
    found = db.scalar(select(Quiz).where(Quiz.slug == slug))
    values = {
        "title": title[:300],
        "questions": clean,
        "scenario_slug": scenario_slug,
        "pass_percent": float(data.get("pass_percent", 60.0)),
        "levels": levels,
        "updated_at": utcnow(),
    }
    if found is None:
        found = Quiz(slug=slug, **values)
        db.add(found)
    else:
        for key, value in values.items():
            setattr(found, key, value)
    db.flush()
    return found


def public_questions(q: Quiz) -> list[dict[str, Any]]:
    """The questions without their answers, for the page and the API."""
    return [
        {"kind": x["kind"], "text": x["text"], "options": x.get("options", [])} for x in q.questions
    ]


@dataclass(frozen=True)
class EntryStep:
    attempt: QuizAttempt
    practice: Attempt | None  # the dialogue part to do next, when the test has one


def do_submit_entry(db: Session, user: User, answers: list[Any]) -> EntryStep:
    """Marks the entry test; with a dialogue part, starts it (the level comes when it is
    scored), otherwise sets the level and the track now."""
    entry = get_quiz(db, "entry")
    score, marks = quiz.percent(list(entry.questions), answers)
    attempt = QuizAttempt(quiz_id=entry.id, user_id=user.id, answers=marks, quiz_percent=score)
    db.add(attempt)
    db.flush()
    if entry.scenario_slug:
        sc = get_scenario(db, entry.scenario_slug)
        return EntryStep(attempt, do_start(db, user, sc.id, quiz_attempt_id=attempt.id))
    _finish_entry(db, user, attempt.id, None)
    return EntryStep(attempt, None)


def _finish_entry(db: Session, user: User, quiz_attempt_id: int, practice: float | None) -> None:
    attempt = db.get(QuizAttempt, quiz_attempt_id)
    if attempt is None or attempt.finished_at is not None:
        return
    entry = db.get(Quiz, attempt.quiz_id)
    assert entry is not None
    attempt.practice_total = practice
    parts = [attempt.quiz_percent] + ([practice] if practice is not None else [])
    attempt.percent = round(sum(parts) / len(parts), 1)
    level = quiz.level_for(list(entry.levels), attempt.percent)
    attempt.finished_at = utcnow()
    if level is not None:
        track = db.scalar(select(Track).where(Track.slug == level["track"]))
        if track is not None:
            attempt.level, attempt.track_id = level["level"], track.id
            enrollment = db.get(Enrollment, user.id)
            if enrollment is None:
                db.add(Enrollment(user_id=user.id, track_id=track.id, level=level["level"]))
            else:
                enrollment.track_id, enrollment.level = track.id, level["level"]
    db.flush()


def last_entry(db: Session, user: User) -> QuizAttempt | None:
    return db.scalar(
        select(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.slug == "entry", QuizAttempt.user_id == user.id)
        .order_by(QuizAttempt.id.desc())
        .limit(1)
    )


# --- tracks and progress -----------------------------------------------------------------


def list_tracks(db: Session) -> list[Track]:
    return list(db.scalars(select(Track).order_by(Track.id)))


def get_track(db: Session, track_id: int) -> Track:
    track = db.get(Track, track_id)
    if track is None:
        raise NotFound("Track not found")
    return track


def enrollment_of(db: Session, user: User) -> Enrollment | None:
    return db.get(Enrollment, user.id)


def modules_of(db: Session, track_id: int) -> list[Module]:
    return list(
        db.scalars(select(Module).where(Module.track_id == track_id).order_by(Module.position))
    )


@dataclass(frozen=True)
class ModuleState:
    module: Module
    progress: Progress | None
    unlocked: bool

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None


def track_view(db: Session, user: User, track_id: int) -> list[ModuleState]:
    """Each module of the track with the operator's progress; a module opens when the one
    before it is done."""
    out: list[ModuleState] = []
    previous_done = True
    for module in modules_of(db, track_id):
        progress = db.get(Progress, (user.id, module.id))
        state = ModuleState(module, progress, previous_done)
        out.append(state)
        previous_done = state.done
    return out


def access_module(db: Session, user: User, module_id: int) -> Module:
    """A module of the operator's own track, once unlocked."""
    module = db.get(Module, module_id)
    enrollment = enrollment_of(db, user)
    if module is None or enrollment is None or module.track_id != enrollment.track_id:
        raise NotFound("Module not found in your track")
    state = next(s for s in track_view(db, user, module.track_id) if s.module.id == module.id)
    if not state.unlocked:
        raise Forbidden("Finish the previous module first", code="module_locked")
    return module


def _progress(db: Session, user: User, module_id: int) -> Progress:
    progress = db.get(Progress, (user.id, module_id))
    if progress is None:
        progress = Progress(user_id=user.id, module_id=module_id)
        db.add(progress)
        db.flush()
    return progress


def _maybe_complete(db: Session, progress: Progress) -> None:
    module = db.get(Module, progress.module_id)
    assert module is not None
    practice_ok = module.scenario_id is None or (progress.practice_total or 0) >= (
        module.practice_pass
    )
    module_quiz = db.get(Quiz, module.quiz_id) if module.quiz_id else None
    quiz_ok = module_quiz is None or (progress.quiz_percent or 0) >= module_quiz.pass_percent
    progress.updated_at = utcnow()
    if progress.lessons_read and practice_ok and quiz_ok and progress.completed_at is None:
        progress.completed_at = utcnow()
    db.flush()


def do_read_lessons(db: Session, user: User, module_id: int) -> Progress:
    module = access_module(db, user, module_id)
    progress = _progress(db, user, module.id)
    progress.lessons_read = True
    _maybe_complete(db, progress)
    return progress


def do_start_module_practice(db: Session, user: User, module_id: int) -> Attempt:
    module = access_module(db, user, module_id)
    if module.scenario_id is None:
        raise Invalid("This module has no practice")
    return do_start(db, user, module.scenario_id, module_id=module.id)


def module_quiz(db: Session, module: Module) -> Quiz | None:
    return db.get(Quiz, module.quiz_id) if module.quiz_id else None


def do_submit_module_quiz(
    db: Session, user: User, module_id: int, answers: list[Any]
) -> tuple[Progress, list[bool]]:
    module = access_module(db, user, module_id)
    q = module_quiz(db, module)
    if q is None:
        raise Invalid("This module has no quiz")
    score, marks = quiz.percent(list(q.questions), answers)
    db.add(QuizAttempt(quiz_id=q.id, user_id=user.id, answers=marks, quiz_percent=score,
                       percent=score, finished_at=utcnow()))  # fmt: skip
    progress = _progress(db, user, module.id)
    progress.quiz_percent = max(progress.quiz_percent or 0.0, score)
    _maybe_complete(db, progress)
    return progress, marks


@dataclass(frozen=True)
class Lesson:
    kind: str
    title: str
    text: str
    lines: list[dict[str, Any]]  # a case-library dialogue


def lessons_of(db: Session, user: User, module: Module) -> list[Lesson]:
    out = []
    for item in module.lessons:
        kind = item.get("kind")
        if kind == "article":
            article = kb.find_by_slug(db, str(item.get("ref", "")))
            if article is not None:
                out.append(Lesson("article", article.title, article.body, []))
        elif kind == "case":
            case = cases.access_case(db, user, int(item.get("ref", 0)))
            out.append(Lesson("case", case.title, case.ideal_scenario, list(case.transcript)))
        else:
            out.append(Lesson("text", str(item.get("title", "")), str(item.get("text", "")), []))
    return out


def do_save_track(db: Session, data: dict[str, Any]) -> Track:
    """Creates or replaces a track with its modules (scenarios and quizzes by slug)."""
    slug = str(data.get("slug", "")).strip()
    title = str(data.get("title", "")).strip()
    modules = data.get("modules")
    if not scenarios.SLUG.match(slug) or not title:
        raise Invalid("A track needs an id (latin letters, digits, -) and a title")
    if not isinstance(modules, list) or not modules:
        raise Invalid("A track needs at least one module")
    track = db.scalar(select(Track).where(Track.slug == slug))
    if track is None:
        track = Track(slug=slug, title=title)
        db.add(track)
    track.title, track.description = title[:300], str(data.get("description", ""))[:4000]
    db.flush()
    kept = []
    for position, m in enumerate(modules, start=1):
        sc = get_scenario(db, m["scenario"]) if m.get("scenario") else None
        q = get_quiz(db, m["quiz"]) if m.get("quiz") else None
        lessons = [x for x in m.get("lessons", []) if isinstance(x, dict)]
        if not str(m.get("title", "")).strip() or not (lessons or sc or q):
            raise Invalid("Module {n} needs a title and some content", n=position)
        module = db.scalar(
            select(Module).where(Module.track_id == track.id, Module.position == position)
        )
        if module is None:
            module = Module(track_id=track.id, position=position, title="")
            db.add(module)
        module.title, module.lessons = str(m["title"])[:300], lessons
        module.scenario_id, module.quiz_id = (sc.id if sc else None), (q.id if q else None)
        kept.append(position)
    for extra in db.scalars(
        select(Module).where(Module.track_id == track.id, Module.position.not_in(kept))
    ):
        db.delete(extra)
    db.flush()
    return track


def track_definition(db: Session, track: Track) -> dict[str, Any]:
    """The track as `do_save_track` takes it: what the supervisors' editor shows."""
    slugs = {s.id: s.slug for s in db.scalars(select(Scenario))}
    quizzes = {q.id: q.slug for q in db.scalars(select(Quiz))}
    return {
        "slug": track.slug,
        "title": track.title,
        "description": track.description,
        "modules": [
            {
                "title": m.title,
                "lessons": m.lessons,
                "scenario": slugs.get(m.scenario_id or 0, ""),
                "quiz": quizzes.get(m.quiz_id or 0, ""),
            }
            for m in modules_of(db, track.id)
        ],
    }


def list_quizzes(db: Session) -> list[Quiz]:
    return list(db.scalars(select(Quiz).order_by(Quiz.id)))


def do_ensure_demo(db: Session) -> None:
    """The marketplace demo scenarios, quizzes and tracks (a re-run updates them); short
    answers whose article is missing are left out of the banks."""
    for data in demo_scenarios.SCENARIOS:
        if kb.find_by_slug(db, data["article_slug"]) is None:
            data = {**data, "article_slug": ""}
        do_save_scenario(db, None, data)
    have = {t.slug for t in list_tracks(db)}
    for data in demo_tracks.QUIZZES:
        questions = [
            q for q in data["questions"]
            if q["kind"] != "short" or _article_text(db, q["article_slug"]) is not None
        ]  # fmt: skip
        levels = data.get("levels") if have >= {t["slug"] for t in demo_tracks.TRACKS} else []
        do_save_quiz(db, {**data, "questions": questions, "levels": levels or []})
    for data in demo_tracks.TRACKS:
        do_save_track(db, data)
    do_save_quiz(db, demo_tracks.ENTRY | {"questions": get_quiz(db, "entry").questions})
