// Batons: the signed, single-use tokens that carry a Hrana stream across HTTP
// requests. Format `<stream id>.<sequence>.<mac>`, mac = HMAC-SHA256 over
// `<stream id>.<sequence>` with this database's secret, truncated to 128 bits.
//
// The secret is kept in the Durable Object's storage, so a baton issued before
// an eviction still verifies afterwards and its (gone) stream is reported as
// expired rather than as a forgery.
import { decodeBase64, encodeBase64 } from "./hrana/values.js";

export interface BatonClaim {
  streamId: string;
  sequence: number;
}

const SECRET_TABLE = "tessera_service_secret";

/** The per-database baton secret, created on first use. */
export function loadBatonSecret(sql: SqlStorage): Uint8Array {
  sql.exec(`CREATE TABLE IF NOT EXISTS ${SECRET_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL)`);
  const rows = sql.exec<{ secret: ArrayBuffer }>(`SELECT secret FROM ${SECRET_TABLE}`).toArray();
  if (rows.length === 1) return new Uint8Array(rows[0].secret);
  const secret = crypto.getRandomValues(new Uint8Array(32));
  sql.exec(`INSERT INTO ${SECRET_TABLE} (id, secret) VALUES (1, ?)`, secret);
  return secret;
}

export class BatonSigner {
  private readonly key: Promise<CryptoKey>;

  constructor(secret: Uint8Array) {
    this.key = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }

  async sign(claim: BatonClaim): Promise<string> {
    const payload = `${claim.streamId}.${claim.sequence}`;
    return `${payload}.${await this.mac(payload)}`;
  }

  /** The claim of a genuine baton, or null for anything forged or malformed. */
  async verify(baton: string): Promise<BatonClaim | null> {
    const match = /^([0-9a-f]{32})\.(\d{1,15})\.([A-Za-z0-9+/]{22})$/.exec(baton);
    if (!match) return null;
    const expected = await this.mac(`${match[1]}.${match[2]}`);
    if (!constantTimeEqual(decodeBase64(expected), decodeBase64(match[3]))) return null;
    return { streamId: match[1], sequence: Number(match[2]) };
  }

  private async mac(payload: string): Promise<string> {
    const signature = await crypto.subtle.sign("HMAC", await this.key, new TextEncoder().encode(payload));
    return encodeBase64(new Uint8Array(signature).subarray(0, 16));
  }
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
