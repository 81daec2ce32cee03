"""HTML pages the services serve as they are (public notices, the complaint form, reports).

Every page extends ``page.html`` (``shared/templates``): its head (no referrer, not indexed,
nothing fetched from outside, R-SE-3) is written once; a service's templates give the title,
their style and their body.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

SHARED_TEMPLATES = Path(__file__).parent / "templates"


def templates(folder: Path) -> Environment:
    """A service's templates in ``folder``, which may extend the kit's ``page.html``; every
    value escaped."""
    return Environment(loader=ChoiceLoader([FileSystemLoader(folder),
                                            FileSystemLoader(SHARED_TEMPLATES)]),
                       autoescape=select_autoescape(["html"], default=True),
                       trim_blocks=True, lstrip_blocks=True)
