// `npm run build`, last step: compiles the mail templates (emails/*.mjml and their text twins) into
// build/emails.json, with a digest of the sources, so that the server loads them without MJML
// (MailRenderer.load; a template edited after the build is compiled at start instead).
import fs from "node:fs";
import path from "node:path";
import { COMPILED_EMAILS, type CompiledEmailsFile, compileTemplates, emailSourcesDigest } from "../server/mail/render";

const sources = await emailSourcesDigest();
const templates = Object.fromEntries(await compileTemplates());
const file: CompiledEmailsFile = { sources, templates };
fs.mkdirSync(path.dirname(COMPILED_EMAILS), { recursive: true });
fs.writeFileSync(COMPILED_EMAILS, JSON.stringify(file));
console.log(
  `mails compiled: ${path.relative(process.cwd(), COMPILED_EMAILS)} (${Object.keys(templates).length} templates)`,
);
