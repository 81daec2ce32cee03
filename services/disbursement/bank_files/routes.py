"""Payment file and bank result endpoints (R-DI-6): thin, the rules are in service.py."""

from __future__ import annotations

from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.responses import StreamingResponse

from services.disbursement.bank_files import service
from services.disbursement.bank_files.formats import MEDIA_OF
from services.disbursement.bank_files.numbers import number_opener
from services.disbursement.bank_files.schemas import BankResultOut, PaymentFileIn, PaymentFileOut
from shared.auth import Role, User, allow
from shared.body_limit import UPLOAD, body_limit
from shared.digests import account_digester
from shared.inputs import PAGED, Paging, RecordId
from shared.problems import PROBLEM_JSON, InvalidField
from shared.service import DbSession, Idempotent, Kit

router = APIRouter(tags=["payment files"])

Finance = Annotated[User, Depends(allow(Role.finance_officer))]
"""Finance makes the files for the bank and takes in its results (the full account numbers)."""
Reader = Annotated[User, Depends(allow(Role.finance_officer, Role.county_officer,
                                       Role.city_officer, Role.auditor))]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])]

CHUNK = 1 << 16
SHA_HEADER = "X-Checksum-SHA256"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {
        "schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


def _chunks(out: IO[bytes]) -> Any:
    try:
        while chunk := out.read(CHUNK):
            yield chunk
    finally:
        out.close()


@router.post("/payment-files", response_model=PaymentFileOut, status_code=201,
             summary="Make a payment file for the bank (R-DI-6)",
             description="The county's `ready` payments of `month` (`kind=monthly`, the "
             "roster, R-DI-3) or its temporary aid ready now (`kind=once`), each moved to "
             "`sent` once (a payment goes to the bank at most twice, R-DI-6), into a CSV or "
             "XLSX file: a title line naming the file, county and month, one line per payment "
             "with the full account number, the amount in yuan exact to the fen and the "
             "payment id as the reference, and a count/total line. Its SHA-256 is kept and "
             "given in `X-Checksum-SHA256`; the bytes are downloaded from "
             "`GET /payment-files/{file_id}/content`. 409 `nothing-to-pay` when no payment is "
             "ready. Emits `payment_file_made`.",
             responses={409: _problem("No ready payment")}, dependencies=[Idempotent])
async def make_payment_file(session: DbSession, kit: Kit, user: Finance, body: PaymentFileIn,
                            response: Response) -> PaymentFileOut:
    if len(body.county) != 6:
        raise InvalidField("county", "a payment file is a county's: give its 6 digits")
    record, out = await service.make_payment_file(
        session, user=user, county=body.county, kind=body.kind, month=body.month,
        fmt=body.format, open_number=number_opener(kit.sealer))
    out.close()
    response.headers["Location"] = f"/api/v1/payment-files/{record.id}"
    response.headers[SHA_HEADER] = record.sha256
    return PaymentFileOut.model_validate(record)


@router.get("/payment-files", response_model=list[PaymentFileOut], responses=PAGED,
            summary="Payment files of your counties",
            description="The newest first; `month` narrows them. No account number here.")
async def list_payment_files(session: DbSession, user: Reader, page: Paging,
                             month: Month = None) -> list[PaymentFileOut]:
    rows = await service.list_payment_files(session, user=user, month=month,
                                            window=page.window(service.PAYMENT_FILES))
    return [PaymentFileOut.model_validate(r)
            for r in page.finish(rows, service.PAYMENT_FILES)]


@router.get("/payment-files/{file_id}", response_model=PaymentFileOut,
            summary="One payment file's record",
            description="Rows, total, SHA-256, who made it and how many lines the bank has "
            "answered. 404 if none, or outside your divisions.")
async def get_payment_file(session: DbSession, user: Reader, file_id: RecordId
                           ) -> PaymentFileOut:
    return PaymentFileOut.model_validate(
        await service.get_payment_file(session, user=user, file_id=file_id))


@router.get("/payment-files/{file_id}/content", response_class=StreamingResponse,
            summary="Download a payment file, full account numbers (finance)",
            description="The file's bytes, made again from its kept lines: the same bytes as "
            "when it was made, checked against its SHA-256 (in `X-Checksum-SHA256`; 500 "
            "`payment-file-damaged` if they differ). It holds the account numbers in full: "
            "the operation log records who downloaded which file (R-AU-1, R-SE-2).",
            responses={200: {"description": "The file", "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in sorted(MEDIA_OF.values())}},
                500: _problem("The file no longer gives its recorded bytes")})
async def download_payment_file(session: DbSession, kit: Kit, user: Finance,
                                file_id: RecordId) -> StreamingResponse:
    record, out = await service.payment_file_again(
        session, user=user, file_id=file_id, open_number=number_opener(kit.sealer))
    name = f"payment-file-{record.county}-{record.month}-{record.id}.{record.format}"
    return StreamingResponse(_chunks(out), media_type=MEDIA_OF[record.format], headers={
        SHA_HEADER: record.sha256, "Content-Length": str(record.size),
        "Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/bank-results", response_model=BankResultOut, status_code=201,
             openapi_extra=body_limit(UPLOAD),
             summary="Take in the bank's result file (R-DI-6)",
             description="The bank's answer to a payment file (multipart `file`, CSV or XLSX): "
             "title `bank_result, <payment file id>`, columns `reference, account, "
             "amount_yuan, result, reason`, one line per payment (`paid`, or `failed` with "
             "the reason), then `total, <lines>, <yuan>`. Checked whole first: another "
             "county's or an unknown file, a malformed line, a payment not in the file or "
             "answered before, an amount or account not the one sent, a duplicate, a wrong "
             "count/total: 422 `file-refused` listing each line and its reason, and nothing "
             "changes. Then applied: paid, or failed with the reason (paid again once when the "
             "account is corrected); a payment failing the second time is held for manual "
             "handling and never sent again. The same file again changes nothing (200). "
             "Emits `bank_result_applied`.",
             responses={200: {"model": BankResultOut, "description": "The same file, applied "
                              "before: nothing changed"},
                        422: _problem("The file is refused whole (`faults`: line, reason)")},
             dependencies=[Idempotent])
async def take_bank_result(session: DbSession, kit: Kit, user: Finance, response: Response,
                           file: Annotated[UploadFile, File(description="the result file")]
                           ) -> BankResultOut:
    result, created = await service.apply_bank_result(
        session, user=user, source=file.file, digest=account_digester(kit.sealer.keyring))
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/bank-results/{result.id}"
    return BankResultOut.model_validate(result)


@router.get("/bank-results", response_model=list[BankResultOut], responses=PAGED,
            summary="Bank result files taken in",
            description="The newest first; `file_id` narrows them to one payment file's.")
async def list_bank_results(session: DbSession, user: Reader, page: Paging,
                            file_id: RecordId | None = None) -> list[BankResultOut]:
    rows = await service.list_bank_results(session, user=user, file_id=file_id,
                                           window=page.window(service.BANK_RESULTS))
    return [BankResultOut.model_validate(r) for r in page.finish(rows, service.BANK_RESULTS)]


@router.get("/bank-results/{result_id}", response_model=BankResultOut,
            summary="One bank result file's record",
            description="How many lines were paid, failed and held. 404 if none, or outside "
            "your divisions.")
async def get_bank_result(session: DbSession, user: Reader, result_id: RecordId
                          ) -> BankResultOut:
    return BankResultOut.model_validate(
        await service.get_bank_result(session, user=user, result_id=result_id))
