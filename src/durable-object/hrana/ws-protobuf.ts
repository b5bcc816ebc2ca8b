// The hrana3-protobuf WebSocket messages: ClientMsg decoded into the JSON
// message shapes ws-session.ts handles, ServerMsg encoded from them. Field
// numbers follow the Hrana 3 .proto, as @libsql/hrana-client uses them.
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { batch, decode, message, nested, readMessage, stmt, writeCursorEntry, writeError, writeResponseBody, type Json } from "./protobuf.js";
import type { HranaError } from "./errors.js";

/** Request kinds by their field number in RequestMsg (2..13); also the response field numbers. */
const WS_REQUEST_TYPES = ["", "", "open_stream", "close_stream", "execute", "batch", "open_cursor", "close_cursor", "fetch_cursor", "sequence", "describe", "store_sql", "close_sql", "get_autocommit"];

/** Field layouts of the requests: field number -> [JSON key, how to read it]. */
type Read = "int" | "uint" | "string" | "stmt" | "batch";
const REQUEST_FIELDS: Record<string, [string, Read][]> = {
  open_stream: [["stream_id", "int"]],
  close_stream: [["stream_id", "int"]],
  execute: [["stream_id", "int"], ["stmt", "stmt"]],
  batch: [["stream_id", "int"], ["batch", "batch"]],
  open_cursor: [["stream_id", "int"], ["cursor_id", "int"], ["batch", "batch"]],
  close_cursor: [["cursor_id", "int"]],
  fetch_cursor: [["cursor_id", "int"], ["max_count", "uint"]],
  sequence: [["stream_id", "int"], ["sql", "string"], ["sql_id", "int"]],
  describe: [["stream_id", "int"], ["sql", "string"], ["sql_id", "int"]],
  store_sql: [["sql_id", "int"], ["sql", "string"]],
  close_sql: [["sql_id", "int"]],
  get_autocommit: [["stream_id", "int"]],
};

function request(r: BinaryReader, type: string, end: number): Json {
  const out: Json = { type };
  const fields = REQUEST_FIELDS[type];
  readMessage(
    r,
    (field, wt, rr) => {
      const spec = fields[field - 1];
      if (!spec) return false;
      const [key, read] = spec;
      if (read === "int") out[key] = rr.int32();
      else if (read === "uint") out[key] = rr.uint32();
      else if (read === "string") out[key] = rr.string();
      else if (read === "stmt") nested(rr, wt, (x, e) => (out[key] = stmt(x, e)));
      else nested(rr, wt, (x, e) => (out[key] = batch(x, e)));
      return true;
    },
    end,
  );
  return out;
}

export function decodeClientMsg(bytes: Uint8Array): Json {
  return decode(bytes, (r) => {
    let out: Json = {};
    readMessage(r, (field, wt, rr) => {
      if (field === 1) {
        out = { type: "hello" };
        nested(rr, wt, (x, e) => readMessage(x, (f, _w, y) => (f === 1 ? ((out.jwt = y.string()), true) : false), e));
      } else if (field === 2) {
        out = { type: "request" };
        nested(rr, wt, (x, e) =>
          readMessage(
            x,
            (f, w2, y) => {
              if (f === 1) out.request_id = y.int32();
              else if (WS_REQUEST_TYPES[f]) nested(y, w2, (z, e2) => (out.request = request(z, WS_REQUEST_TYPES[f], e2)));
              else return false;
              return true;
            },
            e,
          ),
        );
      } else return false;
      return true;
    });
    return out;
  });
}

export function encodeServerMsg(msg: Json): Uint8Array {
  const w = new BinaryWriter();
  switch (msg.type) {
    case "hello_ok":
      message(w, 1, () => undefined);
      break;
    case "hello_error":
      message(w, 2, () => writeError(w, 1, msg.error as HranaError));
      break;
    case "response_error":
      message(w, 4, () => (w.tag(1, WireType.Varint).int32(msg.request_id as number), writeError(w, 2, msg.error as HranaError)));
      break;
    case "response_ok": {
      const response = msg.response as Json & { type: string };
      message(w, 3, () => {
        w.tag(1, WireType.Varint).int32(msg.request_id as number);
        message(w, WS_REQUEST_TYPES.indexOf(response.type), () => {
          if (response.type !== "fetch_cursor") return writeResponseBody(w, response);
          for (const entry of response.entries as Json[]) message(w, 1, () => writeCursorEntry(w, entry));
          w.tag(2, WireType.Varint).bool(response.done as boolean);
        });
      });
      break;
    }
  }
  return w.finish();
}
