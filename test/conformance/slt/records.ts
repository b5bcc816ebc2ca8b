// The records of a sqllogictest script, as the parser yields them. Conditions
// are kept unevaluated so that the parser does not depend on the engine.

export interface SltCondition {
  /** skipif: skip the record when the engine is `engine`; onlyif: run it only then. */
  kind: "skipif" | "onlyif";
  engine: string;
}

/** The expected output of a query: the printed values, or their count and MD5. */
export type SltExpected = { kind: "values"; values: string[] } | { kind: "hash"; count: number; md5: string };

interface RecordBase {
  /** 1-based line number of the record's first line (its first condition, if any). */
  line: number;
  conditions: SltCondition[];
}

export interface SltStatement extends RecordBase {
  kind: "statement";
  expectError: boolean;
  sql: string;
}

export interface SltQuery extends RecordBase {
  kind: "query";
  /** The type string as written, one letter per column (validated by the runner). */
  types: string;
  /** nosort, rowsort or valuesort as written ("nosort" when absent). */
  sort: string;
  /** Queries sharing a label in one file must produce the same result. */
  label?: string;
  sql: string;
  /** undefined when the record has no "----" line: only success is checked. */
  expected?: SltExpected;
}

export interface SltHashThreshold extends RecordBase {
  kind: "hash-threshold";
  threshold: number;
}

export interface SltHalt extends RecordBase {
  kind: "halt";
}

/** A record the reference runner rejects (unknown type, bad statement argument...). */
export interface SltInvalid extends RecordBase {
  kind: "invalid";
  message: string;
  text: string;
}

export type SltRecord = SltStatement | SltQuery | SltHashThreshold | SltHalt | SltInvalid;
