// The admin credential of the /v1 management API: `Authorization: Bearer
// <ADMIN_TOKEN>`, compared in constant time. Without ADMIN_TOKEN the API is
// open only in local mode (no JWT keys either, like the databases, said once
// in the log); with JWT keys but no ADMIN_TOKEN it is refused, so configuring
// database auth never leaves management open by accident.
import type { Env } from "../env.js";

export type AdminOutcome = { ok: true } | { ok: false; status: 401 | 403; message: string; code: string };

let loggedOpen = false;

/** Equal-length byte comparison whose time does not depend on where the bytes differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

export function authorizeAdmin(request: Request, env: Env): AdminOutcome {
  if (!env.ADMIN_TOKEN) {
    if (env.JWT_PUBLIC_KEY || env.JWT_SECRET) {
      return { ok: false, status: 403, message: "the management API is disabled: set ADMIN_TOKEN to use it", code: "ADMIN_DISABLED" };
    }
    if (!loggedOpen) {
      loggedOpen = true;
      console.log("tessera: the management API is open (no ADMIN_TOKEN and no JWT keys configured: local mode)");
    }
    return { ok: true };
  }
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) return { ok: false, status: 401, message: "admin authentication required: send Authorization: Bearer <ADMIN_TOKEN>", code: "ADMIN_AUTH_REQUIRED" };
  const encoder = new TextEncoder();
  if (!constantTimeEqual(encoder.encode(match[1]), encoder.encode(env.ADMIN_TOKEN))) {
    return { ok: false, status: 401, message: "the admin token is not valid", code: "ADMIN_TOKEN_INVALID" };
  }
  return { ok: true };
}
