"""The organisation's electronic seal: key management, PAdES sealing and verification of PDFs."""

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

log = logging.getLogger(__name__)

KEY_FILE = "seal-key.pem"
CERT_FILE = "seal-cert.pem"
CHAIN_FILE = "seal-chain.pem"

_RSA_BITS = 3072
_VALIDITY = timedelta(days=3653)
# cryptography enforces the X.520 limit of 64 on CN in UTF-8 bytes, so a Cyrillic name
# gets only 32 letters before x509.Name refuses it.
_CN_MAX_BYTES = 64
# pyHanko insists on nonRepudiation by default; document-signing certificates an
# administrator buys may carry only digitalSignature, which is as good for a seal.
_SEAL_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)
# A PDF header may legally follow up to 1 KiB of leading garbage.
_PDF_HEADER_WINDOW = 1024

_UNTRUSTED = (
    "Сертификат печати не подтверждается доверенным сертификатом портала: "
    "печать поставлена другой организацией или подделана."
)
# Keyed by ETSI sub-indication name: pyHanko spreads them over two enums.
_TRUST_PROBLEMS: dict[str, str] = {
    # A self-issued certificate that is not the trusted one ends up here.
    "CHAIN_CONSTRAINTS_FAILURE": _UNTRUSTED,
    "NO_CERTIFICATE_CHAIN_FOUND": _UNTRUSTED,
    "EXPIRED": "Срок действия сертификата печати истёк.",
    "OUT_OF_BOUNDS_NO_POE": "Срок действия сертификата печати истёк.",
    "OUT_OF_BOUNDS_NOT_REVOKED": "Срок действия сертификата печати истёк.",
    "NOT_YET_VALID": "Срок действия сертификата печати ещё не начался.",
    "REVOKED": "Сертификат печати отозван.",
    "REVOKED_NO_POE": "Сертификат печати отозван.",
    "REVOKED_CA_NO_POE": "Сертификат центра, выдавшего печать, отозван.",
}

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class SealError(Exception):
    """The seal could not be created, loaded or applied; the message is in Russian."""


@dataclass(frozen=True)
class SealIdentity:
    """The seal key, its certificate and any intermediate certificates, with their files."""

    key_path: Path
    cert_path: Path
    chain_path: Path | None
    private_key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def trust_root_pem(self) -> bytes:
        """The certificate a verifier should trust: the top of the chain, or the seal itself."""
        roots = [cert for cert in self.chain if cert.issuer == cert.subject]
        root = roots[-1] if roots else self.certificate
        return root.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class SealReport:
    """What verification found; ``problem`` is a Russian sentence for the user, or None."""

    present: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.trusted and self.covers_whole_file


# --- identity ---------------------------------------------------------------------------


def ensure_seal_identity(
    directory: Path, organisation: str, *, common_name: str | None = None
) -> SealIdentity:
    """Load the seal from ``directory``, creating a self-issued one on first use.

    The new certificate gets O = ``organisation`` and CN = ``common_name`` (a short name,
    e.g. «ЦДТ «Радуга»»), or the organisation's name shortened to the 64 bytes a CN may
    hold. An administrator may put their own ``seal-key.pem``/``seal-cert.pem`` (and
    optionally ``seal-chain.pem`` with intermediate certificates) there instead; those are
    loaded as they are.
    """
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    with _locked(directory):
        if not key_path.exists() and not cert_path.exists():
            _create_identity(key_path, cert_path, organisation, common_name)
    return load_seal_identity(directory)


