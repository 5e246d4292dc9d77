/**
 * A CSV download streamed a keyset chunk at a time (申込履歴, 操作ログ), so a long list is never held whole:
 * `first` is read before the answer starts (a refused request is still an error page, not a broken download),
 * then `next(cursor)` as the browser takes the body.
 */
export function csvDownload(
  first: { text: string; nextCursor: string | null },
  next: (cursor: string) => Promise<{ text: string; nextCursor: string | null }>,
  filenames: { ascii: string; japanese: string },
): Response {
  const encoder = new TextEncoder();
  let cursor = first.nextCursor;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first.text));
      if (!cursor) controller.close();
    },
    async pull(controller) {
      if (!cursor) return;
      const chunk = await next(cursor);
      controller.enqueue(encoder.encode(chunk.text));
      cursor = chunk.nextCursor;
      if (!cursor) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filenames.ascii}"; filename*=UTF-8''${encodeURIComponent(filenames.japanese)}`,
      "Cache-Control": "no-store",
    },
  });
}
