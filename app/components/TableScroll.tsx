/**
 * A data table wider than a narrow screen scrolls inside this box, never the page. The box is a named
 * region (a labelled section) that takes the keyboard focus, so that keyboard users can scroll it too (axe
 * scrollable-region-focusable, WCAG 2.1.1).
 */
export function TableScroll({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
