// Awaits a promise that must reject and hands back the error, so driver tests
// can assert on the error's class, code and message (a promise that resolves
// fails the test).
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}
