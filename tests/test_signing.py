"""Licence PDF signing (licensing.licences.signing): no database, key material in tmp_path."""

from __future__ import annotations

import asyncio
import datetime
import io
import stat

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from licensing.licences import signing
from licensing.licences.pdf import render_licence_pdf
from licensing.licences.signing import (
    SigningConfigurationError,
    check_signer,
    sign_licence_pdf,
    verify_licence_pdf,
)
from tests.test_licence_pdf import TITLE_ZH, licence_data


@pytest.fixture(scope="module")
def licence_pdf() -> bytes:
    return render_licence_pdf(licence_data())


@pytest.fixture(autouse=True)
def signing_settings(settings, tmp_path):
    """Development signer in tmp_path/var/signing; the process cache is emptied around a test."""
    settings.VAR_DIR = tmp_path / "var"
    settings.PRODUCTION = False
    settings.LICENCE_SIGNING_KEY = None
    settings.LICENCE_SIGNING_CERT = None
    settings.LICENCE_SIGNING_KEY_PASSPHRASE = None
    settings.LICENCE_SIGNING_TRUSTED_CERTS = []
    signing.reset_signer()
    yield settings
    signing.reset_signer()


def dev_dir(settings):
    return settings.VAR_DIR / signing.DEV_DIR_NAME


