"""Signing and verifying licence PDFs (PAdES B-B, pyHanko).

``sign_licence_pdf(pdf) -> bytes`` adds an invisible certification signature (field
``MOFCOM-Licence``, no later changes permitted) to a rendered licence as an incremental update:
the original bytes are kept unchanged in front of the signature.  ``verify_licence_pdf(pdf)``
validates it against the configured certificate as the trust root.  ``check_signer()`` loads the
key once and fails loudly; call it when a worker starts.

Key material (``portal/settings.py``):

* ``LICENCE_SIGNING_KEY`` / ``LICENCE_SIGNING_CERT``: paths of the private key and the certificate
  (PEM or DER; the certificate file may carry the issuing chain after the signer's certificate).
  ``LICENCE_SIGNING_KEY_PASSPHRASE`` (optional) decrypts the key.
* ``LICENCE_SIGNING_TRUSTED_CERTS`` (optional): further certificate files whose signatures
  ``verify_licence_pdf`` accepts, e.g. the previous signer after a key rotation.
* Both paths unset outside production: a development EC P-256 key and self-signed certificate are
  created once in ``VAR_DIR/signing`` and reused.  In production they must be set.

Performance notes (see shared/LICENCE-PDF.md):

* The signer is built once per process (parsing the key is the expensive part), kept in a
  module-level cache protected by a lock, and dropped in a forked child, which loads its own.
  The cache is keyed by the settings it was built from, so changed settings (tests) reload it.
* pyHanko's ``SimpleSigner`` re-parses the private key on every signature; ``_CachedKeySigner``
  signs with the key object parsed once.
* ``bytes_reserved`` is given explicitly, so pyHanko does not make a dummy signature to size it.
* pyHanko's synchronous ``sign_pdf`` / ``validate_pdf_signature`` call ``asyncio.run()``: called
  from a thread that runs an event loop, the work is done in a helper thread instead.
"""

from __future__ import annotations

import asyncio
import datetime
import fcntl
import io
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

__all__ = [
    "BYTES_RESERVED",
    "FIELD_NAME",
    "LOCATION",
    "REASON",
    "SigningConfigurationError",
    "check_signer",
    "reset_signer",
    "sign_licence_pdf",
    "verify_licence_pdf",
]

logger = logging.getLogger(__name__)

FIELD_NAME = "MOFCOM-Licence"
REASON = "两用物项和技术出口许可证 / Export licence"
LOCATION = "Beijing"
#: Hex digits reserved for the CMS in /Contents: room for an 8 KB CMS.  B-B with an EC P-256
#: key and a self-signed certificate takes about 1 KB; a CA chain in the certificate file is
#: embedded too, so a long chain needs more.
BYTES_RESERVED = 16384

DEV_DIR_NAME = "signing"
DEV_KEY_NAME = "dev-signing-key.pem"
DEV_CERT_NAME = "dev-signing-cert.pem"
DEV_COMMON_NAME = "Portal development signer (not for production) / 开发环境签名（非正式）"
DEV_ORGANISATION = "Ministry of Commerce (development)"
DEV_VALIDITY = datetime.timedelta(days=3650)

_T = TypeVar("_T")


class SigningConfigurationError(ImproperlyConfigured):
    """The signing key or certificate is missing, unreadable, mismatched or expired."""


# --------------------------------------------------------------------------- process cache

_lock = threading.Lock()
_signer: _CachedKeySigner | None = None
_signer_config: _Config | None = None
_trust_roots: list[asn1_x509.Certificate] | None = None
_trust_config: _Config | None = None


def reset_signer() -> None:
    """Forget the cached signer and trust roots (the next use loads them again)."""
    global _signer, _signer_config, _trust_roots, _trust_config
    with _lock:
        _signer = _signer_config = _trust_roots = _trust_config = None


def _reset_after_fork() -> None:
    # A child of fork() makes its own lock (the parent's may have been held by another thread
    # at the moment of the fork) and loads its own signer.
    global _lock, _signer, _signer_config, _trust_roots, _trust_config
    _lock = threading.Lock()
    _signer = _signer_config = _trust_roots = _trust_config = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


