// One Durable Object per database: it will own the engine, the page store on
// DO storage, client sessions and change subscribers for that database.
import { DurableObject } from "cloudflare:workers";

export class DatabaseObject extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const [, , name, ...rest] = url.pathname.split("/");
    if (rest.join("/") === "health" && request.method === "GET") {
      return Response.json({ status: "ok", database: name, objectId: this.ctx.id.toString() });
    }
    return Response.json({ error: "not found", path: url.pathname }, { status: 404 });
  }
}
