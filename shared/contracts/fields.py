"""Field types the contracts share: record ids, application numbers, months, money."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

Id = Annotated[str, Field(min_length=1, max_length=32, description="record id")]
ApplicationNumber = Annotated[str, Field(min_length=1, max_length=40,
                                         description="SQ<county>-<date>-<sequence> (R-IN-1)")]
Area = Literal["urban", "rural"]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Fen = Annotated[int, Field(strict=True, ge=0, description="integer fen (分), never rounded")]
MaskedName = Annotated[str, Field(min_length=1, max_length=60, description="masked name")]
