import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { AppLink, ClientNavigation } from "./components/AppLink";
import { Flash } from "./components/Flash";
import { MenuToggle } from "./components/MenuToggle";
import styles from "./styles/app.css";
import { signedInCustomer } from "./utils/auth.server";
import { takeFlash } from "./utils/flash.server";
import { telHref } from "./utils/format";
import { siteNameOf } from "./utils/meta";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

// Pages set their own title (utils/meta.ts); this one is for pages without, and for the error page of an
// unknown URL (where no loader ran, so the site name may be missing).
export const meta: MetaFunction = ({ matches, error }) => {
  const siteName = siteNameOf(matches);
  const page = error
    ? isRouteErrorResponse(error) && error.status === 404
      ? "ページが見つかりません"
      : "エラー"
    : null;
  const name = [page, siteName].filter(Boolean).join(" | ");
  return name ? [{ title: name }] : [];
};

export async function loader({ context, request }: LoaderFunctionArgs) {
  const [site, me, { flash, headers }] = await Promise.all([
    context.caller.site.info(),
    signedInCustomer(context),
    takeFlash(request, context),
  ]);
  const data = {
    site,
    me: me
      ? {
          companyName: me.account.companyName,
          userName: me.user.name || me.user.email,
          mustChangePassword: me.user.mustChangePassword,
        }
      : null,
    flash,
  };
  // A Response only to send the header that clears a flash message: plain data goes to the render as it is,
  // without Remix's JSON round trip (decision 019).
  return headers ? json(data, { headers }) : data;
}

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const site = data?.site;
  return (
    <html lang="ja">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {/* The first thing a keyboard reaches: past the header and its menu, straight to the page. */}
        <a className="skip-link" href="#main">
          本文へスキップ
        </a>
        <header className="site-header">
          <div className="brand">
            {/* During the forced password change nothing else can be reached: no links that bounce back. */}
            {site ? (
              data?.me?.mustChangePassword ? (
                <span className="site-name">{site.siteName}</span>
              ) : (
                <AppLink to="/" className="site-name">
                  {site.siteName}
                </AppLink>
              )
            ) : null}
            {site ? <span className="company">{site.companyName}</span> : null}
          </div>
          {site ? (
            <p className="contact">
              <span>コンタクトセンタ</span> <a href={telHref(site.contactPhone)}>{site.contactPhone}</a>{" "}
              <small>{site.contactHours}</small>
            </p>
          ) : null}
          {data?.me ? (
            <MenuToggle id="site-menu" label="メニュー" className="signed-in">
              <p className="who">
                {data.me.companyName} {data.me.userName} 様
              </p>
              {data.me.mustChangePassword ? null : (
                <nav aria-label="サイト" className="site-nav">
                  <AppLink to="/products">商品</AppLink>
                  <AppLink to="/quote">見積依頼</AppLink>
                  <AppLink to="/order">注文</AppLink>
                  <AppLink to="/rentals">レンタル中の注文</AppLink>
                  <AppLink to="/account">お客様情報</AppLink>
                </nav>
              )}
              {/* A plain form: logging out loads the login page whole, and Remix's <Form> (which resolves its
                  action and sets up its submit handler on the server) cost every signed-in page (decision 019). */}
              <form method="post" action="/logout">
                <button type="submit" className="link-button">
                  ログアウト
                </button>
              </form>
            </MenuToggle>
          ) : null}
        </header>
        <main className="site-main" id="main" tabIndex={-1}>
          <Flash flash={data?.flash} />
          {children}
        </main>
        <footer className="site-footer">
          {site ? (
            <p>
              {site.companyName} コンタクトセンタ <a href={telHref(site.contactPhone)}>{site.contactPhone}</a>{" "}
              {site.contactHours}
            </p>
          ) : null}
        </footer>
        <ClientNavigation />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <section className="card">
      <h1>{notFound ? "ページが見つかりません" : "エラーが発生しました"}</h1>
      <p>
        {notFound
          ? "お探しのページは見つかりませんでした。"
          : "申し訳ございません。時間をおいて再度お試しいただくか、コンタクトセンタまでお問い合わせください。"}
      </p>
      <p>
        <AppLink to="/">トップへ戻る</AppLink>
      </p>
    </section>
  );
}
