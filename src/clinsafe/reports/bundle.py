"""The supplier bundle (DCB0129 -> DCB0160): one release's hazard log, controls (those
transferred to the deploying organisation marked), safety case and signatures as one
versioned JSON document, with a SHA-256 manifest of its parts.

The format is published as a JSON Schema (``schemas/supplier-bundle-v1.schema.json``, also
served at /schemas/supplier-bundle-v1.json). `read_bundle` checks a received bundle against
it and the manifest, and says why it refuses one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from jsonschema import Draft202012Validator

from clinsafe.argument.models import ArgumentSnapshot
from clinsafe.audit.chain import canonical_json, plain_data, sign
from clinsafe.core.json_input import JSONShapeError, load_json
from clinsafe.gate.evaluation import evaluate, report
from clinsafe.products.models import Release
from clinsafe.reports.models import DocumentKind, IssuedDocument
from clinsafe.reports.records import read_log
from clinsafe.reports.services import compliance_of
from clinsafe.reports.spreadsheet import as_data

FORMAT = "clinsafe-supplier-bundle"
FORMAT_VERSION = 1
PARTS = ("supplier", "product", "release", "hazard_log", "safety_case", "signatures")
SCHEMA_PATH = Path(__file__).parent / "schemas" / "supplier-bundle-v1.schema.json"
MAX_BUNDLE_BYTES = 50 * 1024 * 1024


class BundleError(ValueError):
    """A bundle that is refused, with every reason."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@cache
def schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA_PATH.read_text()))


def part_hash(part: Any) -> str:
    return hashlib.sha256(canonical_json(part).encode()).hexdigest()


def bundle_data(release: Release) -> dict[str, Any]:
    product = release.product
    records = read_log(product)
    evaluation = evaluate(release, records.gate_log)
    gate = report(evaluation)
    hazard_log = as_data(records)
    del hazard_log["product"]
    parts: dict[str, Any] = {
        "supplier": {"name": product.organisation.name, "slug": product.organisation.slug},
        "product": {
            "name": product.name,
            "slug": product.slug,
            "intended_use": product.intended_use,
            "care_settings": product.care_settings,
            "intended_users": product.intended_users,
            "patient_groups": product.patient_groups,
            "third_party_products": product.third_party_products,
        },
        "release": {
            "version": release.version,
            "stage": release.stage,
            "summary": release.summary,
            "build_identifier": release.build_identifier,
            "components": release.components,
            "safety_settings": release.safety_settings,
            "released_at": release.released_at.isoformat() if release.released_at else None,
            "gate": {
                "decision": gate["decision"],
                "message": gate["message"],
                "snapshot_hash": gate["snapshot_hash"],
            },
        },
        "hazard_log": hazard_log,
        "safety_case": _safety_case(release),
        "signatures": _signatures(gate, release),
    }
    parts = plain_data(parts)
    bundle = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        **parts,
        "manifest": {"algorithm": "sha256", "parts": {n: part_hash(parts[n]) for n in PARTS}},
    }
    bundle["issuer"] = {"site": settings.SITE_URL, "signature": issuer_signature(bundle)}
    return bundle


def issuer_signature(bundle: dict[str, Any]) -> str:
    """This clinsafe's HMAC over what the manifest binds (every part, through its hash)."""
    bound = {k: bundle.get(k) for k in ("format", "format_version", "exported_at", "manifest")}
    return sign(settings.AUDIT_KEY, f"supplier-bundle:{canonical_json(bound)}")


def issued_here(bundle: dict[str, Any]) -> bool:
    """Whether this clinsafe issued ``bundle`` as it is (checked after `read_bundle`)."""
    issuer = bundle.get("issuer") or {}
    return hmac.compare_digest(issuer.get("signature", ""), issuer_signature(bundle))


def export_bundle(release: Release) -> bytes:
    return json.dumps(bundle_data(release), indent=2, ensure_ascii=False).encode()


def _safety_case(release: Release) -> dict[str, Any]:
    snapshot = ArgumentSnapshot.objects.filter(release=release).first()
    issued = (
        IssuedDocument.objects.filter(release=release, kind=DocumentKind.SAFETY_CASE_REPORT)
        .order_by("-document_version")
        .first()
    )
    return {
        "argument": None if snapshot is None else {
            "document": snapshot.document, "digest": snapshot.digest,
            "put_forward_by": snapshot.taken_by_name,
            "put_forward_at": snapshot.taken_at.isoformat(),
        },
        "report": None if issued is None else {
            "document_version": issued.document_version, "filename": issued.filename,
            "sha256": issued.sha256, "issued_at": issued.issued_at.isoformat(),
            "issued_by": issued.issued_by_name,
            "content_base64": base64.b64encode(bytes(issued.content)).decode(),
        },
    }  # fmt: skip


def _signatures(gate: dict[str, Any], release: Release) -> list[dict[str, Any]]:
    rows = []
    for kind, signature in (
        [("sign-off", gate["sign_off"])]
        + [("block", b) for b in gate["blocks"]]
        + [("override", o) for o in gate["overrides"]]
    ):
        if signature:
            rows.append(
                {
                    "kind": kind,
                    **{
                        k: signature[k]
                        for k in (
                            "signer",
                            "role",
                            "meaning",
                            "signed_at",
                            "statement",
                            "snapshot_hash",
                            "stale",
                        )
                    },
                }
            )
    compliance = compliance_of(release)
    if compliance.signature is not None:
        s = compliance.signature
        rows.append(
            {
                "kind": "compliance",
                "signer": s.signer_name,
                "role": s.signer_role,
                "meaning": s.meaning,
                "signed_at": s.signed_at,
                "statement": s.statement,
                "snapshot_hash": s.snapshot_hash,
                "stale": not compliance.signed_current,
            }
        )
    return rows  # fmt: skip


def read_bundle(data: bytes) -> dict[str, Any]:
    """A received bundle, checked against the schema and its manifest; BundleError says why
    it is refused."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError([f"The bundle is larger than {MAX_BUNDLE_BYTES:,} bytes."])
    try:
        bundle = load_json(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError([f"The bundle is not JSON: {error}"]) from None
    except JSONShapeError as error:
        raise BundleError([f"The bundle is not one clinsafe makes: {error}."]) from None
    problems = [
        f"{'/'.join(str(p) for p in error.absolute_path) or 'bundle'}: {error.message}"
        for error in sorted(
            Draft202012Validator(schema()).iter_errors(bundle), key=lambda e: list(e.path)
        )
    ]
    if problems:
        raise BundleError([f"Schema: {p}" for p in problems[:20]])
    declared = bundle["manifest"]["parts"]
    mismatched = [
        f"Manifest: the {name} part has SHA-256 {part_hash(bundle[name])}, the manifest says "
        f"{declared[name]}; the bundle was changed after it was made."
        for name in PARTS
        if part_hash(bundle[name]) != declared[name]
    ]
    if mismatched:
        raise BundleError(mismatched)
    report_part = bundle["safety_case"]["report"]
    if report_part is not None:
        content = base64.b64decode(report_part["content_base64"])
        if hashlib.sha256(content).hexdigest() != report_part["sha256"]:
            raise BundleError(["The Safety Case Report's content does not match its SHA-256."])
    return dict(bundle)
