import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { TableScroll } from "~/components/TableScroll";
import { BACK_OFFICE_AREAS } from "~/utils/admin-areas";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";
import type { loader as adminLoader } from "./admin";

export const meta = title("管理画面");

/** The dashboard's open work, each count a link to 申込一覧 filtered to it. */
const COUNTS = [
  { key: "unarrangedOrders", label: "未手配の注文", query: "confirmation=unarranged&result=accepted" },
  { key: "unansweredQuotes", label: "未回答の見積", query: "confirmation=unanswered&result=accepted" },
  { key: "unreturnedCancellations", label: "未処理の解約", query: "confirmation=unreturned&result=accepted" },
  { key: "unconfirmedExtensions", label: "未確認の延長", query: "confirmation=unconfirmed&result=accepted" },
  { key: "failedIntake", label: "受付失敗", query: "result=failed" },
] as const;

const NEWEST = 10;

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const calls = context.caller.backofficeApplications;
  const counts = await calls.dashboard();
  const { rows } = await calls.list({});
  return { counts, newest: rows.slice(0, NEWEST) };
}

/** /admin (ダッシュボード): the open work, the newest applications, who is signed in, with which role, and the back office's areas this role may use. */
export default function AdminHome() {
  const data = useRouteLoaderData<typeof adminLoader>("routes/admin");
  const { counts, newest } = useLoaderData<typeof loader>();
  if (!data) return null;
  const { staff } = data;
  const areas = BACK_OFFICE_AREAS.filter((a) => !a.adminOnly || staff.role === "admin");
  return (
    <section className="card">
      <h1>管理画面</h1>
      <section aria-labelledby="dashboard-heading" className="panel">
        <h2 id="dashboard-heading">ダッシュボード</h2>
        <ul className="admin-areas">
          {COUNTS.map((c) => (
            <li key={c.key}>
              <AppLink to={`/admin/applications?${c.query}`}>
                {c.label} {counts[c.key]}件
              </AppLink>
            </li>
          ))}
        </ul>
        <h3>最新の申込</h3>
        {newest.length ? (
          <TableScroll label="最新の申込">
            <table className="table">
              <caption>最新の申込</caption>
              <thead>
                <tr>
                  <th scope="col">申込日時</th>
                  <th scope="col">申込番号</th>
                  <th scope="col">種別</th>
                  <th scope="col">会社名</th>
                  <th scope="col">申込結果</th>
                  <th scope="col">確認状況</th>
                </tr>
              </thead>
              <tbody>
                {newest.map((r) => (
                  <tr key={r.number}>
                    <td>{r.createdAtLabel}</td>
                    <td>
                      <AppLink to={`/admin/applications/${r.number}`}>{r.number}</AppLink>
                    </td>
                    <td>{r.kindLabel}</td>
                    <td>{r.companyName}</td>
                    <td>{r.resultLabel}</td>
                    <td>{r.confirmationLabel}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <p>申込はまだありません。</p>
        )}
        <p>
          <AppLink to="/admin/applications">申込一覧へ</AppLink>
        </p>
      </section>
      <section aria-labelledby="who-heading" className="panel">
        <h2 id="who-heading">ログイン中のスタッフ</h2>
        <dl className="details">
          <dt>氏名</dt>
          <dd>{staff.name || "(未設定)"}</dd>
          <dt>メールアドレス</dt>
          <dd>{staff.email}</dd>
          <dt>役割</dt>
          <dd>{staff.roleLabel}</dd>
        </dl>
        <Form method="post" action="/admin/logout">
          <button type="submit" className="secondary">
            ログアウト
          </button>
        </Form>
      </section>
      <section aria-labelledby="areas-heading" className="panel">
        <h2 id="areas-heading">業務メニュー</h2>
        {areas.length ? (
          <ul className="admin-areas">
            {areas.map((a) => (
              <li key={a.to}>
                <AppLink to={a.to}>{a.label}</AppLink>
                <p className="hint">{a.description}</p>
              </li>
            ))}
          </ul>
        ) : (
          <p>この役割で利用できる業務メニューはまだありません。</p>
        )}
      </section>
    </section>
  );
}
