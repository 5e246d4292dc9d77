import fs from "node:fs/promises";
import path from "node:path";
import mjml2html from "mjml";
import { type MailTemplateName, type MailVars, mailTemplates } from "../../emails/templates";
import type { SiteInfo } from "../config";
import { projectPath } from "../lib/paths";

export const EMAILS_DIR = projectPath("emails");

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

function fill(template: string, vars: Record<string, string>, encode: (v: string) => string, where: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`mail ${where}: no value for {{${name}}}`);
    return encode(value);
  });
}

/**
 * MJML is compiled once per template at start (mjml 5 is async and takes milliseconds a render);
 * each mail then only fills placeholders, HTML-escaped in the HTML part.
 */
export class MailRenderer {
  private constructor(
    private readonly compiled: Map<MailTemplateName, { html: string; text: string }>,
    private readonly site: SiteInfo,
  ) {}

  static async compile(site: SiteInfo, dir = EMAILS_DIR): Promise<MailRenderer> {
    const footer = await fs.readFile(path.join(dir, "_footer.txt"), "utf8");
    const compiled = new Map<MailTemplateName, { html: string; text: string }>();
    for (const name of Object.keys(mailTemplates) as MailTemplateName[]) {
      const source = await fs.readFile(path.join(dir, `${name}.mjml`), "utf8");
      const result = await mjml2html(source, {
        filePath: path.join(dir, `${name}.mjml`),
        // mj-include is off by default in mjml 5; allow it inside emails/ only.
        ignoreIncludes: false,
        includePath: dir,
        validationLevel: "strict",
        minify: false,
      });
      if (result.errors?.length) {
        throw new Error(`emails/${name}.mjml: ${result.errors.map((e) => e.formattedMessage).join("; ")}`);
      }
      const text = `${(await fs.readFile(path.join(dir, `${name}.txt`), "utf8")).trimEnd()}\n\n${footer}`;
      compiled.set(name, { html: result.html, text });
    }
    return new MailRenderer(compiled, site);
  }

  render<N extends MailTemplateName>(name: N, vars: MailVars<N>): RenderedMail {
    const template = this.compiled.get(name);
    if (!template) throw new Error(`unknown mail template ${name}`);
    const all: Record<string, string> = {
      siteName: this.site.siteName,
      companyName: this.site.companyName,
      contactPhone: this.site.contactPhone,
      contactHours: this.site.contactHours,
      ...vars,
    };
    return {
      subject: fill(mailTemplates[name].subject, all, (v) => v.replace(/[\r\n]+/g, " "), `${name} subject`),
      html: fill(template.html, all, escapeHtml, `${name}.mjml`),
      text: fill(template.text, all, (v) => v, `${name}.txt`),
    };
  }
}
