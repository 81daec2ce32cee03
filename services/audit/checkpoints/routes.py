"""Checkpoint and proof endpoints: thin, the rules are in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.audit.checkpoints import service
from services.audit.checkpoints.keys import public_pem
from services.audit.checkpoints.schemas import (
    CheckpointOut,
    ConsistencyProofOut,
    InclusionProofOut,
    LogKeyOut,
    SigningKeyOut,
)
from services.audit.checkpoints.tree import entry_leaf
from shared.auth import Role, User, allow
from shared.inputs import PAGED, Page, paging
from shared.service import DbSession, Idempotent, Kit
from shared.transparency import verifier_key

router = APIRouter(prefix="/audit", tags=["audit"])

Inspector = Annotated[User, Depends(allow(Role.auditor, Role.county_officer, Role.city_officer))]
Signer = Annotated[User, Depends(allow(Role.auditor, Role.county_officer))]
CheckpointPaging = Annotated[Page, paging(max_limit=1000)]


@router.get("/checkpoints/key", response_model=SigningKeyOut,
            summary="The public key checkpoints are signed with (R-AU-2)",
            description="Ed25519, as PEM and as a signed-note verifier key. Keep it apart from "
            "the installation: with it, a checkpoint and a proof, anyone can check the log "
            "(`python -m tools.logproof`).")
async def signing_key(session: DbSession, user: Inspector) -> SigningKeyOut:
    notary = service.notary_of(session)
    public = notary.key.public_key()
    return SigningKeyOut(origin=notary.origin, key_id=notary.key_id,
                         public_key_pem=public_pem(public),
                         verifier_key=verifier_key(notary.origin, public))


@router.get("/checkpoints/keys", response_model=list[LogKeyOut],
            summary="Every key the log's checkpoints were signed with (R-AU-2)",
            description="The current key first, then those retired by rotations (`python -m "
            "tools.auditkey rotate`), newest first, each with the time it was retired: a "
            "checkpoint signed by a retired key verifies if it was signed before then. The "
            "verifier keys, one a line, are a key file for `python -m tools.logproof`.")
async def log_keys(session: DbSession, user: Inspector) -> list[LogKeyOut]:
    notary = service.notary_of(session)
    public = notary.key.public_key()
    current = LogKeyOut(key_id=notary.key_id, verifier_key=verifier_key(notary.origin, public),
                        public_key_pem=public_pem(public), current=True, retired_at=None)
    return [current, *(
        LogKeyOut(key_id=k.key_id, verifier_key=verifier_key(k.name, k.public_key),
                  public_key_pem=public_pem(k.public_key), current=False,
                  retired_at=k.retired_at)
        for k in sorted(notary.retired, key=lambda k: k.retired_at, reverse=True))]


@router.post("/checkpoints", response_model=CheckpointOut, status_code=201,
             dependencies=[Idempotent],
             summary="Sign a checkpoint of the log now (R-AU-2)",
             description="Signs the Merkle tree of every entry so far; the checkpoint is also "
             "made on a schedule (job `audit_checkpoint`). It is appended to the operator's "
             "checkpoint file and POSTed to the witness (when set) by a courier that tries "
             "until accepted. Emits `checkpoint_signed`. Needs a token over the whole county.")
async def make_checkpoint(session: DbSession, kit: Kit, user: Signer) -> CheckpointOut:
    user.require_access(kit.county)
    checkpoint = await service.make_checkpoint(session, made_by=user.user_id)
    return CheckpointOut.model_validate(checkpoint)


@router.get("/checkpoints", response_model=list[CheckpointOut], responses=PAGED,
            summary="Signed checkpoints, newest first (R-AU-2)",
            description="Each with its signed note, to compare with the copies kept outside "
            "(the checkpoint file, the witness). Needs a token over the whole county.")
async def list_checkpoints(session: DbSession, kit: Kit, user: Inspector,
                           page: CheckpointPaging) -> list[CheckpointOut]:
    user.require_access(kit.county)
    rows = await service.list_checkpoints(session, window=page.window(service.CHECKPOINTS))
    return [CheckpointOut.model_validate(r) for r in page.finish(rows, service.CHECKPOINTS)]


@router.get("/checkpoints/consistency", response_model=ConsistencyProofOut,
            summary="Proof that one checkpoint's log is the start of a later one's (R-AU-2)",
            description="An RFC 6962 consistency proof between checkpoints `from` and `to` "
            "(ids): with both signed notes it shows no entry of the first was changed or "
            "removed. 409 when `from` covers more entries than `to`. Needs a token over the "
            "whole county.")
async def consistency(
    session: DbSession, kit: Kit, user: Inspector,
    first: Annotated[int, Query(alias="from", ge=1, le=2**62, description="older checkpoint")],
    second: Annotated[int, Query(alias="to", ge=1, le=2**62, description="newer checkpoint")],
) -> ConsistencyProofOut:
    user.require_access(kit.county)
    old, new, proof = await service.consistency_proof(session, first=first, second=second)
    return ConsistencyProofOut(old_size=old.tree_size, new_size=new.tree_size,
                               proof=[p.hex() for p in proof], old_checkpoint=old.note,
                               new_checkpoint=new.note)


@router.get("/entries/{seq}/proof", response_model=InclusionProofOut,
            summary="Proof that an entry is in a signed checkpoint (R-AU-2)",
            description="The RFC 6962 audit path of entry `seq` to the checkpoint of "
            "`tree_size` entries (default: the newest checkpoint), with its signed note. 404 "
            "for an entry outside your divisions; 409 when the entry is newer than the "
            "checkpoint.")
async def inclusion(
    session: DbSession, user: Inspector,
    seq: Annotated[int, Path(ge=1, le=2**62)],
    tree_size: Annotated[int | None, Query(ge=1, le=2**62,
                                           description="a checkpoint's size")] = None,
) -> InclusionProofOut:
    entry, checkpoint, proof = await service.inclusion_proof(session, user=user, seq=seq,
                                                             tree_size=tree_size)
    return InclusionProofOut(seq=entry.seq, leaf_index=entry.seq - 1, entry_hash=entry.hash,
                             leaf_hash=entry_leaf(entry.hash).hex(),
                             tree_size=checkpoint.tree_size, proof=[p.hex() for p in proof],
                             checkpoint=checkpoint.note)
