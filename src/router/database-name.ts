// Validation of database names, which appear in URL paths and subdomains.

/** Lowercase letters, digits and inner hyphens, like a DNS label: 1 to 63 characters. */
const DATABASE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isValidDatabaseName(name: string): boolean {
  return DATABASE_NAME.test(name);
}
