import { type AppLoadContext, createCookie, redirect, type TypedResponse } from "@remix-run/node";

/**
 * "Done" messages ("パスワードを変更しました。") travel from an action to the next page in a flash
 * cookie, as Epic Stack's redirectWithToast does: the action redirects with the cookie set, the root
 * loader reads it once and clears it, and root.tsx shows it in a live region. No JavaScript needed,
 * nothing in the URL, and a reload does not show it again.
 *
 * The cookie is signed (a browser cannot make the site say something of its choosing), HttpOnly,
 * SameSite=Lax and short-lived: it only has to survive one redirect.
 */
export interface Flash {
  /** Tells two equal messages apart, so that the second one is shown too. */
  id: string;
  message: string;
}

function flashCookie({ flashCookie: { secret, secure } }: AppLoadContext) {
  // Over https the __Host- prefix pins it to this host and path, like the session cookie.
  return createCookie(secure ? "__Host-mos_flash" : "mos_flash", {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure,
    maxAge: 60,
    secrets: [secret],
  });
}

/** A redirect that shows `message` once on the page it leads to. */
export async function redirectWithFlash(
  url: string,
  message: string,
  context: AppLoadContext,
  init: ResponseInit = {},
): Promise<TypedResponse<never>> {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", await flashCookie(context).serialize({ id: crypto.randomUUID(), message }));
  return redirect(url, { ...init, headers });
}

/** For the root loader: the waiting message, if any, and the header that clears it (null: nothing to clear). */
export async function takeFlash(
  request: Request,
  context: AppLoadContext,
): Promise<{ flash: Flash | null; headers: Headers | null }> {
  const cookie = flashCookie(context);
  // null when there is no cookie or its signature is wrong; "" once cleared.
  const value: unknown = await cookie.parse(request.headers.get("Cookie"));
  if (value === null || value === "") return { flash: null, headers: null };
  const headers = new Headers({ "Set-Cookie": await cookie.serialize("", { maxAge: 0 }) });
  return { flash: isFlash(value) ? { id: value.id, message: value.message } : null, headers };
}

function isFlash(value: unknown): value is Flash {
  const v = value as Partial<Flash> | null;
  return typeof v?.id === "string" && typeof v.message === "string";
}
