import { connect } from "node:net";

/**
 * HTTP/1.1 over a bare socket, for what fetch refuses to send: invalid UTF-8 in a path or a
 * header, headers larger than Node accepts, unnormalised "../" paths, broken framing.
 */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawRequest {
  method: string;
  /** Sent byte for byte, so "/web/../package.json" reaches the server as written. */
  path: string | Buffer;
  headers?: Array<[string, string | Buffer]>;
  body?: string | Buffer;
}

/** The bytes of a request, with Host, Content-Length (when there is a body) and Connection: close. */
export function encodeRequest(request: RawRequest): Buffer {
  const body = typeof request.body === "string" ? Buffer.from(request.body) : request.body;
  const headers: Array<[string, string | Buffer]> = [
    ["Host", "127.0.0.1"],
    ["Connection", "close"],
    ...(body !== undefined ? ([["Content-Length", String(body.length)]] as Array<[string, string]>) : []),
    ...(request.headers ?? []),
  ];
  const crlf = Buffer.from("\r\n");
  return Buffer.concat([
    Buffer.from(`${request.method} `),
    Buffer.from(request.path),
    Buffer.from(" HTTP/1.1\r\n"),
    ...headers.flatMap(([name, value]) => [Buffer.from(`${name}: `), Buffer.from(value), crlf]),
    crlf,
    body ?? Buffer.alloc(0),
  ]);
}

/**
 * Sends `bytes` to the server at `baseUrl` and reads the answer until the server closes the
 * connection (every request asks for Connection: close). Fails after `timeoutMs`, so a request
 * the server never answers fails the test instead of hanging it.
 */
export function sendRaw(baseUrl: string, bytes: Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`rawHttp: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may close while we still write (a 431 before a huge header is read); what it
    // answered before that is still the answer.
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on("close", () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    // Not end(): a client that half-closes is dropped by Node before slower routes answer.
    socket.write(bytes);
  });
}

export function rawRequest(baseUrl: string, request: RawRequest, timeoutMs?: number): Promise<RawResponse> {
  return sendRaw(baseUrl, encodeRequest(request), timeoutMs);
}

/** Parses one HTTP/1.1 response, de-chunking the body if need be. */
export function parseResponse(bytes: Buffer): RawResponse {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0)
    throw new Error(`rawHttp: no complete response head in ${JSON.stringify(bytes.toString("latin1"))}`);
  const [statusLine, ...lines] = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine!);
  if (!match) throw new Error(`rawHttp: not a status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") body = dechunk(body);
  return { status: Number(match[1]), headers, body };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf("\r\n", offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
