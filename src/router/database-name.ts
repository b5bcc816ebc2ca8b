// Validation of database names, which appear in URL paths and subdomains.

/** Lowercase letters, digits and inner hyphens, like a DNS label: 1 to 63 characters. */
const DATABASE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Names a client produces when its database URL lacks the trailing slash
 * (`/db/v2/pipeline` from `/db/name` + `v2/pipeline`): reserved, so that such
 * requests get the trailing-slash explanation instead of reaching a database.
 */
const PROTOCOL_SEGMENT = /^v\d+(?:-protobuf)?$/;

export function isValidDatabaseName(name: string): boolean {
  return DATABASE_NAME.test(name) && !PROTOCOL_SEGMENT.test(name);
}

export function isProtocolSegment(segment: string): boolean {
  return PROTOCOL_SEGMENT.test(segment);
}
