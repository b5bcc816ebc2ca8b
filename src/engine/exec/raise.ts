// RAISE() inside trigger bodies: the signal its evaluation throws, caught by
// the code that fires the trigger.

export type RaiseAction = "IGNORE" | "ROLLBACK" | "ABORT" | "FAIL";

export class RaiseSignal extends Error {
  constructor(
    readonly action: RaiseAction,
    readonly text: string,
  ) {
    super(text);
  }
}
