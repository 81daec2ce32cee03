"""Why a document was not rendered."""


class DocumentError(ValueError):
    """A document's input cannot be printed; the message says why."""


class UnmaskedIdNumber(DocumentError):
    """An 18-digit resident ID number in full in a document's input (R-SE-2, R-SE-3)."""


class MissingGlyph(DocumentError):
    """A character the bundled font cannot draw: it would print as a blank box."""
