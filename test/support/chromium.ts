// Debian's Chromium for the browser tests, driven by playwright-core (its own browser downloads
// do not work here). A machine without it skips the browser tests and says so; .ci/run installs
// it, so CI always runs them.
import { existsSync } from "node:fs";

/** The Chromium to use: $CHROMIUM_PATH, or Debian's. */
export const chromiumPath: string | undefined = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (p): p is string => p !== undefined && p !== "" && existsSync(p),
);

/** Flags for a headless Chromium that asks the network for nothing (this machine's is closed). */
export const chromiumArgs = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

if (!chromiumPath) {
  console.warn(
    "\n*** browser tests SKIPPED: no Chromium found (install Debian's chromium, or set CHROMIUM_PATH; .ci/run installs it) ***\n",
  );
}
