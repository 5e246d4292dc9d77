import { Form, Link, useRouteLoaderData } from "@remix-run/react";
import { BACK_OFFICE_AREAS } from "~/utils/admin-areas";
import { title } from "~/utils/meta";
import type { loader as adminLoader } from "./admin";

export const meta = title("管理画面");

/** /admin: who is signed in, with which role, and the back office's areas this role may use. */
export default function AdminHome() {
  const data = useRouteLoaderData<typeof adminLoader>("routes/admin");
  if (!data) return null;
  const { staff } = data;
  const areas = BACK_OFFICE_AREAS.filter((a) => !a.adminOnly || staff.role === "admin");
  return (
    <section className="card">
      <h1>管理画面</h1>
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
                <Link to={a.to}>{a.label}</Link>
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
