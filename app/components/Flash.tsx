import { useLocation } from "@remix-run/react";
import { useState } from "react";

/**
 * The "done" message of redirectWithFlash (utils/flash.server.ts), handed over once by the root
 * loader. The live region is always on the page, so that screen readers announce what appears in it.
 *
 * The root's data outlives client-side navigation (its loader does not run again on every link), so
 * the message stays only on the page it arrived with: gone once the user moves on, even on Back.
 */
export function Flash({ flash }: { flash: { id: string; message: string } | null | undefined }) {
  const { key } = useLocation();
  const [shown, setShown] = useState(() => (flash ? { id: flash.id, key, left: false } : null));
  // Adjusting state while rendering (not in an effect), so the first render already shows the message.
  if (flash && shown?.id !== flash.id) setShown({ id: flash.id, key, left: false });
  else if (shown && !shown.left && shown.key !== key) setShown({ ...shown, left: true });
  const visible = flash && shown?.id === flash.id && !shown.left && shown.key === key;
  return (
    <div role="status" className="flash">
      {visible ? <p className="notice">{flash.message}</p> : null}
    </div>
  );
}
