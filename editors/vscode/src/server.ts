// Which command runs the gradc language server. Kept apart from the VS Code API so that it can be
// tested in plain Node: everything it reads from VS Code and the machine comes in as `Context`.
import * as path from "node:path";

export interface Context {
  /** The `gradc.server.path` setting ("" when unset). */
  readonly setting: string;
  /** The workspace folders' paths, in order. */
  readonly folders: readonly string[];
  /** Whether the user trusts the workspace: only then may its own gradc run. */
  readonly trusted: boolean;
  readonly platform: NodeJS.Platform;
  /** The PATH and, on Windows, PATHEXT. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isFile: (file: string) => boolean;
}

export interface ServerCommand {
  /** What to run; `gradc lsp` is `command` with `args`. */
  readonly command: string;
  readonly args: readonly string[];
  /** Windows runs `.cmd` shims (npm's node_modules/.bin) only through a shell. */
  readonly shell: boolean;
  /** Where `command` came from, for the output channel. */
  readonly from: "the gradc.server.path setting" | "the workspace's node_modules" | "the PATH";
}

/** The command that starts the server, or undefined when no gradc is to be found. */
export function serverCommand(context: Context): ServerCommand | undefined {
  const p = context.platform === "win32" ? path.win32 : path.posix;
  const make = (command: string, from: ServerCommand["from"]): ServerCommand => {
    const shell = context.platform === "win32" && /\.(cmd|bat)$/i.test(command);
    return { command: shell ? `"${command}"` : command, args: ["lsp"], shell, from };
  };
  const setting = context.setting.trim();
  if (setting !== "") {
    // "gradc" is a command looked up on the PATH; "bin/gradc" a path inside the workspace.
    const relative = !p.isAbsolute(setting) && /[\\/]/.test(setting) && context.folders[0] !== undefined;
    return make(relative ? p.resolve(context.folders[0]!, setting) : setting, "the gradc.server.path setting");
  }
  if (context.trusted) {
    const shim = context.platform === "win32" ? "gradc.cmd" : "gradc";
    for (const folder of context.folders) {
      const local = p.join(folder, "node_modules", ".bin", shim);
      if (context.isFile(local)) return make(local, "the workspace's node_modules");
    }
  }
  const onPath = findOnPath("gradc", context);
  return onPath === undefined ? undefined : make(onPath, "the PATH");
}

/** The file the shell would run for `name`, searching the PATH (and PATHEXT on Windows). */
export function findOnPath(name: string, context: Pick<Context, "platform" | "env" | "isFile">): string | undefined {
  const windows = context.platform === "win32";
  const p = windows ? path.win32 : path.posix;
  const pathVar = (windows ? (context.env.Path ?? context.env.PATH) : context.env.PATH) ?? "";
  const extensions = windows ? (context.env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "") : [""];
  for (const dir of pathVar.split(p.delimiter)) {
    if (dir === "") continue;
    for (const ext of extensions) {
      const candidate = p.join(dir, name + ext.toLowerCase());
      if (context.isFile(candidate)) return candidate;
    }
  }
  return undefined;
}
