// Cursor entries for a batch (step_begin, row..., step_end, or step_error per
// executed step), as the v3 HTTP cursor and WebSocket cursors send them. The
// engine computes a statement's rows at once, so entries are produced whole
// and then streamed or fetched.
import { executeBatch, type ExecContext } from "./execute.js";
import type { BatchStep } from "./protocol.js";

export type CursorEntry = Record<string, unknown> & { type: "step_begin" | "row" | "step_end" | "step_error" };

export async function cursorEntries(ctx: ExecContext, steps: BatchStep[]): Promise<CursorEntry[]> {
  const entries: CursorEntry[] = [];
  await executeBatch(ctx, steps, (step, outcome) => {
    if ("error" in outcome) {
      entries.push({ type: "step_error", step, error: outcome.error });
      return;
    }
    const { cols, rows, affected_row_count, last_insert_rowid } = outcome.result;
    entries.push({ type: "step_begin", step, cols });
    for (const row of rows) entries.push({ type: "row", row });
    entries.push({ type: "step_end", affected_row_count, last_insert_rowid });
  });
  return entries;
}
