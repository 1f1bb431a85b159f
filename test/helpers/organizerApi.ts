export const TEST_ORGANIZER_TOKEN = "organizer-token-for-tests-0123456789";

/** A small client for the organizer API of a test server. */
export function organizerApi(baseUrl: string, token = TEST_ORGANIZER_TOKEN) {
  const headers = { authorization: `Bearer ${token}` };
  const json = async <T>(res: Response): Promise<T> => {
    if (!res.ok) throw new Error(`organizer API ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    importCsv: (csv: string | Uint8Array<ArrayBuffer>) =>
      fetch(`${baseUrl}/api/organizer/participants`, {
        method: "POST",
        headers: { ...headers, "content-type": "text/csv" },
        body: csv,
      }),
    participants: () =>
      fetch(`${baseUrl}/api/organizer/participants`, { headers }).then((res) =>
        json<{ participants: Array<Record<string, unknown>> }>(res),
      ),
    /** `force`: also in the quiet hours, for a server on the real clock, which may be in them. */
    invite: (options: { force?: boolean } = {}) =>
      fetch(`${baseUrl}/api/organizer/invitations${options.force ? "?force=true" : ""}`, {
        method: "POST",
        headers,
      }).then((res) => json<{ sent: number; skipped: number; remaining: number }>(res)),
    remind: (sessionId: string, options: { force?: boolean } = {}) =>
      fetch(`${baseUrl}/api/organizer/sessions/${sessionId}/reminders${options.force ? "?force=true" : ""}`, {
        method: "POST",
        headers,
      }).then((res) => json<{ sent: number; skipped: number }>(res)),
    attendance: () =>
      fetch(`${baseUrl}/api/organizer/attendance`, { headers }).then((res) =>
        json<{ participants: Array<Record<string, unknown>> }>(res),
      ),
    /** The raw answer: a refused file is a 422 that tests read. */
    reload: () => fetch(`${baseUrl}/api/organizer/reload`, { method: "POST", headers }),
    reminders: (query = "") => fetch(`${baseUrl}/api/organizer/reminders${query}`, { headers }),
    attendanceCsv: () => fetch(`${baseUrl}/api/organizer/attendance?format=csv`, { headers }),
    outbox: () =>
      fetch(`${baseUrl}/api/organizer/outbox`, { headers }).then((res) =>
        json<{ messages: Array<Record<string, unknown>> }>(res),
      ),
    inbox: () =>
      fetch(`${baseUrl}/api/organizer/inbox`, { headers }).then((res) =>
        json<{ items: Array<Record<string, unknown>> }>(res),
      ),
    reply: (id: string, text: string) =>
      fetch(`${baseUrl}/api/organizer/inbox/${id}/reply`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ text }),
      }),
    erase: (id: string) =>
      fetch(`${baseUrl}/api/organizer/participants/${id}`, { method: "DELETE", headers }),
  };
}
