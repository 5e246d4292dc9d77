/**
 * A CSV download streamed a keyset chunk at a time (申込履歴, 操作ログ), so a long list is never held whole:
 * `first` is read before the answer starts (a refused request is still an error page, not a broken download),
 * then `next(cursor)` as the browser takes the body (Remix's adapter reads the body only as fast as the response
 * takes it: patches/, docs/decisions/027). Chunks are Buffers, which the compression middleware takes as they are
 * (any other Uint8Array it copies first).
 */
export function csvDownload(
  first: { text: string; nextCursor: string | null },
  next: (cursor: string) => Promise<{ text: string; nextCursor: string | null }>,
  filenames: { ascii: string; japanese: string },
): Response {
  let cursor = first.nextCursor;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Buffer.from(first.text));
      if (!cursor) controller.close();
    },
    async pull(controller) {
      if (!cursor) return;
      const chunk = await next(cursor);
      controller.enqueue(Buffer.from(chunk.text));
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