@dataclass(frozen=True)
class _Config:
    key: str | None
    cert: str | None
    passphrase: str | None
    trusted: tuple[str, ...]
    var_dir: str
    production: bool


def _config() -> _Config:
    def optional_path(name: str) -> str | None:
        value = getattr(settings, name, None)
        return str(value) if value not in (None, "") else None

    passphrase = getattr(settings, "LICENCE_SIGNING_KEY_PASSPHRASE", None) or None
    return _Config(
        key=optional_path("LICENCE_SIGNING_KEY"),
        cert=optional_path("LICENCE_SIGNING_CERT"),
        passphrase=passphrase,
        trusted=tuple(str(path) for path in getattr(settings, "LICENCE_SIGNING_TRUSTED_CERTS", ())
                      or ()),
        var_dir=str(settings.VAR_DIR),
        production=bool(getattr(settings, "PRODUCTION", False)),
    )


def _get_signer() -> _CachedKeySigner:
    global _signer, _signer_config
    config = _config()
    with _lock:
        if _signer is None or _signer_config != config:
            _signer = _load_signer(config)
            _signer_config = config
        return _signer


def _get_trust_roots() -> list[asn1_x509.Certificate]:
    global _trust_roots, _trust_config
    config = _config()
    with _lock:
        if _trust_roots is None or _trust_config != config:
            _trust_roots = _load_trust_roots(config)
            _trust_config = config
        return _trust_roots


# --------------------------------------------------------------------------- key material


def _resolve_paths(config: _Config) -> tuple[Path, Path]:
    """The key and certificate paths: configured, or the development pair (made if missing)."""
    if config.key and config.cert:
        return Path(config.key), Path(config.cert)
    if config.key or config.cert:
        missing = "LICENCE_SIGNING_CERT" if config.key else "LICENCE_SIGNING_KEY"
        raise SigningConfigurationError(
            f"Licence signing: LICENCE_SIGNING_KEY and LICENCE_SIGNING_CERT must be set together;"
            f" {missing} is not set."
        )
    if config.production:
        raise SigningConfigurationError(
            "Licence signing: LICENCE_SIGNING_KEY and LICENCE_SIGNING_CERT (paths of the PEM"
            " private key and certificate) must be set in production (PORTAL_ENV=production);"
            " licences cannot be issued without them."
        )
    return _ensure_dev_material(Path(config.var_dir) / DEV_DIR_NAME)


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningConfigurationError(
            f"Licence signing: cannot read {setting} file {path}: {exc.strerror or exc}."
        ) from exc


