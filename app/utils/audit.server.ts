/** 操作ログ's filter from the query string (the page's GET form, and its CSV link with the same query). */
export function auditFilterOf(params: URLSearchParams) {
  return {
    actor: params.get("actor") || undefined,
    loginId: params.get("loginId") || undefined,
    action: params.get("action") || undefined,
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
  };
}
