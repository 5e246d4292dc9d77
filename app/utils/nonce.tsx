import { createContext, useContext } from "react";

const NonceContext = createContext<string>("");

/** The per-request CSP nonce, given by the server (server/security.ts) to every inline script. */
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