def _parse_private_key(data: bytes, passphrase: str | None, path: Path) -> Any:
    password = passphrase.encode() if passphrase else None
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=password)
        else:
            key = serialization.load_der_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise SigningConfigurationError(
            f"Licence signing: LICENCE_SIGNING_KEY file {path} is not a usable private key"
            f" (PEM or DER{', with the passphrase given' if passphrase else ''}): {exc}"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
                      | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        raise SigningConfigurationError(
            f"Licence signing: key type {type(key).__name__} in {path} is not supported"
            " (use EC P-256, RSA or Ed25519)."
        )
    return key


def _parse_certificates(data: bytes, path: Path, setting: str) -> list[asn1_x509.Certificate]:
    try:
        certificates = list(load_certs_from_pemder_data(data))
        for certificate in certificates:
            certificate.native  # noqa: B018 - parse it now, not in the middle of a signature
    except (ValueError, TypeError) as exc:
        raise SigningConfigurationError(
            f"Licence signing: {setting} file {path} is not a PEM or DER certificate: {exc}"
        ) from exc
    if not certificates:
        raise SigningConfigurationError(
            f"Licence signing: {setting} file {path} contains no certificate."
        )
    return certificates


def _public_der(public_key: Any) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _load_signer(config: _Config) -> _CachedKeySigner:
    """Read and check the key and certificate, and build the signer (once per process)."""
    key_path, cert_path = _resolve_paths(config)
    private_key = _parse_private_key(_read(key_path, "LICENCE_SIGNING_KEY"), config.passphrase,
                                     key_path)
    certificates = _parse_certificates(_read(cert_path, "LICENCE_SIGNING_CERT"), cert_path,
                                       "LICENCE_SIGNING_CERT")
    signing_cert, chain = certificates[0], certificates[1:]
    certificate = x509.load_der_x509_certificate(signing_cert.dump())
    # Names come from asn1crypto: cryptography's .subject warns about the development common
    # name (see _dev_certificate).
    subject = signing_cert.subject.human_friendly
    if _public_der(private_key.public_key()) != _public_der(certificate.public_key()):
        raise SigningConfigurationError(
            f"Licence signing: the private key {key_path} does not match the certificate"
            f" {cert_path} ({subject}): they are not a pair."
        )
    now = datetime.datetime.now(datetime.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SigningConfigurationError(
            f"Licence signing: the certificate {cert_path} is valid from"
            f" {certificate.not_valid_before_utc:%Y-%m-%d} to"
            f" {certificate.not_valid_after_utc:%Y-%m-%d}, not now."
        )
    if certificate.not_valid_after_utc - now < datetime.timedelta(days=30):
        logger.warning("Licence signing certificate %s expires on %s", cert_path,
                       certificate.not_valid_after_utc.date())
    key_info = asn1_keys.PrivateKeyInfo.load(private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    registry = SimpleCertificateStore()
    registry.register_multiple(chain)
    logger.info("Licence signer loaded: %s (%s)", subject, cert_path)
    return _CachedKeySigner(private_key, signing_cert=signing_cert, signing_key=key_info,
                            cert_registry=registry)


def _load_trust_roots(config: _Config) -> list[asn1_x509.Certificate]:
    """The signer's certificate (not its chain) and LICENCE_SIGNING_TRUSTED_CERTS."""
    _, cert_path = _resolve_paths(config)
    roots = _parse_certificates(_read(cert_path, "LICENCE_SIGNING_CERT"), cert_path,
                                "LICENCE_SIGNING_CERT")[:1]
    for extra in config.trusted:
        roots += _parse_certificates(_read(Path(extra), "LICENCE_SIGNING_TRUSTED_CERTS"),
                                     Path(extra), "LICENCE_SIGNING_TRUSTED_CERTS")
    return roots


class _CachedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that signs with a key object parsed once, not re-parsed per signature."""

    def __init__(self, private_key: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism_spec = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            mechanism = mechanism_spec.signature_algo
        except ValueError:
            mechanism = mechanism_spec["algorithm"].native
        key = self._private_key
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism in ("ed25519", "ed448"):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)  # e.g. RSA-PSS: pyHanko's own path


# --------------------------------------------------------------------------- development key


def _write_private_file(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` atomically with ``mode`` (never readable by others meanwhile)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _dev_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    with warnings.catch_warnings():
        # The common name has 60 characters (RFC 5280 allows 64) but 82 UTF-8 bytes, and
        # cryptography counts bytes.
        warnings.simplefilter("ignore")
        name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME, _validate=False),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ])
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + DEV_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _ensure_dev_material(directory: Path) -> tuple[Path, Path]:
    """The development key and certificate in ``directory``, created once (under a file lock)."""
    key_path, cert_path = directory / DEV_KEY_NAME, directory / DEV_CERT_NAME
    if key_path.is_file() and cert_path.is_file():
        return key_path, cert_path
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(directory / ".lock", "a+b") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)  # another process may be creating it
            if not key_path.is_file():
                key = ec.generate_private_key(ec.SECP256R1())
                _write_private_file(key_path, key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()), 0o600)
                cert_path.unlink(missing_ok=True)  # a certificate of another key is useless
                logger.warning("Created a development licence signing key %s (not for"
                               " production)", key_path)
            if not cert_path.is_file():
                key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
                if not isinstance(key, ec.EllipticCurvePrivateKey):
                    raise SigningConfigurationError(
                        f"Licence signing: {key_path} is not an EC key; delete it to make a new"
                        " development key.")
                certificate = _dev_certificate(key)
                _write_private_file(cert_path, certificate.public_bytes(
                    serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise SigningConfigurationError(
            f"Licence signing: cannot create the development key in {directory}: {exc}"
        ) from exc
    return key_path, cert_path


# --------------------------------------------------------------------------- public API


def _outside_event_loop(function: Callable[..., _T], *args: Any) -> _T:
    """Run ``function`` here, or in a helper thread if this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="licence-signing") as pool:
        return pool.submit(function, *args).result()


def _sign(signer: _CachedKeySigner, pdf: bytes, field_name: str = FIELD_NAME, reason: str = REASON) -> bytes:
    # strict=False: the input is our own WeasyPrint output; tolerate harmless irregularities.
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=LOCATION,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    pdf_signer = signers.PdfSigner(metadata, signer,
                                   new_field_spec=SigFieldSpec(sig_field_name=field_name))
    return pdf_signer.sign_pdf(writer, bytes_reserved=BYTES_RESERVED).getvalue()


def sign_licence_pdf(pdf: bytes) -> bytes:
    """Return ``pdf`` with a PAdES B-B certification signature appended (invisible field)."""
    return _outside_event_loop(_sign, _get_signer(), pdf)


def sign_document_pdf(pdf: bytes, *, field_name: str, reason: str) -> bytes:
    """Another ministry document (a warning letter, a penalty decision) signed as the licence is,
    in a signature field of its own; ``verify_licence_pdf`` validates it."""
    return _outside_event_loop(_sign, _get_signer(), pdf, field_name, reason)


def check_signer() -> None:
    """Load the signer now (once per process); raise ``SigningConfigurationError`` if unusable."""
    _get_signer()


def _common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return str(subject.get("common_name") or certificate.subject.human_friendly)


def verify_licence_pdf(pdf: bytes) -> dict[str, Any]:
    """Validate the licence signature of ``pdf`` against the configured certificate.

    Returns ``signed`` (a signature is present), ``intact`` (the signed bytes are unchanged),
    ``valid`` (the cryptographic signature is correct), ``trusted`` (pyHanko's
    ``status.bottom_line``: intact, valid, made by a trusted certificate, and not followed by
    forbidden changes: this is the verdict to use), ``modified_after_signing`` (bytes were
    appended after the signature), ``signer`` (certificate common name), ``signed_at``
    (signer-reported time, aware datetime, not proof of time at B-B), ``field``, ``signatures``
    (how many the file has), ``summary`` and ``error`` (why validation failed, or "").
    """
    result: dict[str, Any] = {
        "signed": False, "intact": False, "valid": False, "trusted": False,
        "modified_after_signing": False, "signer": "", "signed_at": None, "field": "",
        "signatures": 0, "summary": "", "error": "",
    }
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # untrusted input: any parse failure means "not a signed PDF"
        result["error"] = f"not a readable PDF: {exc}"
        return result
    result["signatures"] = len(embedded)
    if not embedded:
        return result
    result["signed"] = True
    ours = [sig for sig in embedded if sig.field_name == FIELD_NAME]
    embedded_sig = (ours or embedded)[-1]
    result["field"] = embedded_sig.field_name or ""
    roots = _get_trust_roots()  # configuration errors propagate: they are not the file's fault
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded_sig,
                                     ValidationContext(trust_roots=roots))
    except Exception as exc:  # a malformed signature is a failed check, not a server error
        logger.info("Licence signature validation failed: %s", exc)
        result["error"] = f"signature could not be validated: {exc}"
        return result
    result.update(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.bottom_line),
        modified_after_signing=status.coverage != SignatureCoverageLevel.ENTIRE_FILE,
        signer=_common_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        summary=status.summary(),
    )
    if not status.bottom_line:
        if not status.intact:
            result["error"] = "the signed content was modified"
        elif not status.valid:
            result["error"] = "the signature is not cryptographically valid"
        elif not status.trusted:
            result["error"] = "the signing certificate is not trusted"
        else:
            result["error"] = "the file was changed after signing"
    return result
