import { useSearchParams } from "@remix-run/react";
import { AppLink, type SitePath } from "./AppLink";

/**
 * 最新へ / 次へ of a keyset-paged list filtered by GET: the same filters, without a cursor or with the
 * next page's.
 */
export function KeysetPager({ path, nextCursor }: { path: SitePath; nextCursor: string | null }) {
  const [params] = useSearchParams();
  const first = new URLSearchParams(params);
  first.delete("cursor");
  const next = new URLSearchParams(first);
  if (nextCursor) next.set("cursor", nextCursor);
  return (
    <nav className="pagination" aria-label="ページ">
      {params.get("cursor") ? <AppLink to={`${path}${first.size ? `?${first}` : ""}`}>最新へ</AppLink> : null}
      {nextCursor ? <AppLink to={`${path}?${next}`}>次へ</AppLink> : null}
    </nav>
  );
}
