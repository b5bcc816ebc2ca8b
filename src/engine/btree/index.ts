// Public surface of the B-tree layer: the SQLite file format.
//
// Invariants:
// - Files written are valid SQLite databases (PRAGMA integrity_check = ok):
//   header fields as SQLite writes them, pages packed without freeblocks,
//   cell sizes exact, freelist trunks within SQLite's limits.
// - A tree's root page number never changes for its lifetime.
// - Records are in SQLite's record format; values decode to canonical SqlValues.
// - Cursors from a ReadTransaction see one snapshot; cursors from a
//   WriteTransaction see its private changes; other cursors on a tree being
//   changed re-find their position by key.
// - Every loop over on-disk structures is bounded, so corrupt files raise
//   SQLITE_CORRUPT (or SQLITE_NOTADB for a bad header), never hang.
export { encodeRecord, decodeRecord, decodeColumn, RecordReader, serialTypeOf, serialTypeSize } from "./record.js";
export { readVarint, writeVarint, varintLength } from "./varint.js";
export { TableCursor, IndexCursor, type IndexKeyComparator, type SeekMode } from "./cursor.js";
export { ReadTransaction, WriteTransaction, type TransactionMark } from "./transaction.js";
export { BtreeDatabase, SCHEMA_ROOT } from "./database.js";
export { HDR, type HeaderField, type TreeKind, localPayloadSize, FORMAT_LEGACY, FORMAT_MVCC, portableImage } from "./format.js";
export { LogKey, ROW_OPS, type RowOp } from "./transaction-log.js";
export { checkIntegrity, schemaTrees, type IntegrityOptions, type IntegrityReport, type TreeSpec, type TreeFill } from "./integrity.js";
