"""Every use of Whoosh's private parts, behind one door, and two fixes to Whoosh itself.

Speed needs a few of Whoosh's internals: posting lists read a block at a time, field lengths
read as one byte column, a segment writer that keeps lengths in memory, the memory maps of
compound segments. They are reached from here only, for the pinned Whoosh (asserted on import);
`tests/test_whoosh_internals.py` holds a contract test per private attribute, so an upgrade that
moves one fails loudly rather than silently taking a slow path. A matcher or column of a kind
met nowhere in the pinned Whoosh raises `Unexpected`.

Moving parts:
- the fixes (applied on import): a hash file's directory read in one read (`_hash_reader_init`);
  opening a compound segment, Whoosh wrapped every part it opens
  (postings, term index, columns) in a `BufferFile` whose `io.BytesIO(buffer)` *copies* the
  part: a reader of a 100,000-entry index held a private copy of it (~300 MB a process, on
  every index change). Here the part is read through a view of the map (`_View`) instead;
  nothing is copied, and the pages read stay shared with the operating system's file cache;
- postings: `read_postings` (a whole list's documents and weights), `segment_postings` (a
  segment's list and its document count from one term lookup), `segment_blocks` (the same,
  with the raw blocks kept), `segment_positions` and `block_positions` (the positions of the
  documents wanted, from the raw blocks, decoded a block at a time);
- lengths and writing: `segment_lengths` (a segment's length bytes of a field),
  `lengths_writer` (a `SegmentWriter` that reads the new segment's lengths once per field),
  `pool_bytes`, `end_segment` (a segment written, not committed), `commit_segments`;
- `range_texts` (the words of a `TermRange`), `index_segments`, `segment_maps`;
- `term_frequencies`: a segment's terms of a field and their entry counts, read straight from
  its term table (Whoosh's own iteration decodes a whole term info per term: 10x slower).
"""

from __future__ import annotations

import io
import mmap
import struct
import types
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import whoosh
from whoosh.filedb import structfile

if TYPE_CHECKING:  # imported where used: `indexer` loads no more of Whoosh than the fix needs
    import numpy as np
    from whoosh import query as wq
    from whoosh.index import Index
    from whoosh.matching import Matcher
    from whoosh.reading import IndexReader, SegmentReader
    from whoosh.writing import SegmentWriter

PINNED = (2, 7, 5)  # whoosh-reloaded, as pyproject.toml pins it
if tuple(whoosh.__version__) != PINNED:
    raise ImportError(
        f"indexer needs Whoosh {'.'.join(map(str, PINNED))} (whoosh-reloaded), found "
        f"{whoosh.versionstring()}: indexer/whoosh_internals.py reaches its private parts; "
        "check them with tests/test_whoosh_internals.py before moving the pin"
    )


class Unexpected(TypeError):
    """A Whoosh object of a kind the pinned Whoosh never gives here."""


PEEK_BYTES = 512  # a posting block's header is a pickle of about a hundred bytes


