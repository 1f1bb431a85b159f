/** The organizer API over HTTP, as the CLI uses it: one process owns the store, so the CLI never opens it. */
export class ServerUnreachableError extends Error {}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The answer's JSON, when it was JSON (e.g. the quiet hours of a 409 "quiet-hours"). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface OrganizerClient {
  request<T>(method: string, path: string, body?: { type: string; data: string }): Promise<T>;
  requestText(path: string): Promise<string>;
}

export function createOrganizerClient(options: {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
}): OrganizerClient {
  const doFetch = options.fetch ?? fetch;
  async function send(
    method: string,
    path: string,
    body?: { type: string; data: string },
  ): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(options.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${options.token}`, ...(body ? { "content-type": body.type } : {}) },
        body: body?.data,
      });
    } catch (error) {
      throw new ServerUnreachableError(options.baseUrl, { cause: error });
    }
    if (!res.ok) {
      const text = await res.text();
      let message = text;
      let body: unknown;
      try {
        body = JSON.parse(text);
        message = (body as { error?: string }).error ?? text;
      } catch {
        // Not JSON: show the body as it is.
      }
      throw new ApiError(res.status, message, body);
    }
    return res;
  }
  return {
    async request<T>(method: string, path: string, body?: { type: string; data: string }) {
      return (await (await send(method, path, body)).json()) as T;
    },
    async requestText(path: string) {
      // Keep the BOM: Danish Excel needs it to read a saved CSV as UTF-8.
      return new TextDecoder("utf-8", { ignoreBOM: true }).decode(
        await (await send("GET", path)).arrayBuffer(),
      );
    },
  };
}
