"""Every page a service serves has the kit's head (``shared/templates/page.html``): no referrer
sent, not indexed, nothing fetched from outside (R-SE-3), written once."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import meta

from shared.pages import templates

ROOT = Path(__file__).resolve().parents[3]
FOLDERS = sorted({p.parent for p in (ROOT / "services").glob("**/templates/*.html")})


def test_the_services_have_pages():
    assert len(FOLDERS) >= 3


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: str(f.relative_to(ROOT)))
def test_every_page_extends_the_kit_s_page_and_writes_no_head_of_its_own(folder: Path):
    env = templates(folder)
    for path in sorted(folder.glob("*.html")):
        source = path.read_text()
        chain, name = [], path.name
        while name is not None:
            chain.append(name)
            parent = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            name = next(meta.find_referenced_templates(env.parse(parent)), None)
            if name in chain:
                break
        assert chain[-1] == "page.html", f"{path.name} extends {chain[1:]}"
        assert "<head>" not in source and "<!DOCTYPE" not in source, path.name


def test_the_kit_s_page_sends_no_referrer_and_fetches_nothing():
    page = templates(Path("/nonexistent")).get_template("page.html").render()
    assert '<meta name="referrer" content="no-referrer">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "http" not in page and "<script" not in page and "<link" not in page
