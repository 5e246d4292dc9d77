// `npm run build`, second half: compiles the Express server (server/index.ts and what it imports
// from server/, db/ and emails/) into one ES module, build/server/index.js, so production runs
// plain JavaScript and no TypeScript loader. Packages stay external (node_modules at run time).
import { build } from "esbuild";

await build({
  entryPoints: ["server/index.ts"],
  outfile: "build/server/index.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
});
console.log("server built: build/server/index.js");
