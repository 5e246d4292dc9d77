import { AppNavLink, type SitePath } from "./AppLink";

/** The five tabs of お客様情報 (SPEC §3). */
const TABS: { label: string; to: SitePath | null }[] = [
  { label: "お客様情報設定", to: "/account" },
  { label: "利用者管理", to: "/account/users" },
  { label: "お届け先テンプレート管理", to: "/account/templates" },
  { label: "申込履歴", to: "/account/history" },
  { label: "セキュリティ設定", to: "/account/security" },
];

export function AccountTabs() {
  return (
    <nav className="tabs" aria-label="お客様情報">
      {TABS.map((tab) =>
        tab.to ? (
          // A tab stays current on its sub-pages (申込履歴 on /account/history/<number>); お客様情報設定 only on
          // /account itself, which every other tab's path starts with.
          <AppNavLink key={tab.label} to={tab.to} end={tab.to === "/account"} className="tab">
            {tab.label}
          </AppNavLink>
        ) : (
          <span key={tab.label} className="tab disabled" aria-disabled="true" title="準備中">
            {tab.label}
          </span>
        ),
      )}
    </nav>
  );
}
