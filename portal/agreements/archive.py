"""A streamed ZIP of the centre's sealed copies: one file in memory at a time."""

import zipfile
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from portal.agreements.models import Agreement
from portal.extensions import db
from portal.people.models import Person


class _Chunks:
    """A write-only, unseekable file: zipfile then writes data descriptors and streams."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.written = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def file_name(number: str, last_name: str) -> str:
    return f"{number.replace('/', '-')} {last_name}.pdf"


def stream_zip(agreement_ids: Iterable[int]) -> Iterator[bytes]:
    """Yield the ZIP piece by piece; each PDF is loaded, written and dropped in turn."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for agreement_id in agreement_ids:
            # Plain columns, not the entity: nothing stays in the session between files.
            row = db.session.execute(
                select(Agreement.number, Agreement.pdf, Person.last_name)
                .join(Person, Person.id == Agreement.mentee_id)
                .where(Agreement.id == agreement_id)
            ).one_or_none()
            if row is None or row.pdf is None:
                continue
            # PDFs are already compressed; storing them keeps the CPU and memory flat.
            archive.writestr(file_name(row.number, row.last_name), row.pdf)
            del row
            yield sink.take()
    yield sink.take()
