import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The e2e server's order intake (INTAKE_WEBHOOK_URL): an endpoint that accepts every application at once
 * (200), except those of a login ID a test has put on hold, whose answer waits until the test releases
 * it. That is how a test sees 処理中 first and then watches it turn into 受付完了 (status.spec.ts):
 *
 * - `POST /intake`: an application (the JSON of server/services/ordering/intake.ts)
 * - `POST /hold/<loginId>`, `POST /release/<loginId>`: the test's controls (fixtures.ts holdIntake)
 *
 * A held answer outlives the site's 10-second webhook timeout only as a failed attempt, which the intake
 * worker retries (the next one is answered at once once released).
 */
export async function startIntakeStub(): Promise<{ url: string; close(): Promise<void> }> {
  const held = new Set<string>();
  const waiting = new Map<string, http.ServerResponse[]>();
  const answer = (res: http.ServerResponse, status: number) => {
    if (!res.writableEnded && !res.destroyed) res.writeHead(status).end();
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const [, action, loginId = ""] = (req.url ?? "").split("/");
      if (req.method !== "POST") return answer(res, 405);
      if (action === "hold") {
        held.add(decodeURIComponent(loginId));
        return answer(res, 204);
      }
      if (action === "release") {
        const id = decodeURIComponent(loginId);
        held.delete(id);
        for (const r of waiting.get(id) ?? []) answer(r, 200);
        waiting.delete(id);
        return answer(res, 204);
      }
      if (action !== "intake") return answer(res, 404);
      let application: { loginId?: string };
      try {
        application = JSON.parse(body);
      } catch {
        return answer(res, 400);
      }
      const id = application.loginId ?? "";
      if (!held.has(id)) return answer(res, 200);
      waiting.set(id, [...(waiting.get(id) ?? []), res]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const responses of waiting.values()) for (const r of responses) answer(r, 503);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
