// Owns the shareable URL: the graph being edited lives in the fragment as `#src=` followed by
// the base64url (RFC 4648 §5: `-` and `_`, no padding) of its UTF-8 text.

const PREFIX = "src=";

/** Text as base64url without padding. */
export function encodeSource(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Base64url (or plain base64, padded or not) back to text; undefined when it is not base64 or
 * not UTF-8, so a damaged link opens the default graph instead of garbage.
 */
export function decodeSource(encoded: string): string | undefined {
  const base64 = encoded.trim().replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(base64) || base64.length % 4 === 1) return undefined;
  try {
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The graph text a location's fragment carries, if it carries one. */
export function sourceFromHash(hash: string): string | undefined {
  const fragment = hash.replace(/^#/, "");
  const field = fragment.split("&").find((part) => part.startsWith(PREFIX));
  if (field === undefined) return undefined;
  let encoded: string;
  try {
    encoded = decodeURIComponent(field.slice(PREFIX.length));
  } catch {
    return undefined; // a damaged link (`%%`) opens the default graph, as any other undecodable one
  }
  return decodeSource(encoded);
}

/** The fragment that carries `text`. */
export function hashForSource(text: string): string {
  return `#${PREFIX}${encodeSource(text)}`;
}
