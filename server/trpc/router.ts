import { accountRouter } from "../routers/account";
import { authRouter } from "../routers/auth";
import { orderingRouter } from "../routers/ordering";
import { siteRouter } from "../routers/site";
import { usersRouter } from "../routers/users";
import { createCallerFactory, router } from "./init";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  users: usersRouter,
  ordering: orderingRouter,
  site: siteRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller bound to one request's context: what Remix loaders and actions use. */
export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
