"""Every service starts on the shared skeleton: migrates, connects, answers health checks."""

from services.verification.app import create_app as create_verification
from tests.support import eventually, running


async def test_verification_starts_migrates_and_is_ready(make_settings):
    settings = make_settings("verification")
    async with running(create_verification(settings)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": "verification"}

        async def ready():
            r = await client.get("/readyz")
            return r if r.status_code == 200 else None

        body = (await eventually(ready)).json()
        assert body["checks"] == {"database": "ok", "nats": "ok"}
