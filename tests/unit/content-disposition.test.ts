import { describe, expect, it } from "vitest";
import { contentDisposition } from "../../server/lib/content-disposition";

describe("contentDisposition", () => {
  it("gives an ASCII fallback and the Japanese name in RFC 5987 form", () => {
    expect(contentDisposition("見積書_Q-2026-000123.pdf")).toBe(
      `attachment; filename="____Q-2026-000123.pdf"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8_Q-2026-000123.pdf`,
    );
  });

  it("escapes what RFC 5987 forbids and what would end the quoted fallback", () => {
    const header = contentDisposition(`a'b(c)*"d\\e;f.pdf`, "inline");
    expect(header).toBe(`inline; filename="a'b(c)*_d_e_f.pdf"; filename*=UTF-8''a%27b%28c%29%2A%22d%5Ce%3Bf.pdf`);
    // Node accepts it as a header value (no raw non-ASCII, no line breaks).
    expect(header).toMatch(/^[\x20-\x7e]+$/);
  });
});