def make_pair(directory, name: str) -> tuple:
    """Another EC key and certificate (made like the development pair) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    key_path, cert_path = directory / f"{name}-key.pem", directory / f"{name}-cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(signing._dev_certificate(key).public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def tamper(pdf: bytes, position: int) -> bytes:
    changed = bytearray(pdf)
    changed[position] ^= 0x01
    return bytes(changed)


def test_signed_licence_verifies_intact_and_trusted(licence_pdf):
    before = datetime.datetime.now(datetime.UTC)
    signed = sign_licence_pdf(licence_pdf)
    assert signed.startswith(b"%PDF-")
    # An incremental update: the rendered bytes are kept as they were, the signature follows.
    assert signed[:len(licence_pdf)] == licence_pdf
    assert len(signed) > len(licence_pdf) + signing.BYTES_RESERVED

    result = verify_licence_pdf(signed)
    assert result["signed"] and result["intact"] and result["valid"] and result["trusted"], result
    assert result["error"] == ""
    assert not result["modified_after_signing"]
    assert result["field"] == "MOFCOM-Licence"
    assert result["signatures"] == 1
    assert result["signer"] == signing.DEV_COMMON_NAME
    assert before - datetime.timedelta(seconds=5) <= result["signed_at"]
    assert result["signed_at"] <= datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)


def test_signature_dictionary_is_pades_with_reason_and_location(licence_pdf):
    reader = PdfFileReader(io.BytesIO(sign_licence_pdf(licence_pdf)))
    (embedded,) = reader.embedded_signatures
    sig = embedded.sig_object
    assert embedded.field_name == "MOFCOM-Licence"
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig["/Reason"] == "两用物项和技术出口许可证 / Export licence"
    assert sig["/Location"] == "Beijing"
    # A certification signature that permits no changes.
    assert "/DocMDP" in reader.root["/Perms"]
    # Explicit bytes_reserved: /Contents is exactly that many hex digits.
    assert len(sig.raw_get("/Contents").original_bytes) * 2 == signing.BYTES_RESERVED


def test_signed_pdf_keeps_the_text(licence_pdf):
    reader = PdfReader(io.BytesIO(sign_licence_pdf(licence_pdf)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert TITLE_ZH in text
    assert "2026MC0000017" in text
    assert "福建省闽江新材料科技有限公司" in text


def test_one_changed_byte_in_the_signed_range_is_not_intact(licence_pdf):
    signed = sign_licence_pdf(licence_pdf)
    # A byte inside the page content stream of the rendered part (first signed range).
    position = licence_pdf.index(b"stream\n") + 40
    result = verify_licence_pdf(tamper(signed, position))
    assert result["signed"]
    assert not result["intact"]
    assert not result["trusted"]
    assert result["error"] == "the signed content was modified"
    # And in the second signed range, after /Contents: the /Location of the signature dictionary.
    after_contents = signed.index(b">", signed.index(b"/Contents <")) + 1
    position = signed.index(b"(Beijing)", after_contents) + 2
    result = verify_licence_pdf(tamper(signed, position))
    assert result["signed"] and not result["intact"] and not result["trusted"], result


def test_unsigned_and_garbage_are_not_signed(licence_pdf):
    result = verify_licence_pdf(licence_pdf)
    assert result["signed"] is False
    assert result["intact"] is False and result["trusted"] is False
    assert result["signatures"] == 0
    garbage = verify_licence_pdf(b"not a pdf at all")
    assert garbage["signed"] is False and garbage["trusted"] is False
    assert garbage["error"]


def test_bytes_appended_after_signing_are_reported(licence_pdf):
    signed = sign_licence_pdf(licence_pdf)
    result = verify_licence_pdf(signed + b"\n% appended\n")
    assert result["intact"]
    assert result["modified_after_signing"]


def test_dev_key_is_created_once_and_reused(licence_pdf, signing_settings):
    directory = dev_dir(signing_settings)
    assert not directory.exists()
    check_signer()
    key_path = directory / "dev-signing-key.pem"
    cert_path = directory / "dev-signing-cert.pem"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (key_path, cert_path)}

    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    # The names through asn1crypto: cryptography warns that the common name has more than 64
    # UTF-8 bytes (it has 60 characters; RFC 5280 counts characters).
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    assert parsed.subject.native["common_name"] == signing.DEV_COMMON_NAME
    assert parsed.subject.native["organization_name"] == "Ministry of Commerce (development)"
    assert parsed.issuer == parsed.subject
    assert parsed.key_usage_value.native == {"digital_signature", "non_repudiation"}
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert datetime.timedelta(days=3649) < lifetime < datetime.timedelta(days=3651)

    first = sign_licence_pdf(licence_pdf)
    signing.reset_signer()
    second = sign_licence_pdf(licence_pdf)
    after = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (key_path, cert_path)}
    assert after == before
    assert verify_licence_pdf(first)["trusted"] and verify_licence_pdf(second)["trusted"]


def test_missing_certificate_is_remade_for_the_existing_dev_key(signing_settings):
    check_signer()
    key_path = dev_dir(signing_settings) / "dev-signing-key.pem"
    cert_path = dev_dir(signing_settings) / "dev-signing-cert.pem"
    key_bytes = key_path.read_bytes()
    cert_path.unlink()
    signing.reset_signer()
    check_signer()
    assert key_path.read_bytes() == key_bytes
    assert cert_path.is_file()


def test_production_without_key_is_improperly_configured(licence_pdf, signing_settings):
    signing_settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="LICENCE_SIGNING_KEY and LICENCE_SIGNING_CERT"):
        check_signer()
    with pytest.raises(ImproperlyConfigured, match="production"):
        sign_licence_pdf(licence_pdf)
    assert not dev_dir(signing_settings).exists()  # no development key in production


def test_key_without_certificate_is_improperly_configured(signing_settings, tmp_path):
    key_path, _ = make_pair(tmp_path / "keys", "one")
    signing_settings.LICENCE_SIGNING_KEY = str(key_path)
    with pytest.raises(SigningConfigurationError, match="LICENCE_SIGNING_CERT is not set"):
        check_signer()


def test_configured_key_signs_and_other_signers_are_not_trusted(licence_pdf, signing_settings,
                                                                 tmp_path):
    dev_signed = sign_licence_pdf(licence_pdf)  # by the development signer
    key_path, cert_path = make_pair(tmp_path / "keys", "ministry")
    signing_settings.LICENCE_SIGNING_KEY = key_path  # a Path works as well as a str
    signing_settings.LICENCE_SIGNING_CERT = str(cert_path)
    signing_settings.PRODUCTION = True
    signed = sign_licence_pdf(licence_pdf)  # the settings changed: the cache reloads
    assert verify_licence_pdf(signed)["trusted"]
    other = verify_licence_pdf(dev_signed)
    assert other["signed"] and other["intact"] and other["valid"]
    assert not other["trusted"]
    assert other["error"] == "the signing certificate is not trusted"
    # After a key rotation the previous certificate can stay trusted for verification.
    signing_settings.LICENCE_SIGNING_TRUSTED_CERTS = [
        str(dev_dir(signing_settings) / "dev-signing-cert.pem")]
    assert verify_licence_pdf(dev_signed)["trusted"]


def test_mismatched_key_and_certificate_fail_check_signer(signing_settings, tmp_path):
    key_one, _ = make_pair(tmp_path / "keys", "one")
    _, cert_two = make_pair(tmp_path / "keys", "two")
    signing_settings.LICENCE_SIGNING_KEY = str(key_one)
    signing_settings.LICENCE_SIGNING_CERT = str(cert_two)
    with pytest.raises(SigningConfigurationError, match="does not match the certificate") as info:
        check_signer()
    assert str(key_one) in str(info.value) and str(cert_two) in str(info.value)


def test_unreadable_or_invalid_files_fail_check_signer(signing_settings, tmp_path):
    key_path, cert_path = make_pair(tmp_path / "keys", "one")
    signing_settings.LICENCE_SIGNING_KEY = str(tmp_path / "missing.pem")
    signing_settings.LICENCE_SIGNING_CERT = str(cert_path)
    with pytest.raises(SigningConfigurationError, match="cannot read LICENCE_SIGNING_KEY file"):
        check_signer()
    signing_settings.LICENCE_SIGNING_KEY = str(key_path)
    signing_settings.LICENCE_SIGNING_CERT = str(key_path)  # a key where the certificate belongs
    with pytest.raises(SigningConfigurationError, match="LICENCE_SIGNING_CERT"):
        check_signer()
    signing_settings.LICENCE_SIGNING_KEY = str(cert_path)
    signing_settings.LICENCE_SIGNING_CERT = str(cert_path)
    with pytest.raises(SigningConfigurationError, match="not a usable private key"):
        check_signer()


def test_encrypted_key_with_passphrase(licence_pdf, signing_settings, tmp_path):
    key_path, cert_path = make_pair(tmp_path / "keys", "one")
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"s3cret")))
    signing_settings.LICENCE_SIGNING_KEY = str(key_path)
    signing_settings.LICENCE_SIGNING_CERT = str(cert_path)
    with pytest.raises(SigningConfigurationError, match="not a usable private key"):
        check_signer()
    signing_settings.LICENCE_SIGNING_KEY_PASSPHRASE = "s3cret"
    assert verify_licence_pdf(sign_licence_pdf(licence_pdf))["trusted"]


def test_key_is_parsed_once_per_process(licence_pdf, monkeypatch):
    calls = []
    real_loader = signing._load_signer

    def counting_loader(config):
        calls.append(config)
        return real_loader(config)

    monkeypatch.setattr(signing, "_load_signer", counting_loader)
    # pyHanko's SimpleSigner.sign_raw re-parses the key for every signature; ours must not.
    from pyhanko.sign.signers import pdf_cms

    def no_reparse(*args, **kwargs):
        raise AssertionError("the private key was parsed again for a signature")

    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", no_reparse)
    check_signer()
    first = sign_licence_pdf(licence_pdf)
    second = sign_licence_pdf(licence_pdf)
    assert len(calls) == 1
    assert first != second  # a fresh signature each time, same signer
    assert verify_licence_pdf(second)["trusted"]
    assert len(calls) == 1  # verification does not load the key


def test_cache_is_dropped_in_a_forked_child(licence_pdf):
    check_signer()
    cached = signing._signer
    assert cached is not None
    lock = signing._lock
    signing._reset_after_fork()  # what os.register_at_fork(after_in_child=...) runs
    assert signing._signer is None and signing._trust_roots is None
    assert signing._lock is not lock
    check_signer()
    assert signing._signer is not cached


def test_signing_from_inside_an_event_loop(licence_pdf):
    async def issue_in_async_code():
        signed = sign_licence_pdf(licence_pdf)
        return signed, verify_licence_pdf(signed)

    signed, result = asyncio.run(issue_in_async_code())
    assert signed[:len(licence_pdf)] == licence_pdf
    assert result["trusted"]
