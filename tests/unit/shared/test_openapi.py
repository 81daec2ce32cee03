"""Every service documents its errors as problem+json in its OpenAPI document."""

import importlib

import pytest

from shared.settings import SERVICE_NAMES, Settings


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_business_endpoints_document_problem_responses(service, tmp_path):
    module = importlib.import_module(f"services.{service}.app")
    app = module.create_app(Settings(service=service, data_dir=tmp_path))
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's default shape is not what we send
    assert {"type", "title", "status", "request_id", "errors"} <= set(
        schemas["ProblemDetails"]["properties"])
    operations = [(path, method, op) for path, item in spec["paths"].items()
                  if path.startswith("/api/v1/") for method, op in item.items()]
    assert operations, f"{service} has no business endpoints"
    for path, method, op in operations:
        public = op.get("x-public", False)  # no token: no 401 or 403 to document
        for status in ("422",) if public else ("401", "403", "422"):
            content = op["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)
        if public:
            assert not op.get("security"), f"{method} {path} is public but asks for a token"
        else:
            assert op.get("security"), f"{method} {path} declares no bearer auth"
    assert {"/healthz", "/readyz"} <= set(spec["paths"])
