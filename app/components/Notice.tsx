/** A polite confirmation that something worked ("パスワードを変更しました。"). */
export function Notice({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <output className="notice" aria-live="polite">
      {message}
    </output>
  );
}
