import { passwordRules } from "../services/identity/password-policy";
import { publicProcedure, router } from "../trpc/init";

export const siteRouter = router({
  /** The company and contact center shown in the header, footer and on failure messages. */
  info: publicProcedure.query(({ ctx }) => ({
    ...ctx.deps.config.site,
    passwordRules: passwordRules(ctx.deps.config.passwordSymbols),
  })),
});
