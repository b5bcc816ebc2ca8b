// The router's error bodies: `{ message, code }` served as `application/json`
// exactly (libSQL clients compare the content type before reading the body).

export function jsonError(status: number, message: string, code: string): Response {
  return new Response(JSON.stringify({ message, code }), { status, headers: { "content-type": "application/json" } });
}
