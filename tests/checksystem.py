"""A stand-in for another government system a check source asks over HTTP (R-VE-4): it answers
as the HTTP source's protocol says, slowly, with an error, or with garbage, as told."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response


@dataclass
class Department:
    """What the system holds: records by ID number and item; how it behaves; what it was asked."""

    records: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    mode: str = "ok"  # ok | slow | error | garbage | refuse | missing
    failures_left: int = 0
    """Answer 503 this many times before behaving as ``mode`` says."""
    calls: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/check")
        async def check(request: Request) -> Response:
            body = await request.json()
            self.calls.append({"body": body, "authorization": request.headers.get(
                "authorization")})
            if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
                return JSONResponse({"error": "who are you"}, status_code=401)
            if self.failures_left > 0:
                self.failures_left -= 1
                return JSONResponse({"error": "busy"}, status_code=503)
            if self.mode == "slow":
                for _ in range(50):  # until told otherwise, at most 5 s
                    await asyncio.sleep(0.1)
                    if self.mode != "slow":
                        break
            if self.mode == "error":
                return JSONResponse({"error": "down for maintenance"}, status_code=500)
            if self.mode == "refuse":
                return JSONResponse({"error": "bad request"}, status_code=400)
            if self.mode == "garbage":
                return Response("<html>502 Bad Gateway</html>", media_type="text/html")
            results = []
            for person in body["people"]:
                for item in body["items"]:
                    found = self.records.get((person["id_number"], item), [])
                    results.append({"ref": person["ref"], "item": item,
                                    "status": "found" if found else "nothing_found",
                                    "records": found})
            if self.mode == "missing":
                results = results[1:]
            return JSONResponse({"results": results})

        return app
