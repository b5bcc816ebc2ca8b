// Engine selection by name for the CLI and tests. The Tessera adapter plugs in
// here once the engine exists; until then asking for it is a clear error.
import type { SltEngine } from "./engine.js";
import { createSqlJsEngine } from "./sqljs-engine.js";

/** The engine `npm run slt` uses without --engine. */
export const DEFAULT_ENGINE = "sqlite";

export async function createEngine(name: string): Promise<SltEngine> {
  switch (name) {
    case "sqlite":
      return createSqlJsEngine();
    case "tessera":
      throw new Error("engine tessera is not available yet");
    default:
      throw new Error(`unknown engine '${name}' (expected sqlite or tessera)`);
  }
}
