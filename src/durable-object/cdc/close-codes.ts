// Close codes of a change subscription (WebSocket close codes; SSE ends with
// an `error` event carrying the same code, the pull API answers the HTTP
// status in the comment). Each tells the client what to do next.

export const CloseCode = {
  /** The subscription request was malformed (parameters or first message). HTTP 400. */
  BAD_REQUEST: 4400,
  /** No valid token: missing, expired or not verifiable. HTTP 401. */
  UNAUTHORIZED: 4401,
  /** The token grants nothing on this database. HTTP 403. */
  FORBIDDEN: 4403,
  /** The subscriber fell behind its buffer bound; resumable: reconnect with since=<last change_id processed>. */
  BEHIND: 4408,
  /** Change data capture is off for this database (HTTP 409); turn it on, then subscribe again. */
  CAPTURE_OFF: 4409,
  /** `since` is older than the retained changes, or newer than any (database replaced): resync from a snapshot. HTTP 410. */
  RESYNC: 4410,
  /** Delivering to the subscriber failed on the server (WebSocket's "internal error"); resumable like BEHIND. */
  DELIVERY_FAILED: 1011,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Why a subscription whose token expired is closed (4401); the client resumes with a fresh token. */
export const TOKEN_EXPIRED_REASON = "the token expired: subscribe again with a fresh token and since=<last change_id processed>";

/** The HTTP status that goes with a close code, for SSE and pull requests refused before streaming. */
export function httpStatusOf(code: CloseCode): number {
  return code - 4000;
}

/** A subscription that cannot go on (or start), with the code and reason the client gets. */
export class SubscriptionClosed extends Error {
  constructor(
    readonly code: CloseCode,
    message: string,
    /** Machine-readable code of the JSON error bodies of the service, e.g. CDC_RESYNC_REQUIRED. */
    readonly errorCode: string,
  ) {
    super(message);
  }
}
