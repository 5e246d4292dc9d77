import { useEffect, useState } from "react";

export type Scope = "all" | "partial";

/**
 * The 全ての商品を… / 一部の商品を… choice of the 解約 and 延長 forms. The per-line inputs matter only for
 * 一部の商品を…: with JavaScript they are disabled while 全ての商品を… is chosen — never in the server's HTML,
 * so that without JavaScript they can still be filled.
 */
export function useScope(initial: Scope | undefined): { linesOff: boolean; choose: (scope: Scope) => void } {
  const [chosen, choose] = useState<Scope>(initial ?? "all");
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    // A choice made before the page's JavaScript ran is in the DOM, not in the state: start from it.
    const picked = document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value;
    if (picked === "all" || picked === "partial") choose(picked);
    setHydrated(true);
  }, []);
  return { linesOff: hydrated && chosen === "all", choose };
}

/** The two radios named `mode`: 全ての商品を{verb} (value all) and 一部の商品を{verb} (value partial). */
export function ScopeChoice({
  legend,
  verb,
  initial,
  choose,
}: {
  legend: string;
  verb: string;
  initial: Scope | undefined;
  choose: (scope: Scope) => void;
}) {
  const mode = initial ?? "all";
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      <label className="inline">
        <input type="radio" name="mode" value="all" defaultChecked={mode === "all"} onChange={() => choose("all")} />{" "}
        全ての商品を{verb}
      </label>
      <label className="inline">
        <input
          type="radio"
          name="mode"
          value="partial"
          defaultChecked={mode === "partial"}
          onChange={() => choose("partial")}
        />{" "}
        一部の商品を{verb}
      </label>
    </fieldset>
  );
}
