import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * BIZ UDGothic (Morisawa, SIL Open Font License 1.1; ADR 023), from its npm package: resolved at run time
 * (the server build leaves packages in node_modules), read once, subset-embedded by pdfkit into each PDF.
 */
const require = createRequire(import.meta.url);
const FILES = {
  regular: "@expo-google-fonts/biz-udgothic/400Regular/BIZUDGothic_400Regular.ttf",
  bold: "@expo-google-fonts/biz-udgothic/700Bold/BIZUDGothic_700Bold.ttf",
} as const;

let loaded: { regular: Buffer; bold: Buffer } | undefined;

/** The two TrueType files (about 4.5 MB each), read on first use and kept. */
export function documentFonts(): { regular: Buffer; bold: Buffer } {
  if (!loaded) {
    try {
      loaded = {
        regular: readFileSync(require.resolve(FILES.regular)),
        bold: readFileSync(require.resolve(FILES.bold)),
      };
    } catch (error) {
      throw new Error(
        `the documents' font is missing (${FILES.regular}): run npm install. ${error instanceof Error ? error.message : ""}`,
      );
    }
  }
  return loaded;
}
