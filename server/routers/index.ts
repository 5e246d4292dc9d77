import { createCallerFactory, router } from "../trpc/init";
import { accountRouter } from "./account";
import { applicationsRouter } from "./applications";
import { authRouter } from "./auth";
import { backofficeAccountsRouter } from "./backoffice-accounts";
import { backofficeApplicationsRouter } from "./backoffice-applications";
import { backofficeAuditRouter } from "./backoffice-audit";
import { backofficeProductsRouter } from "./backoffice-products";
import { catalogRouter } from "./catalog";
import { documentsRouter } from "./documents";
import { historyRouter } from "./history";
import { rentalsRouter } from "./rentals";
import { siteRouter } from "./site";
import { staffRouter } from "./staff";
import { staffAuthRouter } from "./staff-auth";
import { templatesRouter } from "./templates";
import { usersRouter } from "./users";

/** The root router: one sub-router per area of the product (docs/architecture.md). */
export const appRouter = router({
  site: siteRouter,
  // identity
  auth: authRouter,
  account: accountRouter,
  users: usersRouter,
  // ordering
  catalog: catalogRouter,
  templates: templatesRouter,
  applications: applicationsRouter,
  history: historyRouter,
  documents: documentsRouter,
  rentals: rentalsRouter,
  // back office
  staffAuth: staffAuthRouter,
  staff: staffRouter,
  backofficeApplications: backofficeApplicationsRouter,
  backofficeAccounts: backofficeAccountsRouter,
  backofficeProducts: backofficeProductsRouter,
  backofficeAudit: backofficeAuditRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller bound to one request's context: what Remix loaders and actions use. */
export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
