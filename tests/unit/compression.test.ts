import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { compressDocument } from "../../server/compression";

/** A rendered page's markup, encoded and compressed in one call (server/compression.ts) by the middleware's rules. */
describe("compressDocument", () => {
  const markup = `<!DOCTYPE html><html lang="ja"><body>${"<p>申込履歴</p>".repeat(200)}</body></html>`;
  const page = Buffer.from(markup, "utf8");
  async function compress(
    path: string,
    acceptEncoding: string | null,
    init: { method?: string; headers?: HeadersInit } = {},
  ) {
    const request = new Request(`http://127.0.0.1${path}`, {
      method: init.method ?? "GET",
      headers: acceptEncoding === null ? {} : { "Accept-Encoding": acceptEncoding },
    });
    const headers = new Headers(init.headers);
    const body = await compressDocument(request, headers, markup);
    return { headers, body };
  }

  it("brotli when the browser takes it, else gzip, else as it is; always Vary: Accept-Encoding", async () => {
    const br = await compress("/account/history", "gzip, deflate, br");
    expect(br.headers.get("Content-Encoding")).toBe("br");
    expect(zlib.brotliDecompressSync(br.body).equals(page)).toBe(true);
    expect(br.body.length).toBeLessThan(page.length / 4);

    const gzip = await compress("/account/history", "br;q=0, gzip");
    expect(gzip.headers.get("Content-Encoding")).toBe("gzip");
    expect(zlib.gunzipSync(gzip.body).equals(page)).toBe(true);

    for (const accepted of [null, "identity", "compress"]) {
      const plain = await compress("/account/history", accepted);
      expect(plain.headers.get("Content-Encoding"), String(accepted)).toBeNull();
      expect(plain.body.equals(page)).toBe(true);
      expect(plain.headers.get("Vary")).toBe("Accept-Encoding");
    }
    const kept = await compress("/", "br", { headers: { Vary: "Cookie" } });
    expect(kept.headers.get("Vary")).toBe("Cookie, Accept-Encoding");
  });

  it("leaves alone the secret pages (BREACH), HEAD, no-transform, small and already encoded bodies", async () => {
    for (const path of [
      "/reset-password/abc",
      "/setup-password/abc",
      "/email-change/abc",
      "/email-change/confirm/abc",
      "/login-report/abc",
      "/dev/mailbox",
    ]) {
      const secret = await compress(path, "br");
      expect(secret.headers.get("Content-Encoding"), path).toBeNull();
      expect(secret.body.equals(page), path).toBe(true);
    }
    expect((await compress("/", "br", { method: "HEAD" })).headers.get("Content-Encoding")).toBeNull();
    expect(
      (await compress("/", "br", { headers: { "Cache-Control": "private, no-transform" } })).headers.get(
        "Content-Encoding",
      ),
    ).toBeNull();
    expect((await compress("/", "br", { headers: { "Content-Encoding": "gzip" } })).body.equals(page)).toBe(true);

    const small = async (text: string) => {
      const headers = new Headers();
      const body = await compressDocument(
        new Request("http://127.0.0.1/", { headers: { "Accept-Encoding": "br" } }),
        headers,
        text,
      );
      return { encoding: headers.get("Content-Encoding"), text: body.toString("utf8") };
    };
    expect(await small("<p>ok</p>")).toEqual({ encoding: null, text: "<p>ok</p>" });
    // Fewer than 1,024 characters, but 1,024 bytes or more as UTF-8: compressed, as the middleware counts bytes.
    const japanese = `<p>${"申込履歴".repeat(100)}</p>`;
    expect(japanese.length).toBeLessThan(1024);
    expect((await small(japanese)).encoding).toBe("br");
  });
});
