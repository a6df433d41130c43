// Owns `--watch`: watching graph files (chokidar, loaded only here) and calling back for each one
// that changes, once it has been quiet for a moment (editors save in bursts: truncate, write,
// rename), one call at a time, until Ctrl-C.
import { resolve } from "node:path";
import type { Io } from "./io.js";

/** How long a file must stay unchanged before it is compiled. */
export const QUIET_MS = 100;

export interface WatchCallbacks {
  /** Once every file is watched, so that no change made after it is missed. */
  ready(): Promise<void>;
  /** After a file (as given on the command line) changed or came back. */
  changed(file: string): Promise<void>;
}

/** Watches `files` until Ctrl-C; resolves then, after the call under way has finished. */
export async function watchFiles(io: Io, files: readonly string[], callbacks: WatchCallbacks): Promise<void> {
  const { watch } = await import("chokidar");
  // chokidar names files its own way (`./a.graph` → `a.graph`): map them back by full path.
  const given = new Map(files.map((f) => [resolve(f), f]));
  const watcher = watch([...given.values()], { ignoreInitial: true });
  await new Promise<void>((done, fail) => {
    watcher.once("ready", done);
    watcher.once("error", fail);
  });

  let failed: (e: unknown) => void = () => {};
  let stop: () => void = () => {};
  const stopped = new Promise<void>((done, fail) => {
    stop = done;
    failed = fail;
  });
  // One call at a time, in order; a bug in one ends the watch (and reaches the top as one).
  let queue = Promise.resolve();
  const enqueue = (call: () => Promise<void>) => {
    queue = queue.then(call).catch(failed);
  };
  const timers = new Map<string, NodeJS.Timeout>();
  const schedule = (path: string) => {
    const file = given.get(resolve(path)) ?? path;
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        enqueue(() => callbacks.changed(file));
      }, QUIET_MS),
    );
  };
  watcher.on("change", schedule);
  watcher.on("add", schedule);
  watcher.on("unlink", (path) => {
    const file = given.get(resolve(path)) ?? path;
    io.err(`${file}: removed; its output is kept, and it is compiled again when it comes back.\n`);
  });
  watcher.on("error", (e) => io.err(`gradc: watching failed: ${e instanceof Error ? e.message : String(e)}\n`));

  enqueue(async () => {
    await callbacks.ready();
    const what = files.length === 1 ? files[0]! : `${files.length} graph files`;
    io.out(`watching ${what} for changes (Ctrl-C stops)\n`);
  });
  const interrupted = () => stop();
  process.once("SIGINT", interrupted);
  try {
    await stopped;
  } finally {
    process.removeListener("SIGINT", interrupted);
    for (const timer of timers.values()) clearTimeout(timer);
    await watcher.close();
    await queue;
  }
}