def load_seal_identity(directory: Path) -> SealIdentity:
    """Load an existing seal; raises :class:`SealError` if a file is missing or unusable."""
    directory = Path(directory)
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    chain_path = directory / CHAIN_FILE
    for path in (key_path, cert_path):
        if not path.is_file():
            raise SealError(f"Не найден файл печати {path}: нужны и ключ, и сертификат.")
    _warn_if_key_readable(key_path)
    private_key = _load_private_key(key_path)
    certificate = _load_certificates(cert_path)[0]
    if certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise SealError(f"Ключ {key_path.name} не соответствует сертификату {cert_path.name}.")
    chain = _load_certificates(chain_path) if chain_path.is_file() else []
    return SealIdentity(
        key_path=key_path,
        cert_path=cert_path,
        chain_path=chain_path if chain else None,
        private_key=private_key,
        certificate=certificate,
        chain=tuple(chain),
    )


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    # Several workers may start at once; only one of them may generate the key pair.
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _create_identity(
    key_path: Path, cert_path: Path, organisation: str, common_name: str | None
) -> None:
    organisation = " ".join(organisation.split())
    if not organisation:
        raise SealError("Не указано название организации для сертификата печати.")
    short_name = _fit_utf8(" ".join((common_name or organisation).split()), _CN_MAX_BYTES)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    certificate = _self_issued_certificate(private_key, organisation, short_name)
    key_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # The key goes first, so a crash in between leaves a key without a certificate,
    # which load_seal_identity reports instead of silently replacing.
    _write_atomically(key_path, key_pem, 0o600)
    _write_atomically(cert_path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    log.info("Создан сертификат печати «%s»: %s", organisation, cert_path)


def _self_issued_certificate(
    private_key: PrivateKey, organisation: str, common_name: str
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    public_key = private_key.public_key()
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # Backdated a little so a verifier whose clock lags does not see a future cert.
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                # A CA certificate without keyCertSign is rejected as an anchor by OpenSSL.
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(private_key, hashes.SHA256())
    )


def _fit_utf8(text: str, limit: int) -> str:
    if len(text.encode()) <= limit:
        return text
    ellipsis = "…"
    cut = text.encode()[: limit - len(ellipsis.encode())].decode(errors="ignore")
    # Prefer ending on a whole word, unless that throws away most of the name.
    word_end = cut.rfind(" ")
    if word_end > len(cut) // 2:
        cut = cut[:word_end]
    return cut.rstrip(' ,.:;«"-') + ellipsis


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        # os.open's mode is filtered through the umask; fchmod makes it exact.
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _warn_if_key_readable(key_path: Path) -> None:
    if key_path.stat().st_mode & 0o077:
        log.warning("Ключ печати %s доступен не только владельцу: установите права 0600.", key_path)


def _load_private_key(path: Path) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except TypeError as exc:
        raise SealError(f"Ключ печати {path.name} защищён паролем: нужен ключ без пароля.") from exc
    except (ValueError, OSError) as exc:
        raise SealError(f"Не удалось прочитать ключ печати {path.name}.") from exc
    if not isinstance(key, PrivateKey):
        raise SealError(f"Ключ печати {path.name} должен быть RSA или EC.")
    return key


def _load_certificates(path: Path) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (ValueError, OSError) as exc:
        raise SealError(f"Не удалось прочитать сертификат {path.name}.") from exc
    return certificates


# --- sealing ----------------------------------------------------------------------------


def _to_asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


class _LoadedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that signs with the key object already in memory.

    SimpleSigner re-parses its DER key for every signature, and OpenSSL 3 re-validates an
    RSA key on each parse: about 0.1 s for RSA-3072, paid twice per seal because pyHanko
    also signs a dummy to size the signature placeholder.
    """

    def __init__(self, private_key: PrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            return super().sign_raw(data, digest_algorithm)
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _signer(identity: SealIdentity) -> signers.SimpleSigner:
    key_der = identity.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    certificate = _to_asn1_certificate(identity.certificate)
    # Only the chain: pyHanko embeds the signing certificate itself, and listing it here
    # too would put it into the CMS twice.
    registry = SimpleCertificateStore.from_certs(
        [_to_asn1_certificate(cert) for cert in identity.chain]
    )
    return _LoadedKeySigner(
        identity.private_key,
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=registry,
    )


def seal_pdf(
    pdf: bytes,
    identity: SealIdentity,
    *,
    reason: str,
    location: str,
    field_name: str = "Seal",
) -> bytes:
    """Add an invisible PAdES B-B seal (ETSI.CAdES.detached) as an incremental update."""
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        output = signers.sign_pdf(writer, metadata, signer=_signer(identity))
    except Exception as exc:
        raise SealError("Не удалось поставить печать: PDF-документ не удалось обработать.") from exc
    return output.getvalue()


# --- verification -----------------------------------------------------------------------


def verify_seal(pdf: bytes, trust_root_pem: bytes) -> SealReport:
    """Check the last seal of ``pdf`` against ``trust_root_pem``; never raises on bad input."""
    trust_root = _load_trust_root(trust_root_pem)
    if b"%PDF-" not in pdf[:_PDF_HEADER_WINDOW]:
        return SealReport(present=False, problem="Файл не является PDF-документом.")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:
        log.info("PDF не читается при проверке печати", exc_info=True)
        return SealReport(
            present=False, problem="Файл PDF повреждён или обрезан, его не удалось прочитать."
        )
    if not signatures:
        return SealReport(present=False, problem="В документе нет электронной печати.")
    return _verify_signature(signatures[-1], trust_root)


def _load_trust_root(trust_root_pem: bytes) -> asn1_x509.Certificate:
    try:
        certificate = x509.load_pem_x509_certificate(trust_root_pem)
    except ValueError as exc:
        raise SealError("Корневой сертификат для проверки печати не читается.") from exc
    return _to_asn1_certificate(certificate)


def _verify_signature(
    signature: EmbeddedPdfSignature, trust_root: asn1_x509.Certificate
) -> SealReport:
    signer, signed_at = _claimed_signer(signature)
    context = ValidationContext(
        trust_roots=[trust_root], allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(signature, context, key_usage_settings=_SEAL_KEY_USAGE)
    except Exception:
        log.info("Печать не проверяется", exc_info=True)
        return SealReport(
            present=True,
            signer=signer,
            signed_at=signed_at,
            problem="Печать повреждена: данные подписи не удалось прочитать.",
        )
    return _report(status, signer, signed_at)


def _claimed_signer(signature: EmbeddedPdfSignature) -> tuple[str | None, datetime | None]:
    # Read before validation so a report on a broken seal still says whose it claims to be.
    try:
        subject = signature.signer_cert.subject.native
        signer = subject.get("common_name") or subject.get("organization_name")
    except Exception:
        signer = None
    try:
        reported = signature.self_reported_timestamp
    except Exception:
        reported = None
    return signer, _as_utc(reported)


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _report(
    status: PdfSignatureStatus, signer: str | None, signed_at: datetime | None
) -> SealReport:
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    covers_whole_file = (
        status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        and status.modification_level == ModificationLevel.NONE
    )
    return SealReport(
        present=True,
        intact=intact,
        trusted=trusted,
        covers_whole_file=covers_whole_file,
        signer=signer,
        signed_at=_as_utc(status.signer_reported_dt) or signed_at,
        problem=_problem(status, intact=intact, trusted=trusted, whole=covers_whole_file),
    )


def _problem(status: PdfSignatureStatus, *, intact: bool, trusted: bool, whole: bool) -> str | None:
    if not intact:
        return "Документ изменён после наложения печати: контрольная сумма не совпадает."
    if not trusted:
        indication = status.trust_problem_indic
        name = indication.standard_name if indication is not None else ""
        return _TRUST_PROBLEMS.get(name, "Сертификат печати не прошёл проверку доверия.")
    if not whole:
        return "После наложения печати в документ вносились изменения."
    return None
