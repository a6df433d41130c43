// The playground page: an editor on the left and panels on the right that follow the text. On
// each edit (debounced) the graph is compiled once with every value observed and run forward and
// backward with the Values panel's numbers, and the picture is redrawn; the other panels are
// computed when they are shown. The text lives in the URL (`#src=`), so a link shares it.
import "./style.css";
import type { EditorView } from "@codemirror/view";
import { createEditor } from "./editor.js";
import { emit, graphDot, loadModule, renderSvg, runPicture, type Graph, type GraphModule, type PictureValues, type Value } from "./gradc.js";
import { generatedCode, showCheck, showGradient, type CodeChoice } from "./panels.js";
import { setUpTabs } from "./tabs.js";
import { TrainPanel } from "./training.js";
import { hashForSource, sourceFromHash } from "./url.js";
import { ValuesPanel } from "./values.js";

const examples = import.meta.glob<string>("../../examples/*.graph", { query: "?raw", import: "default", eager: true });
/** Values for the examples' inputs that have no default, as the gallery draws them. */
const galleryInputs = import.meta.glob<Record<string, unknown>>("../../docs/gallery/inputs/*.json", { import: "default", eager: true });
const exampleName = (path: string): string => path.replace(/^.*\/|\.[^.]+$/g, "");
const exampleSources = new Map(Object.entries(examples).map(([path, text]) => [exampleName(path), text]));
const startingInputs = new Map(Object.entries(galleryInputs).map(([path, values]) => [exampleName(path), values]));

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
/**
 * What the page measured, for the tests and the curious: milliseconds from the page's start to
 * the first picture, and from the latest edit (before the debounce) to its picture.
 */
const stats: { firstPicture?: number; lastUpdate?: number; pictures: number } = { pictures: 0 };
let editedAt: number | undefined;
Object.assign(window, { playground: stats });

/** The compiled graph the panels show, from the latest text that compiled. */
interface Compiled {
  readonly graph: Graph;
  readonly module: GraphModule;
  /** `init(0)`, made once per compilation (a big net's initializers take a while). */
  readonly params: Readonly<Record<string, Value>>;
}
let compiled: Compiled | undefined;
let generation = 0;
/** The panels computed on demand whose text changed since they were last shown. */
const stale = new Set<string>(["tab-gradient", "tab-code", "tab-check"]);

const values = new ValuesPanel($("values-fields"), () => {
  editedAt = performance.now();
  void redraw();
});
const train = new TrainPanel(
  {
    form: $("train-form"),
    start: $("train-start"),
    stop: $("train-stop"),
    progress: $("train-progress"),
    status: $("train-status"),
    lossChart: $("loss-chart"),
    accuracyChart: $("accuracy-chart"),
  },
  () => editor.state.doc.toString(),
);
const tabs = setUpTabs($("tabs"), (id) => void refresh(id));

// The examples menu.
const menu = $<HTMLSelectElement>("examples");
for (const name of [...exampleSources.keys()].sort()) menu.add(new Option(`${name}.graph`, name));
menu.addEventListener("change", () => {
  const text = exampleSources.get(menu.value);
  if (text !== undefined) open(text, menu.value);
});

// Offline use: the built site's service worker (public/sw.js) caches it once the page has opened.
if (__OFFLINE__ && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("./sw.js").catch((e: unknown) => console.info(`The page will not work offline: ${String(e)}`));
}

const initial = sourceFromHash(location.hash) ?? exampleSources.get("apple") ?? "";
const editor: EditorView = createEditor($("editor"), initial, (text) => changed(text));
syncMenu(initial);
values.reset(startingInputs.get(menu.value) ?? {});
void update(initial);

window.addEventListener("hashchange", () => {
  const text = sourceFromHash(location.hash);
  if (text !== undefined && text !== editor.state.doc.toString()) open(text, undefined);
});
for (const id of ["draw-backward", "draw-expand"]) $(id).addEventListener("change", () => void redraw());
$("draw-fit").addEventListener("change", () => $("picture").classList.toggle("fit", $<HTMLInputElement>("draw-fit").checked));
for (const id of ["code-lang", "code-target", "code-dtype"]) {
  $(id).addEventListener("change", () => {
    stale.add("tab-code");
    void refresh("tab-code");
  });
}
$("code-download").addEventListener("click", () => void download());

/** Shows another graph (an example, or a link's). */
function open(text: string, example: string | undefined): void {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  values.reset(startingInputs.get(example ?? "") ?? {});
  syncMenu(text);
}

