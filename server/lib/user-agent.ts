/**
 * A short, human description of a browser for the login notice ("Chrome 131 (Windows)").
 * Not a full parser: the notice only needs to let a customer recognise their own device.
 */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return "不明";
  const browser =
    match(ua, /Edg(?:e|A|iOS)?\/(\d+)/, "Edge") ??
    match(ua, /OPR\/(\d+)/, "Opera") ??
    match(ua, /Firefox\/(\d+)/, "Firefox") ??
    match(ua, /FxiOS\/(\d+)/, "Firefox") ??
    match(ua, /CriOS\/(\d+)/, "Chrome") ??
    match(ua, /HeadlessChrome\/(\d+)/, "HeadlessChrome") ??
    match(ua, /Chrom(?:e|ium)\/(\d+)/, "Chrome") ??
    match(ua, /Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, "Safari") ??
    firstToken(ua);
  const os = /Windows/.test(ua)
    ? "Windows"
    : /iPhone|iPad|iPod/.test(ua)
      ? "iOS"
      : /Mac OS X|Macintosh/.test(ua)
        ? "macOS"
        : /Android/.test(ua)
          ? "Android"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : null;
  return os ? `${browser} (${os})` : browser;
}

function match(ua: string, re: RegExp, name: string): string | null {
  const m = re.exec(ua);
  return m ? `${name} ${m[1]}` : null;
}

function firstToken(ua: string): string {
  return ua.split(/[\s/]/, 1)[0]?.slice(0, 40) || "不明";
}
