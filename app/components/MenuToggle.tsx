import { useEffect, useRef, useState } from "react";

/**
 * A menu that folds away behind a button on narrow screens (app.css, `.menu-toggle`), and is simply there
 * on wide ones. Progressive enhancement: the server renders the menu open and without the button, so
 * it works without JavaScript; once the page is hydrated the button appears (narrow screens only) with
 * aria-expanded, and the menu is closed until it is pressed. Escape or following a link closes it again.
 */
export function MenuToggle({
  id,
  label,
  className,
  children,
}: {
  id: string;
  label: string;
  className?: string;
  children: React.ReactNode;
}) {
  const [enhanced, setEnhanced] = useState(false);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setEnhanced(true), []);
  return (
    <div
      className={["menu-toggle", className].filter(Boolean).join(" ")}
      data-enhanced={enhanced || undefined}
      data-open={open || undefined}
    >
      {enhanced ? (
        <button
          ref={button}
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen((o) => !o)}
        >
          {label}
        </button>
      ) : null}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: Escape and link clicks bubble up from the menu's own controls. */}
      <div
        id={id}
        className="menu-panel"
        onKeyDown={(e) => {
          if (e.key === "Escape" && open) {
            setOpen(false);
            button.current?.focus();
          }
        }}
        onClick={(e) => {
          if ((e.target as HTMLElement).closest("a")) setOpen(false);
        }}
      >
        {children}
      </div>
    </div>
  );
}
