"""`wowdesk eval retrieval`: one JSON object on stdout with --json, for other tools to read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wowdesk.config import get_settings
from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext
from wowdesk.kb.evaluation import evaluate_retrieval
from wowdesk.kb.retrieval import configured_encoder
from wowdesk.terminal import fail, print_result


def eval_retrieval(
    kb: Annotated[Path, typer.Option("--kb", help="Articles: CSV with id,question,answer.")],
    queries: Annotated[Path, typer.Option("--queries", help="CSV with query,id.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Hit@1, hit@5, MRR and search latency of the embedded retrieval."""
    try:
        encoder = configured_encoder(get_settings().embedding_model_path)
        result = evaluate_retrieval(kb, queries, encoder)
    except WowdeskError as exc:
        raise fail(exc) from exc
    print_result(gettext("Retrieval"), result, json_out)
