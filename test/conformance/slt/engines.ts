// Engine selection by name for the CLI and tests.
import type { SltEngine } from "./engine.js";
import { createSqlJsEngine } from "./sqljs-engine.js";
import { createTesseraEngine } from "./tessera-engine.js";

/** The engine `npm run slt` uses without --engine. */
export const DEFAULT_ENGINE = "sqlite";

export async function createEngine(name: string): Promise<SltEngine> {
  switch (name) {
    case "sqlite":
      return createSqlJsEngine();
    case "tessera":
      return createTesseraEngine();
    default:
      throw new Error(`unknown engine '${name}' (expected sqlite or tessera)`);
  }
}
