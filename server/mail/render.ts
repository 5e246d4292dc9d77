import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { type MailTemplateName, type MailVars, mailTemplates } from "../../emails/templates";
import type { SiteInfo } from "../config";
import { projectPath } from "../lib/paths";

export const EMAILS_DIR = projectPath("emails");
/** The templates compiled by `npm run build` (scripts/compile-emails.ts). */
export const COMPILED_EMAILS = projectPath("build/emails.json");

type CompiledTemplates = Map<MailTemplateName, { html: string; text: string }>;

/** What `npm run build` writes: the templates, and a digest of the sources they were compiled from. */
export interface CompiledEmailsFile {
  sources: string;
  templates: Record<string, { html: string; text: string }>;
}

/** A digest of every file of the templates' folder (names and contents): any edit changes it. */
export async function emailSourcesDigest(dir = EMAILS_DIR): Promise<string> {
  const hash = createHash("sha256");
  for (const name of (await fs.readdir(dir)).sort()) {
    if (!/\.(mjml|txt)$/.test(name)) continue;
    hash.update(`${name}\0`);
    hash.update(await fs.readFile(path.join(dir, name)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Compiles every template from its MJML and text sources (MJML loaded only for this). */
export async function compileTemplates(dir = EMAILS_DIR): Promise<CompiledTemplates> {
  const { default: mjml2html } = await import("mjml");
  const footer = await fs.readFile(path.join(dir, "_footer.txt"), "utf8");
  const compiled: CompiledTemplates = new Map();
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
  return compiled;
}

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
 * MJML is compiled once per template, by `npm run build` (`load`) or at start (`compile`); mjml 5 is async
 * and takes milliseconds a render. Each mail then only fills placeholders, HTML-escaped in the HTML part.
 */
export class MailRenderer {
  private constructor(
    private readonly compiled: CompiledTemplates,
    private readonly site: SiteInfo,
  ) {}

  /** Compiles the templates now, from `dir`. */
  static async compile(site: SiteInfo, dir = EMAILS_DIR): Promise<MailRenderer> {
    return new MailRenderer(await compileTemplates(dir), site);
  }

  /**
   * The templates `npm run build` compiled, when they were compiled from the sources as they are now; else
   * (no build, or a template edited since) compiled now. A server that loads them never loads MJML, about
   * 60 MB of memory it would otherwise keep for its whole life (docs/benchmarks.md).
   */
  static async load(site: SiteInfo, { dir = EMAILS_DIR, file = COMPILED_EMAILS } = {}): Promise<MailRenderer> {
    const built = await fs
      .readFile(file, "utf8")
      .then((json) => JSON.parse(json) as CompiledEmailsFile)
      .catch(() => null);
    if (built && built.sources === (await emailSourcesDigest(dir))) {
      const compiled: CompiledTemplates = new Map();
      for (const name of Object.keys(mailTemplates) as MailTemplateName[]) {
        const template = built.templates[name];
        if (!template) return MailRenderer.compile(site, dir);
        compiled.set(name, template);
      }
      return new MailRenderer(compiled, site);
    }
    return MailRenderer.compile(site, dir);
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
