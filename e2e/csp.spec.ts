import { expect, login, test } from "./fixtures";

/**
 * XSS in a real browser: a stored payload is shown as text (server render and client navigation), no
 * dialog ever opens, and the CSP (script-src 'self' 'nonce-…', server/security.ts) refuses an inline
 * script and an inline event handler injected into the page, while a script with the page's nonce runs
 * (so the refusal is the policy's, not a broken test).
 */
test.describe("XSS and the CSP", () => {
  test("a stored payload stays text; inline script without the nonce is blocked", async ({ page, account }) => {
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const cspErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/.test(message.text())) cspErrors.push(message.text());
    });

    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();

    // ユーザ名 holds the payload (within its 50 characters).
    const payload = `<svg onload=alert(1)><script>alert(2)</script>`;
    await page.goto("/account");
    await page.getByLabel("ユーザ名").fill(payload);
    await page.getByRole("button", { name: "登録情報変更" }).click();
    await expect(page.getByText("登録情報を変更しました。")).toBeVisible();

    // Server-rendered: the top page greets with the payload as text.
    await page.goto("/");
    await expect(page.getByRole("heading", { name: `ようこそ、${payload} 様` })).toBeVisible();
    await expect(page.getByRole("definition").filter({ hasText: payload })).toBeVisible();
    // Client-side navigation (React renders the loader's data): still text.
    await page.getByRole("navigation", { name: "サイト" }).getByRole("link", { name: "お客様情報" }).click();
    await expect(page.getByLabel("ユーザ名")).toHaveValue(payload);
    await expect(page.getByText(`${account.company} ${payload} 様`)).toBeVisible();
    expect(await page.locator("svg, img, script:not([src])").count()).toBe(
      await page.locator("script[nonce]:not([src])").count(),
    );

    const result = await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const violations: { directive: string; blocked: string }[] = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
      );
      // An inline script without the nonce, as an injection would add it.
      const inline = document.createElement("script");
      inline.textContent = "window.__inlineRan = true; alert('inline');";
      document.body.append(inline);
      // An inline event handler.
      const img = document.createElement("img");
      img.setAttribute("onerror", "window.__handlerRan = true; alert('handler');");
      img.src = "/no-such-image.png";
      document.body.append(img);
      // The control: the same kind of script with the nonce the page's own scripts carry runs.
      const nonce = (document.querySelector("script[nonce]") as HTMLScriptElement | null)?.nonce ?? "";
      const allowed = document.createElement("script");
      allowed.nonce = nonce;
      allowed.textContent = "window.__nonceRan = true;";
      document.body.append(allowed);
      const deadline = Date.now() + 30_000;
      while (violations.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return {
        violations,
        nonceFound: nonce.length > 0,
        inlineRan: w.__inlineRan === true,
        handlerRan: w.__handlerRan === true,
        nonceRan: w.__nonceRan === true,
      };
    });

    expect(result.nonceFound).toBe(true);
    expect(result.nonceRan).toBe(true);
    expect(result.inlineRan).toBe(false);
    expect(result.handlerRan).toBe(false);
    expect(result.violations.map((v) => v.directive).sort()).toEqual(["script-src-attr", "script-src-elem"]);
    expect(result.violations.every((v) => v.blocked === "inline")).toBe(true);
    await expect.poll(() => cspErrors.length).toBeGreaterThanOrEqual(2);
    // Chromium's wording: "Refused to execute inline script …" (older) or "Executing inline script violates …".
    expect(cspErrors.join("\n")).toMatch(/(Refused to execute|Executing) inline script/);
    expect(cspErrors.join("\n")).toMatch(/(Refused to execute|Executing) inline event handler/);
    expect(dialogs).toEqual([]);
  });
});
