// `npm run build`, last step: every script and stylesheet of public/build gets a brotli (.br, quality 11) and a
// gzip (.gz, level 9) twin, compressed once here instead of on every request (server/static-precompressed.ts
// serves them by the browser's Accept-Encoding). The build's files are fingerprinted, so a twin never goes stale
// while its original is unchanged; twins of files that no longer exist are removed.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const dir = path.resolve("public/build");
const COMPRESSIBLE = /\.(js|css|map|svg|json)$/;
let files = 0;
let before = 0;
let after = 0;
for (const name of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
  const file = path.join(dir, name);
  if (/\.(br|gz)$/.test(name)) {
    if (!fs.existsSync(file.replace(/\.(br|gz)$/, ""))) fs.rmSync(file);
    continue;
  }
  if (!COMPRESSIBLE.test(name) || !fs.statSync(file).isFile()) continue;
  const body = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  fs.writeFileSync(`${file}.br`, br);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
  files += 1;
  before += body.length;
  after += br.length;
}
console.log(
  `precompressed ${files} files of public/build: ${(before / 1024).toFixed(0)} KB → ${(after / 1024).toFixed(0)} KB (brotli)`,
);
