import type { SitePath } from "~/components/AppLink";

/**
 * The back office's areas that exist, in menu order: the /admin page and the bar link to them. An area
 * is added here when its screen is (SPEC §6); `adminOnly` ones are shown to admins only.
 */
export const BACK_OFFICE_AREAS: readonly { to: SitePath; label: string; description: string; adminOnly?: boolean }[] = [
  {
    to: "/admin/applications",
    label: "申込一覧",
    description: "全顧客の注文・見積依頼・解約。手配済にする、見積回答、返却確認、受付失敗の再送。",
  },
  {
    to: "/admin/accounts",
    label: "顧客管理",
    description: "顧客の検索・登録、利用者のロック解除、利用停止・利用再開。",
  },
  { to: "/admin/import", label: "会員データ移行", description: "旧サイトの会員CSVを確認してから取り込みます。" },
  {
    to: "/admin/products",
    label: "商品管理",
    description: "商品の検索・登録・編集、販売終了・販売再開、CSVでの一括登録・更新。",
  },
  {
    to: "/admin/audit",
    label: "操作ログ",
    description:
      "スタッフの操作と顧客のログイン・セキュリティ操作の記録。実行者・顧客・操作・期間で絞り込み、CSV出力。",
  },
  {
    to: "/admin/staff",
    label: "スタッフ管理",
    description: "スタッフの一覧、追加、利用停止・利用再開(管理者のみ)。",
    adminOnly: true,
  },
];