class _View(io.RawIOBase):
    """A read-only, seekable file over a buffer, handing out copies of the slices read."""

    def __init__(self, buf: Any) -> None:
        self._buf = memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos : end]) if end > self._pos else b""
        self._pos = max(self._pos, end)
        return data

    def peek(self, size: int = 0) -> bytes:
        """Return bytes ahead without moving (at most PEEK_BYTES): the C unpickler reads a
        pickle (a posting block's header) from them instead of one small read per opcode."""
        return bytes(self._buf[self._pos : self._pos + min(max(size, 1), PEEK_BYTES)])

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        start = self._pos
        while start < end:  # look for the newline a block at a time, never copying the rest
            found = bytes(self._buf[start : min(end, start + 4096)]).find(b"\n")
            if found >= 0:
                return self.read(start + found + 1 - self._pos)
            start += 4096
        return self.read(end - self._pos)


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _View(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


WHOOSH_BUFFER_INIT = structfile.BufferFile.__init__  # Whoosh's own, for the contract test
structfile.BufferFile.__init__ = _buffer_file_init


def _hash_reader_init(
    self: Any, dbfile: Any, length: int | None = None, magic: bytes = b"HSH3", startoffset: int = 0
) -> None:
    """Whoosh's HashReader.__init__ with its directory of 256 hash tables read in one read,
    not 256: a segment's term table is opened for every reader of it, and at a million
    entries (300 segments) the small reads took a quarter of a second per opening."""
    from whoosh.filedb import filetables as ft

    self.dbfile, self.startoffset, self.is_closed = dbfile, startoffset, False
    if length is None:
        dbfile.seek(0, io.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    if (found := dbfile.read(4)) != magic:
        raise ft.FileFormatError(f"Unknown file header {found!r}")
    self.hashtype = dbfile.read_byte()
    self.hashfn = ft._hash_functions[self.hashtype]
    dbfile.read_int()  # two ints Whoosh keeps for later use
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    exptr = startoffset + length - ft._INT_SIZE
    expos = exptr - dbfile.get_int(exptr)
    dbfile.seek(expos)
    self._read_extras()
    dbfile.seek(expos - ft._directory_size)
    self.tables = list(ft._dir_entry.iter_unpack(dbfile.read(ft._directory_size)))
    self.endofdata = self.tables[0][0]


def _fix_hash_reader() -> Any:
    from whoosh.filedb import filetables

    own = filetables.HashReader.__init__
    filetables.HashReader.__init__ = _hash_reader_init
    return own


WHOOSH_HASH_READER_INIT = _fix_hash_reader()  # Whoosh's own, for the contract test


# -- postings ----------------------------------------------------------------------------


def read_postings(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """Return a whole posting list's documents (int64) and weights (float64), deleted ones
    included, read as the codec's block arrays."""
    import numpy as np

    m = _block_matcher(matcher)
    ids: list[int] = []
    weights: list[float] = []
    while m.is_active():
        m._read_ids()
        m._read_weights()
        ids.extend(m._ids)
        weights.extend(m._weights)
        m._next_block()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


def segment_postings(
    reader: SegmentReader, fieldname: str, text: str
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Return a segment's whole posting list of a term (documents and weights, deleted ones
    included) and how many documents hold it, from one lookup of its term info; None when the
    segment lacks the term. (`reader.postings` and `doc_frequency` look it up once each, and
    wrap a segment with deletions in a FilterMatcher that `read_postings` takes apart again.)"""
    offset = _postings_offset(reader, fieldname, text)
    if offset is None:
        return None
    ids, weights = _read_blocks(reader._terms._postfile, offset[1])
    return ids, weights, offset[0]


RawBlock = tuple["np.ndarray", "np.ndarray", list]  # documents, weights, undecoded values


def segment_blocks(
    reader: SegmentReader, fieldname: str, text: str
) -> tuple[np.ndarray, np.ndarray, int, list[RawBlock]] | None:
    """Return what `segment_postings` returns and the raw blocks it was read from (each block's
    documents, weights and undecoded values), so a phrase reads the positions of the documents
    it wants without reading the blocks again (`block_positions`)."""
    import numpy as np

    offset = _postings_offset(reader, fieldname, text)
    if offset is None:
        return None
    blocks = list(_decoded_blocks(reader._terms._postfile, offset[1]))
    if len(blocks) == 1:
        ids, weights = blocks[0][0], blocks[0][1]
    else:
        ids = np.concatenate([b[0] for b in blocks])
        weights = np.concatenate([b[1] for b in blocks])
    return ids, weights, offset[0], blocks


def _postings_offset(reader: SegmentReader, fieldname: str, text: str) -> tuple[int, int] | None:
    """Return a term's document count and the offset of its posting list in a segment, from one
    lookup of its term info; None when the segment lacks the term."""
    if fieldname not in reader.schema:
        return None
    terms = reader._terms
    key = terms._keycoder(fieldname, reader.schema[fieldname].to_bytes(text))
    found = _hashed_value(terms._tindex, key)
    if found is None:
        return None
    inlined, df, offset = _term_info(found)
    if inlined:  # the pinned codec never inlines (see `_block_matcher`)
        raise Unexpected(f"inlined postings of {fieldname}:{text!r}")
    return df, offset


_POINTER = struct.Struct("!Iq")  # a hash slot: the key's hash, the position of its item
_LENGTHS = struct.Struct("!ii")  # an item: its key's length, its value's length
_TERM_INFO = struct.Struct("!BfIBBfIIq")  # W3TermInfo: flags, ..., doc count, ..., offset


def _hashed_value(table: Any, key: bytes) -> memoryview | None:
    """Return the value of a key in one of Whoosh's hash files (`OrderedHashReader`), or None:
    its own lookup, on the buffer's bytes in place rather than a copy per field read."""
    buf = memoryview(table.dbfile._buf)
    keyhash = table.hashfn(key)
    start, slots = table.tables[keyhash & 255]
    if not slots:
        return None
    end = start + slots * _POINTER.size
    slot = start + (keyhash >> 8) % slots * _POINTER.size
    for _ in range(slots):
        slothash, item = _POINTER.unpack_from(buf, slot)
        if not item:
            return None
        if slothash == keyhash:
            keylen, datalen = _LENGTHS.unpack_from(buf, item)
            at = item + _LENGTHS.size
            if keylen == len(key) and buf[at : at + keylen] == key:
                return buf[at + keylen : at + keylen + datalen]
        slot += _POINTER.size
        if slot == end:
            slot = start
    return None


def _term_info(data: memoryview) -> tuple[bool, int, int]:
    """Return whether a term's postings are inlined, its document count and its postings'
    offset, from its `W3TermInfo` bytes."""
    if data[0]:
        return True, 0, 0
    flags, _, df, _, _, _, _, _, offset = _TERM_INFO.unpack_from(data)
    return bool(flags), df, offset


_BLOCK_LENGTH = struct.Struct("!i")


def _blocks(postfile: Any, offset: int) -> Iterator[tuple[int, tuple[Any, Any, Any]]]:
    """Yield each block of the posting list at `offset`, as its posting count and its data
    (id deltas, weights, values), read from the segment's buffer as `W3LeafMatcher` writes
    them (a tag, then per block: its signed length, negative for the last; a pickled header;
    the pickled, maybe compressed, data), with no matcher: making one costs as much as reading
    a short list."""
    import pickle
    import zlib

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    buf = memoryview(postfile._buf)
    if bytes(buf[offset : offset + 4]) != WHOOSH3_HEADER_MAGIC:
        raise Unexpected(f"no posting block tag at {offset}")
    pos = offset + 4
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(buf, pos)
        block = io.BytesIO(buf[pos + 4 : pos + 4 + abs(length)])
        count, _, _, compression, _, _ = pickle.load(block)
        data = block.read()
        yield count, pickle.loads(zlib.decompress(data) if compression else data)
        if length < 0:
            break
        pos += 4 + length


def _decoded_blocks(postfile: Any, offset: int) -> Iterator[RawBlock]:
    """Yield each block of the posting list at `offset` as its documents (int64), weights
    (float64) and values (undecoded)."""
    import numpy as np

    for count, (deltas, w, values) in _blocks(postfile, offset):
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
        if w is None or isinstance(w, float):
            weights = np.full(count, 1.0 if w is None else w)
        else:
            weights = np.asarray(w, dtype=np.float64)
        yield ids, weights, values


def _read_blocks(postfile: Any, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the documents and weights of the posting list at `offset` (`_blocks`)."""
    import numpy as np

    blocks = [(ids, weights) for ids, weights, _ in _decoded_blocks(postfile, offset)]
    if len(blocks) == 1:
        return blocks[0]
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])


def segment_positions(
    reader: SegmentReader, fieldname: str, text: str, wanted: np.ndarray, offset: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return a term's positions in the wanted documents of a segment, as two arrays of one
    row per position: the document (docnum + offset: a number of the whole index; `wanted` is
    indexed by those) and the position. Read from the raw blocks (`block_positions`)."""
    found = _postings_offset(reader, fieldname, text)
    if found is None:
        return _no_positions()
    return block_positions(_decoded_blocks(reader._terms._postfile, found[1]), wanted, offset)


def _no_positions() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


# A value of the Positions format: the count (4 bytes), then the pickled deltas between
# positions (protocol 2: its 2-byte header, the list's opcodes, the STOP ".").
_PICKLE_HEADER = b"\x80\x02"


def block_positions(
    blocks: Iterable[RawBlock], wanted: np.ndarray, offset: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions of the wanted documents held in a segment's raw blocks (documents
    and positions, one row per position; see `segment_positions`). A block's values are
    decoded only when it holds a wanted document, all of them by one unpickling: the values'
    pickled lists, run together inside one outer list."""
    from itertools import chain

    import numpy as np

    docs: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    for ids, _, values in blocks:
        numbers = ids + offset
        chosen = np.flatnonzero(wanted[numbers])
        if not len(chosen):
            continue
        picked = [values[i] for i in chosen.tolist()]
        lists = _unpickled(picked)
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        total = int(lengths.sum())
        running = np.cumsum(np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=total))
        starts = np.cumsum(lengths) - lengths
        before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
        positions.append(running - np.repeat(before, lengths))
        docs.append(np.repeat(numbers[chosen], lengths))
    if not docs:
        return _no_positions()
    return np.concatenate(docs), np.concatenate(positions)


def _unpickled(values: list[bytes]) -> list[list[int]]:
    """Return the position deltas of Positions values, by one unpickling where each is the
    plain pickle of a list (as Whoosh and `analysis.TermPositions` write them), else one by
    one."""
    import pickle

    bodies = []
    for value in values:
        body = value[4:]
        if not body.startswith(_PICKLE_HEADER) or not body.endswith(b"."):
            return [pickle.loads(v[4:] if v.endswith(b".") else v[4:] + b".") for v in values]
        bodies.append(body[2:-1])
    lists = pickle.loads(_PICKLE_HEADER + b"](" + b"".join(bodies) + b"e.")
    if len(lists) != len(values):  # not plain lists after all
        raise Unexpected(f"{len(lists)} position lists unpickled from {len(values)} values")
    return lists


def _block_matcher(matcher: Matcher) -> Any:
    """Return the codec's own matcher of a posting list. A segment with deletions wraps it in a
    FilterMatcher that leaves them out (callers drop them through the live mask instead). The
    pinned codec never inlines postings in a term (its `inlinelimit=1` means "fewer than
    one"), so every list is read in blocks."""
    from whoosh.codec import whoosh3
    from whoosh.matching.wrappers import FilterMatcher

    m = matcher.child if isinstance(matcher, FilterMatcher) else matcher
    if not isinstance(m, whoosh3.W3LeafMatcher):
        raise Unexpected(f"a posting list read through {type(m).__name__}")
    return m


def range_texts(q: wq.TermRange, reader: IndexReader) -> Iterator[bytes]:
    """Return the words of the index a range query covers, in order."""
    return iter(q._btexts(reader))


# -- field lengths -----------------------------------------------------------------------


def segment_lengths(reader: SegmentReader, fieldname: str) -> bytes:
    """Return a segment's field lengths as Whoosh stores them: one byte a document (0: none)."""
    n = reader.doc_count_all()
    column = _lengths_column(reader._perdoc, fieldname)
    return bytes(n) if column is None else _column_bytes(column, n)


def _lengths_column(perdoc: Any, fieldname: str) -> Any | None:
    """Return a per-document reader's column of a field's lengths (None: it has none)."""
    from whoosh import columns
    from whoosh.codec import whoosh3

    column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is not None and (
        not isinstance(column, columns.FixedBytesColumn.Reader) or column._fixedlen != 1
    ):
        raise Unexpected(f"field lengths in a {type(column).__name__}")
    return column


def _column_bytes(column: Any, n: int) -> bytes:
    """Read a lengths column's bytes at once from its file, n of them (0 past its end)."""
    count = min(column._count, n)
    raw = bytes(column._dbfile.get(column._basepos, count)) if count else b""
    return raw + bytes(n - len(raw))


def lengths_writer(ix: Index, lock: bool = True, limitmb: int = 128) -> SegmentWriter:
    """Return Whoosh's SegmentWriter, its postings grouped by term as documents are added
    (`TermPool`, `_add_document`) and its field lengths looked up in memory while it writes
    them; without lock, one of several that write segments of one index at once (as Whoosh's
    `MpWriter(multisegment=True)` makes them), committed by one of them. It writes the same
    segment, byte for byte, as Whoosh's own writer (tests/test_whoosh_internals.py).

    Whoosh's pool holds a tuple a posting (about 150 bytes) and sorts them all when the segment
    is written; Whoosh reads the new segment's length column from disk once per posting (a
    seek and a read each: ~15% of a build); here each field's column is read once.
    """
    from whoosh.writing import SegmentWriter

    writer = SegmentWriter(ix, _lk=lock, limitmb=limitmb)
    writer.pool = TermPool()
    writer._flush_segment = types.MethodType(_flush_segment, writer)
    writer.add_document = types.MethodType(_add_document, writer)
    return writer


# What `TermPool.currentsize` counts: a posting (a document number, a weight and a pointer to
# its value, in arrays and a list) and a term (its key, three containers and a dict slot)
POSTING_BYTES = 24
TERM_BYTES = 400


class TermPool:
    """A segment's postings, grouped by field and term as they are added: per term the
    document numbers (ascending, as documents are added), weights and encoded values.

    In place of Whoosh's `PostingPool`, which keeps a tuple a posting and sorts them all (and
    spills runs to disk past its limit) before the segment is written. `currentsize` is an
    estimate of the bytes held, which the build uses to end a segment. Postings come only from
    `_add_document`: a build's writer never merges other segments into its own (Whoosh's
    `add_reader`, which would add them one by one, finds no `add` here and fails).
    """

    __slots__ = ("fields", "currentsize", "__weakref__")

    def __init__(self) -> None:
        from array import array

        self.fields: dict[str, dict[bytes, tuple[array[int], array[float], list[bytes]]]] = {}
        self.currentsize = 0

    def cleanup(self) -> None:
        """Drop the postings (Whoosh's pool removes its runs here)."""
        self.fields = {}
        self.currentsize = 0


def _add_document(writer: SegmentWriter, **fields: Any) -> None:
    """Whoosh's `SegmentWriter.add_document`, each posting appended to its term's row of the
    writer's `TermPool` instead of made a tuple for a pool that sorts them. Fields that need
    what the build's schema has none of (spelling words, term vectors) are refused."""
    from array import array

    writer._check_state()
    perdocwriter, schema, pool = writer.perdocwriter, writer.schema, writer.pool
    docnum = writer.docnum
    docboost = writer._doc_boost(fields)
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    writer._check_fields(schema, fieldnames)
    size = 0
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            if field.separate_spelling() or field.vector:
                raise Unexpected(f"field {fieldname!r} needs Whoosh's own writer")
            length = 0
            if field.indexed:
                boost = writer._field_boost(fields, fieldname, docboost)
                scorable = field.scorable
                terms = pool.fields.get(fieldname)
                if terms is None:
                    terms = pool.fields[fieldname] = {}
                rows = getattr(field.format, "index_rows", None)  # analysis.TermPositions
                found = rows(value, field.analyzer) if rows is not None else None
                if found is None:
                    found = [(t, f, w, v or b"") for t, f, w, v in field.index(value)]
                if scorable:
                    length = sum(freq for _, freq, _, _ in found)
                size += POSTING_BYTES * len(found) + sum(len(v) for _, _, _, v in found)
                for btext, _, weight, vbytes in found:
                    row = terms.get(btext)
                    if row is None:
                        row = terms[btext] = (array("I"), array("d"), [])
                        size += TERM_BYTES + len(btext)
                    row[0].append(docnum)
                    row[1].append(weight * boost)
                    row[2].append(vbytes)
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            column = field.column_type
            if column and stored is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
    except Exception:
        perdocwriter.cancel_doc()
        # the postings of this document already added: the document number is used again
        for terms in pool.fields.values():
            for btext in [t for t, row in terms.items() if row[0][-1] == docnum]:
                for part in terms[btext]:
                    part.pop()
                if not terms[btext][0]:
                    del terms[btext]
        raise
    perdocwriter.finish_doc()
    pool.currentsize += size
    writer._added = True
    writer.docnum += 1


def _flush_segment(writer: SegmentWriter) -> None:
    """Write the segment's postings, its field lengths read once per field."""
    writer.perdocwriter.close()
    reader = writer.per_document_reader() if writer.codec.length_stats else None
    lengths = _Lengths(reader) if reader is not None else None
    write_pool(writer.fieldwriter, writer.schema, lengths, writer.pool)
    writer.fieldwriter.close()
    if reader is not None:
        reader.close()


def write_pool(fieldwriter: Any, schema: Any, lengths: _Lengths | None, pool: TermPool) -> None:
    """Write a segment's postings from its pool, field by field and term by term in order, as
    `FieldWriter.add_postings` and `W3PostingsWriter` write them (`_TermWriter`)."""
    for fieldname in sorted(pool.fields):
        terms = pool.fields[fieldname]
        if not terms:
            continue
        fieldwriter.start_field(fieldname, schema[fieldname])
        writer = _TermWriter(fieldwriter)
        table = lengths.table(fieldname) if lengths is not None else None
        for btext in sorted(terms):
            ids, weights, values = terms[btext]
            field_lengths = [0] * len(ids) if table is None else [table[d] or 0 for d in ids]
            writer.write(btext, ids, weights, values, field_lengths)
        fieldwriter.finish_field()


# A block's pickled postings shorter than this are written uncompressed, as the header's
# compression level (0) says: zlib cannot shrink them, and making a compressor costs more than
# the rest of the block. (Whoosh's own writer means to do the same below 20 bytes, but a
# slip overwrites its decision.) Every reader honours the level a block's header gives.
RAW_BELOW = 64


class _TermWriter:
    """Writes one field's terms, each its posting blocks and its row of the term table, as
    `W3PostingsWriter` and `W3TermInfo` write them (blocks below `RAW_BELOW` apart): a term's
    blocks go to the posting file in one write, from the arrays of a `TermPool`."""

    def __init__(self, fieldwriter: Any) -> None:
        from whoosh.codec import whoosh3

        pw = fieldwriter._postwriter
        if not isinstance(pw, whoosh3.W3PostingsWriter) or pw._byteids or pw._inlinelimit > 1:
            raise Unexpected(f"postings written through {type(pw).__name__}")
        self._postfile = pw._postfile
        self._size = pw._blocklimit
        self._compression = pw._compression
        self._fixed = fieldwriter._format.fixed_value_size()
        self._add = fieldwriter._tindex.add
        self._prefix = whoosh3.pack_ushort(fieldwriter._fieldid)
        self._magic = whoosh3.WHOOSH3_HEADER_MAGIC
        self._info = whoosh3.W3TermInfo._struct.pack
        self._extent = whoosh3.pack_long, whoosh3.pack_int

    def write(
        self, btext: bytes, ids: Any, weights: Any, values: list[bytes], lengths: list[int]
    ) -> None:
        import pickle
        import zlib
        from array import array
        from itertools import chain
        from operator import sub

        from whoosh.util.numeric import length_to_byte

        size, fixed, compression = self._size, self._fixed, self._compression
        parts = [self._magic]
        total = df = maxlength = 0
        maxweight = 0.0
        minlength: int | None = None
        n = len(ids)
        for at in range(0, n, size):
            chunk = ids[at : at + size]
            wide = weights[at : at + size]
            w = array("f", wide)
            known = [x for x in lengths[at : at + size] if x]
            block_min = min(known) if known else None
            block_max = max(known) if known else 0
            block_weight = max(0, max(wide))
            total += sum(w)
            df += len(chunk)
            minlength = block_min if minlength is None else min(minlength, block_min)  # type: ignore[type-var]
            maxlength = max(maxlength, block_max)
            maxweight = max(maxweight, block_weight)
            deltas = tuple(map(sub, chunk, chain((0,), chunk)))
            first = w[0]
            mini_weights = (
                None
                if first == 1.0 and w.count(first) == len(w)
                else first
                if w.count(first) == len(w)
                else tuple(w)
            )
            kept = [v for v in values[at : at + size] if v]
            mini_values = (
                tuple(kept)
                if fixed is None or fixed < 0
                else None
                if fixed == 0
                else b"".join(kept)
            )
            data = pickle.dumps((deltas, mini_weights, mini_values), 2)
            level = compression if len(data) >= RAW_BELOW else 0
            if level:
                data = zlib.compress(data, level)
            head = pickle.dumps(
                (
                    len(chunk),
                    chunk[-1],
                    block_weight,
                    level,
                    length_to_byte(block_min),
                    length_to_byte(block_max),
                ),
                2,
            )
            length = len(head) + len(data)
            parts += (_BLOCK_LENGTH.pack(-length if at + size >= n else length), head, data)
        blob = b"".join(parts)
        start = self._postfile.tell()
        self._postfile.write(blob)
        pack_long, pack_int = self._extent
        info = self._info(
            0,
            total,
            df,
            0 if minlength is None else length_to_byte(minlength),
            length_to_byte(maxlength),
            maxweight,
            ids[0],
            ids[-1],
        )
        self._add(self._prefix + btext, info + pack_long(start) + pack_int(len(blob)))


def pool_bytes(writer: SegmentWriter) -> int:
    """Return how much a writer's posting pool holds."""
    return int(writer.pool.currentsize)


def end_segment(writer: SegmentWriter) -> Any | None:
    """Write out the documents added as a segment (None when there are none), uncommitted;
    the writer's temporary folder stays for the others that share it. The writer is done:
    its posting pool is freed now (`_release`)."""
    try:
        if not writer._added:
            writer._close_segment()
            return None
        return writer._finalize_segment()
    finally:
        _release(writer)


def _release(writer: SegmentWriter) -> None:
    """Break the cycle through the writer's own `_flush_segment` (`lengths_writer`) and drop
    its posting pool, so the pool's memory goes when the writer does, not at the next full
    garbage collection: with a share of a million entries' objects alive those came seldom,
    and the pools of finished segments piled up (6.5 GB a process, bench/RESULTS.md)."""
    writer.__dict__.pop("_flush_segment", None)
    writer.pool = None


def commit_segments(writer: SegmentWriter, segments: Iterable[Any]) -> None:
    """Make the given segments, and the writer's own documents, the index's contents."""
    own = end_segment(writer)
    writer._commit_toc([s for s in [*segments, own] if s is not None])
    writer._finish()


class _Lengths:
    """A new segment's field lengths, as `doc_field_length` answers them, read once per field."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._n = reader.doc_count_all()
        self._fields: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        table = self.table(fieldname)
        return default if table is None else table[docnum]

    def table(self, fieldname: str) -> list[int | None] | None:
        """Return every document's length in a field (None: no length), or None for a field
        that keeps no lengths."""
        from whoosh.util.numeric import byte_to_length

        if fieldname not in self._fields:
            column = _lengths_column(self._reader, fieldname)
            self._fields[fieldname] = (
                None
                if column is None
                else [byte_to_length(b) if b else None for b in _column_bytes(column, self._n)]
            )
        return self._fields[fieldname]


# -- term tables -------------------------------------------------------------------------

_KEY_AND_DATA = struct.Struct("!ii")  # filetables._lengths: a key's length, its data's length
_DOC_FREQUENCY = struct.Struct("!I")  # in a W3TermInfo after its flags byte and its weight
_DOC_FREQUENCY_AT = 5
_TERM_INFO_FORMAT = "!BfIBBfII"  # W3TermInfo._struct: flags, weight, doc frequency, ...


def term_frequencies(
    reader: SegmentReader, fieldname: str, prefix: bytes = b""
) -> Iterator[tuple[bytes, int]]:
    """Yield a segment's terms of a field that start with prefix, in order, each with how many
    documents hold it (deleted ones included, as `doc_frequency` counts)."""
    from whoosh.codec import whoosh3

    terms = reader._terms
    if not isinstance(terms, whoosh3.W3TermsReader) or (
        whoosh3.W3TermInfo._struct.format != _TERM_INFO_FORMAT
    ):
        raise Unexpected(f"a term table read through {type(terms).__name__}")
    if fieldname not in terms._fieldmap:
        return
    table = terms._tindex
    key = terms._keycoder(fieldname, prefix)
    pos = table.closest_key_pos(key)
    if pos is None:
        return
    data = table.dbfile.get(pos, table.endofdata - pos)
    lengths, frequency = _KEY_AND_DATA.unpack_from, _DOC_FREQUENCY.unpack_from
    at, end = 0, len(data)
    while at < end:
        keylen, datalen = lengths(data, at)
        keypos = at + _KEY_AND_DATA.size
        found = data[keypos : keypos + keylen]
        if not found.startswith(key):
            return
        yield found[2:], frequency(data, keypos + keylen + _DOC_FREQUENCY_AT)[0]
        at = keypos + keylen + datalen


# -- segments ----------------------------------------------------------------------------


def index_segments(ix: Index) -> list[Any]:
    """Return the segments of an index's latest table of contents."""
    return list(ix._segments())


def segment_maps(reader: IndexReader) -> list[mmap.mmap]:
    """Return the memory maps of an open reader's compound segments."""
    from whoosh.filedb import compound, filestore
    from whoosh.reading import SegmentReader

    out = []
    for leaf, _ in reader.leaf_readers():
        if not isinstance(leaf, SegmentReader):  # an empty index: nothing mapped
            continue
        storage = leaf._storage
        if isinstance(storage, filestore.OverlayStorage):  # a segment over the index folder
            storage = storage.a
        if isinstance(storage, compound.CompoundStorage) and isinstance(storage._source, mmap.mmap):
            out.append(storage._source)
    return out
