"""Render HTML into PDF with xhtml2pdf, reading nothing but files under the static folder.

Templates reference fonts and images by paths relative to the static folder, exactly as
they lie on disk: ``src: url("fonts/DejaVuSans.ttf")`` in CSS, ``<img src="img/logo.png">``
in markup (not ``url_for``, not ``/static/...``). ``data:`` URIs are allowed for generated
images. Everything else -- absolute paths, ``..`` escapes, ``file:``, ``http(s):`` and any
other scheme -- is refused twice: by the link callback, which reports the refusal, and by an
xhtml2pdf resource policy confined to the static folder with the network switched off.
"""

import io
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from xhtml2pdf import pisa
from xhtml2pdf.config.resources import RenderLimitError, ResourceAccessPolicy
from xhtml2pdf.default import PML_ERROR

log = logging.getLogger(__name__)

# xhtml2pdf resolves relative URLs against the directory of the document's path; the file
# itself is never read, it only has to sit in the static folder.
_PSEUDO_DOCUMENT = "__document__.html"


class PdfRenderError(Exception):
    """The PDF could not be produced: a Russian message for users, the cause in ``detail``."""

    def __init__(self, message_ru: str, detail: str = "") -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru
        self.detail = detail


class _StaticResolver:
    """xhtml2pdf link callback that maps relative paths into the static folder."""

    def __init__(self, root: Path, on_refused: Callable[[str], None] | None) -> None:
        self.root = root
        self.on_refused = on_refused

    def __call__(self, uri: object, rel: object = None) -> str | None:
        # Fonts and images arrive as str; bytes and None are xhtml2pdf's own internal
        # buffers, not references from the document.
        if not isinstance(uri, str) or uri.startswith("data:"):
            return None
        target = self._resolve(uri)
        if target is None:
            self._refuse(uri)
            # The static folder is a directory, not a file: the policy lets xhtml2pdf look
            # at it and it finds nothing to read, so a refused reference never opens
            # anything even if the policy were loosened.
            return str(self.root)
        return str(target)

    def _resolve(self, uri: str) -> Path | None:
        parts = urlsplit(uri)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        relative = unquote(parts.path)
        if relative.startswith(("/", "\\")) or "\x00" in relative:
            return None
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            return None
        return target

    def _refuse(self, uri: str) -> None:
        log.warning("PDF: ресурс не загружен (вне папки static или не найден): %.200s", uri)
        if self.on_refused is not None:
            self.on_refused(uri)


@lru_cache(maxsize=8)
def _policy_for(root: Path) -> ResourceAccessPolicy:
    # server() turns on every size, count and time limit; local reads are confined to the
    # static folder and remote fetching is off, so not even a DNS lookup is made.
    return ResourceAccessPolicy.server(
        base_dir=root,
        allow_remote=False,
        allowed_hosts=frozenset(),
        allow_private_networks=False,
    )


def _static_root(static_root: str | Path) -> Path:
    root = Path(static_root).resolve()
    if not root.is_dir():
        raise PdfRenderError(
            "Не удалось сформировать PDF: не найдена папка со шрифтами.", f"no directory {root}"
        )
    return root


def _error_details(status: object) -> str:
    entries = getattr(status, "log", None) or []
    messages = [str(entry[2]) for entry in entries if len(entry) > 2 and entry[0] == PML_ERROR]
    return "; ".join(messages[:3]) or "xhtml2pdf reported errors"


def render_pdf(
    html: str,
    *,
    static_root: str | Path,
    on_refused: Callable[[str], None] | None = None,
) -> bytes:
    """Render an HTML document to PDF bytes.

    Fonts are embedded from the ``@font-face`` rules of the document (see
    templates/documents/_pdf_base.html). xhtml2pdf keeps each TrueType face registered with
    ReportLab for the life of the process, keyed by name and file digest, so only the first
    render parses the font files. ``on_refused`` is called with every reference that was
    not loaded. Raises :class:`PdfRenderError` when xhtml2pdf fails or reports errors.
    """
    root = _static_root(static_root)
    output = io.BytesIO()
    try:
        status = pisa.CreatePDF(
            html,
            dest=output,
            path=str(root / _PSEUDO_DOCUMENT),
            link_callback=_StaticResolver(root, on_refused),
            resource_policy=_policy_for(root),
            encoding="utf-8",
        )
    except RenderLimitError as exc:
        raise PdfRenderError(
            "Не удалось сформировать PDF: документ слишком большой или сложный.", str(exc)
        ) from exc
    except Exception as exc:
        raise PdfRenderError(
            "Не удалось сформировать PDF: ошибка в шаблоне документа.", repr(exc)
        ) from exc
    if status.err:
        raise PdfRenderError(
            "Не удалось сформировать PDF: ошибка в шаблоне документа.", _error_details(status)
        )
    data = output.getvalue()
    if not data.startswith(b"%PDF-"):
        raise PdfRenderError("Не удалось сформировать PDF: получен пустой документ.")
    return data