/** Selects the example whose text is shown, if one is. */
function syncMenu(text: string): void {
  menu.value = [...exampleSources].find(([, t]) => t === text)?.[0] ?? "";
}

/** Milliseconds without a keystroke before the text is compiled again. */
const DEBOUNCE = 40;
let pending: ReturnType<typeof setTimeout> | undefined;
function changed(text: string): void {
  editedAt = performance.now();
  clearTimeout(pending);
  pending = setTimeout(() => void update(text), DEBOUNCE);
}

/** After an edit: the URL, then compile, run and draw; the panel on show is recomputed. */
async function update(text: string): Promise<void> {
  history.replaceState(null, "", hashForSource(text));
  const mine = ++generation;
  const result = emit(text, { observe: true, lang: "js" });
  for (const id of ["tab-gradient", "tab-code", "tab-check"]) stale.add(id);
  if (!result.code || !result.graph) {
    setStatus("The graph has errors; the picture shows the last graph that compiled.");
    train.explain(undefined);
    return;
  }
  const module = await loadModule(result.code);
  if (mine !== generation) return;
  compiled = { graph: result.graph, module, params: module.init(0) };
  values.show(module, compiled.params);
  train.explain(module.meta.inputs);
  await redraw();
  void refresh(tabs.selected());
}

function setStatus(text: string): void {
  $("picture-status").textContent = text;
}

/** Runs the compiled graph with the Values panel's numbers and draws it. */
async function redraw(): Promise<void> {
  if (!compiled) return;
  const { graph, module, params } = compiled;
  const mine = generation;
  const given = values.read();
  let numbers: PictureValues | undefined;
  let status = "Each value above its edge, its gradient below (red).";
  if (given.invalid.length > 0) status = `Not a number or nested arrays of numbers: ${given.invalid.join(", ")} (see Values).`;
  else if (given.missing.length > 0) status = `No values drawn: ${given.missing.join(", ")} ${given.missing.length === 1 ? "has" : "have"} no value (give one in Values).`;
  else {
    try {
      numbers = runPicture(module, graph, given.inputs, { ...params, ...given.params });
    } catch (e) {
      status = e instanceof Error && e.name === "InputError" ? e.message : `The run failed: ${String(e)}`;
    }
  }
  const dot = graphDot(graph, {
    values: numbers,
    backward: $<HTMLInputElement>("draw-backward").checked,
    expand: $<HTMLInputElement>("draw-expand").checked,
  });
  const svg = await renderSvg(dot);
  if (mine !== generation) return;
  $("picture").innerHTML = svg; // Graphviz's SVG: the graph's names are escaped as XML text.
  setStatus(status);
  stats.pictures++;
  stats.firstPicture ??= performance.now();
  if (editedAt !== undefined) stats.lastUpdate = performance.now() - editedAt;
  editedAt = undefined;
}

/**
 * Recomputes the panel `id` if the text changed since it was last shown. The Code and Check
 * panels wait (for Prettier, for the module to load): they show nothing if the text changed meanwhile.
 */
async function refresh(id: string): Promise<void> {
  if (!stale.has(id)) return;
  const source = editor.state.doc.toString();
  stale.delete(id);
  if (id === "tab-gradient") showGradient($("gradient-text"), source);
  if (id === "tab-code") {
    const code = await generatedCode(source, codeChoice());
    if (source !== editor.state.doc.toString()) return;
    $("code-text").textContent = code?.text ?? "The graph has errors; see the editor.";
    $<HTMLButtonElement>("code-download").disabled = !code;
  }
  if (id === "tab-check") {
    $("check-summary").textContent = "Checking…";
    await showCheck($<HTMLTableSectionElement>("check-rows"), $("check-summary"), source, () => source === editor.state.doc.toString());
  }
}

function codeChoice(): CodeChoice {
  return {
    lang: $<HTMLSelectElement>("code-lang").value as CodeChoice["lang"],
    target: $<HTMLSelectElement>("code-target").value as CodeChoice["target"],
    dtype: $<HTMLSelectElement>("code-dtype").value as CodeChoice["dtype"],
  };
}

/** Saves the module as shown, named after the graph. */
async function download(): Promise<void> {
  const choice = codeChoice();
  const code = await generatedCode(editor.state.doc.toString(), choice);
  if (!code) return;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([code.text], { type: "text/plain" }));
  link.download = `${code.graph}.${choice.lang}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
