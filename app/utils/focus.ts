import { useEffect, useRef } from "react";

/**
 * A confirmation step's heading takes the focus when the step opens, so keyboard and screen-reader users
 * start at what is asked (put `tabIndex={-1}` on the heading).
 */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
