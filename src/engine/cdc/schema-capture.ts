// Capturing schema changes as Turso records them: as row changes of the
// table "sqlite_schema" (id = the schema row's rowid, images = records of
// its (type, name, tbl_name, rootpage, sql)), so consumers see CREATE, DROP
// and ALTER in order with the data changes around them. A statement that
// changes the schema is wrapped: sqlite_schema is read before and after it
// (it is small, and DDL is rare) and the difference is logged at the point
// in the transaction's CDC log where the statement began (so CREATE TABLE
// ... AS SELECT logs the table before its rows).
//
// Like Turso: the indexes SQLite makes for UNIQUE/PRIMARY KEY (no SQL) and
// the CDC bookkeeping tables are not recorded; for an updated schema row in
// full mode the updates record carries the statement's text as the new sql
// value (Turso's record of ALTER TABLE).
import { SCHEMA_ROOT, encodeRecord, type WriteTransaction } from "../btree/index.js";
import type { CompileEnv } from "../exec/compile-env.js";
import type { StatementProgram } from "../exec/program.js";
import type { Statement } from "../sql/ast.js";
import type { SqlValue } from "../value/types.js";
import { CAPTURED_CHANGES, CHANGE_DELETE, CHANGE_INSERT, CHANGE_UPDATE, changedColumns, hasAfter, hasBefore, updatesRecord, type CapturedChange } from "./capture.js";
import { captureConfig, isCaptureExempt, type CaptureConfig, type CaptureMode } from "./config.js";

const SCHEMA_TABLE = "sqlite_schema";
const SQL_COLUMN = 4;

interface SchemaEntry {
  rowid: number | bigint;
  /** type, name, tbl_name, rootpage, sql */
  values: SqlValue[];
}

/** `program` logging its schema changes when capture is on (PRAGMAs, which only manage capture itself, are left alone). */
export function captureSchemaChanges(program: StatementProgram, stmt: Statement, env: CompileEnv): StatementProgram {
  if (stmt.kind === "Pragma") return program;
  const config = captureConfig(env.schema, env.tx());
  const mode = config.mode;
  if (mode === null) return program;
  const statementText = env.source.slice(stmt.start, stmt.end);
  return {
    ...program,
    run(emit) {
      const tx = env.writeTx();
      const before = readSchemaEntries(tx, config);
      const log = tx.logs.get(CAPTURED_CHANGES);
      const start = log.length;
      program.run(emit);
      const time = Math.floor(env.runtime.functions.statementTime() / 1000);
      log.splice(start, 0, ...schemaDiff(before, readSchemaEntries(tx, config), mode, time, statementText));
    },
  };
}

function readSchemaEntries(tx: WriteTransaction, config: CaptureConfig): Map<string, SchemaEntry> {
  const entries = new Map<string, SchemaEntry>();
  const c = tx.openTable(SCHEMA_ROOT);
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      const values = [r.column(0), r.column(1), r.column(2), r.column(3), r.column(4)];
      if (values[0] === "index" && values[SQL_COLUMN] === null) continue;
      if (isCaptureExempt(config, String(values[2]))) continue;
      entries.set(String(c.rowid()), { rowid: c.rowid(), values });
    }
  } finally {
    c.close();
  }
  return entries;
}

function schemaDiff(before: Map<string, SchemaEntry>, after: Map<string, SchemaEntry>, mode: CaptureMode, time: number, statementText: string): CapturedChange[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const changes: CapturedChange[] = [];
  for (const key of keys) {
    const old = before.get(key);
    const now = after.get(key);
    if (old && now && old.values.every((v, i) => v === now.values[i])) continue;
    const change: CapturedChange = {
      changeType: old && now ? CHANGE_UPDATE : now ? CHANGE_INSERT : CHANGE_DELETE,
      time,
      table: SCHEMA_TABLE,
      id: (now ?? (old as SchemaEntry)).rowid,
      before: old && hasBefore(mode) ? encodeRecord(old.values) : null,
      after: now && hasAfter(mode) ? encodeRecord(now.values) : null,
      updates: old && now && mode === "full" ? updatesRecord(changedColumns(old.values, now.values), withStatementAsSql(now.values, statementText)) : null,
    };
    changes.push(change);
  }
  return changes;
}

/** Turso's ALTER TABLE record: the statement's text stands as the new `sql` value. */
function withStatementAsSql(values: readonly SqlValue[], statementText: string): SqlValue[] {
  const out = values.slice();
  out[SQL_COLUMN] = statementText;
  return out;
}
