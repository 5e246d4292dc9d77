import type { MetaArgs, MetaDescriptor, SerializeFrom } from "@remix-run/node";
import type { loader as rootLoader } from "~/root";

/** The site name (SITE_NAME) from the root loader's data, when it has loaded. */
export function siteNameOf(matches: MetaArgs["matches"]): string | undefined {
  const root = matches.find((m) => m.id === "root")?.data as SerializeFrom<typeof rootLoader> | undefined;
  return root?.site.siteName;
}

/**
 * A page's <title>: `export const meta = title("ログイン")` gives "ログイン | <SITE_NAME>". The page
 * name may depend on the loader's data: `title<typeof loader>(({ data }) => data?.product.name ?? "商品")`.
 */
export function title<Loader = unknown>(page: string | ((args: MetaArgs<Loader>) => string)) {
  return (args: MetaArgs<Loader>): MetaDescriptor[] => {
    const name = typeof page === "string" ? page : page(args);
    const siteName = siteNameOf(args.matches);
    return [{ title: siteName ? `${name} | ${siteName}` : name }];
  };
}
