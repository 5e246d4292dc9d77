// npm run db:seed — creates the demo account (README "Quick start") when the database has none.
import { demoAccount, seedCatalog, seedDemo } from "../db/seed/demo";
import { cliRuntime } from "./cli-runtime";

const { db, deps } = await cliRuntime();
const products = await seedCatalog(deps);
if (products) console.log(`demo catalog created: ${products} products`);
const created = await seedDemo(deps);
const DEMO = demoAccount();
console.log(
  created
    ? `demo account created: login ID ${DEMO.loginId} / ${DEMO.email} / ${DEMO.password}`
    : "the database already has accounts: nothing seeded",
);
await db.destroy();
