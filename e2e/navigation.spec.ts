import { expect, login, test } from "./fixtures";

/**
 * The site's links (AppLink, decision 019) are plain `<a href>` that the app follows without reloading the
 * document, as Remix's <Link> did: the page changes, the document (and anything it holds) stays, and the browser's
 * back button returns through the app as well.
 */
type Marked = { navigationMarker?: string };

test("links change the page without reloading the document; back returns the same way", async ({ page, account }) => {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  await page.evaluate(() => {
    (window as Marked).navigationMarker = "home";
  });

  const menu = page.getByRole("navigation", { name: "メニュー" });
  await expect(menu.getByRole("link", { name: "申込履歴" })).toHaveAttribute("href", "/account/history");
  await menu.getByRole("link", { name: "申込履歴" }).click();
  await expect(page).toHaveURL(/\/account\/history$/);
  await expect(page.getByRole("form", { name: "申込履歴の絞り込み" })).toBeVisible();
  expect(await page.evaluate(() => (window as Marked).navigationMarker)).toBe("home");

  await page.getByRole("navigation", { name: "サイト" }).getByRole("link", { name: "レンタル中の注文" }).click();
  await expect(page).toHaveURL(/\/rentals$/);
  await expect(page.getByRole("heading", { name: "レンタル中の注文" })).toBeVisible();
  expect(await page.evaluate(() => (window as Marked).navigationMarker)).toBe("home");

  await page.goBack();
  await expect(page).toHaveURL(/\/account\/history$/);
  await expect(page.getByRole("form", { name: "申込履歴の絞り込み" })).toBeVisible();
  expect(await page.evaluate(() => (window as Marked).navigationMarker)).toBe("home");

  // A full load (typed address, reload) is a new document, as it should be.
  await page.reload();
  expect(await page.evaluate(() => (window as Marked).navigationMarker)).toBeUndefined();
});
