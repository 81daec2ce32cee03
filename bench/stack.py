"""The kit's own cost: intake's app with one more endpoint that does no work of its own.

``uvicorn --factory bench.stack:create_app`` with intake's ASSIST_* settings. The endpoint has
everything a submission has around its work: the service's middleware (request context, body
limit, idempotency, operation log), the bearer token and its role, intake's office, the
application body validated, ``Idempotency-Key`` honoured, and one unit of work (BEGIN, COMMIT),
but no statement, no event and no answer body beyond ``{}``. Its cost against the bare endpoint
(``bench.bare``) is what the kit adds to any endpoint; the submission's against it is the
submission's own work.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.intake.app import create_app as create_intake
from services.intake.applications.routes import Office, Receiver
from services.intake.applications.schemas import ApplicationIn
from shared.service import DbSession, Idempotent
from shared.settings import Settings

PATH = "/api/v1/bench/empty-submissions"

router = APIRouter()


@router.post(PATH, status_code=201, dependencies=[Idempotent])
async def empty_submission(session: DbSession, user: Receiver, office: Office,
                           body: ApplicationIn) -> dict[str, str]:
    return {}


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_intake(settings)
    app.include_router(router)
    return app
