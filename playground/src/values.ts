// Owns the Values panel: an editable field for every input and param the graph gives a value
// (scalars as a number field with a slider, small tensors as nested arrays), and a field for
// each input without a default, so the picture can show a run. What the user typed is kept by
// name across edits of the graph, and forgotten when another example is opened.
import { fromNested, isTensor, toNested, type GraphModule, type Value, type ValueMeta } from "./gradc.js";

/** Tensors up to this many elements get an editable field; larger params come from init(). */
const EDITABLE = 64;

export interface RunValues {
  readonly inputs: Record<string, Value>;
  readonly params: Record<string, Value>;
  /** Inputs that have no value (no default and an empty field). */
  readonly missing: readonly string[];
  /** Fields that do not hold a value of the right kind. */
  readonly invalid: readonly string[];
}

export class ValuesPanel {
  /** The text of each field the user changed, by name. */
  private readonly edits = new Map<string, string>();
  private signature = "";
  private starting: Readonly<Record<string, unknown>> = {};

  constructor(
    private readonly root: HTMLElement,
    private readonly onChange: () => void,
  ) {}

  /** Forgets what the user typed, and gives inputs without defaults these starting values. */
  reset(starting: Readonly<Record<string, unknown>> = {}): void {
    this.edits.clear();
    this.starting = starting;
    this.signature = "";
  }

  /** Shows the fields of `module`'s values, params starting at `params` (rebuilt only when the values change). */
  show(module: GraphModule, params: Readonly<Record<string, Value>>): void {
    const values = [...module.meta.inputs.map((v) => ["input", v] as const), ...module.meta.params.map((v) => ["param", v] as const)];
    // Rebuilt when a value, its shape or its starting value changes (big params' are left out).
    const starts = [...Object.entries(module.defaults), ...Object.entries(params)].map(([name, v]) => [
      name,
      isTensor(v) && v.data.length > EDITABLE ? v.shape : toNested(v),
    ]);
    const signature = JSON.stringify([values, starts]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.root.replaceChildren(
      ...values.map(([kind, meta]) => this.field(kind, meta, kind === "input" ? module.defaults[meta.name] : params[meta.name])),
    );
    if (values.length === 0) this.root.textContent = "This graph has no inputs or params.";
  }

  /** The values the fields give, for one run. */
  read(): RunValues {
    const inputs: Record<string, Value> = {};
    const params: Record<string, Value> = {};
    const missing: string[] = [];
    const invalid: string[] = [];
    for (const input of this.root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("[data-value]")) {
      const name = input.dataset["value"]!;
      const kind = input.dataset["kind"]!;
      const text = input.value.trim();
      let value: Value | undefined;
      if (text !== "") {
        try {
          value = fromNested(JSON.parse(text));
        } catch {
          value = undefined;
        }
        if (value === undefined) invalid.push(name);
      } else if (kind === "input") missing.push(name);
      input.setAttribute("aria-invalid", String(text !== "" && value === undefined));
      if (value !== undefined) (kind === "input" ? inputs : params)[name] = value;
    }
    return { inputs, params, missing, invalid };
  }

  private field(kind: "input" | "param", meta: ValueMeta, initial: Value | undefined): HTMLElement {
    const row = document.createElement("div");
    row.className = "value-row";
    const id = `value-${kind}-${meta.name}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = `${kind} ${meta.name}${meta.shape.length > 0 ? `: [${meta.shape.join(", ")}]` : ""}`;
    row.append(label);
    const size = meta.shape.reduce<number>((n, d) => n * (typeof d === "number" ? d : Infinity), 1);
    const starting = kind === "input" && initial === undefined ? this.starting[meta.name] : undefined;
    const text = this.edits.get(meta.name) ?? (initial !== undefined ? JSON.stringify(toNested(initial)) : starting !== undefined ? JSON.stringify(starting) : "");
    if (kind === "param" && size > EDITABLE) {
      const note = document.createElement("span");
      note.id = id;
      note.className = "note";
      note.textContent = `${isTensor(initial) ? initial.data.length : "?"} values from init(0)`;
      row.append(note);
      return row;
    }
    const remember = (value: string): void => {
      this.edits.set(meta.name, value);
      this.onChange();
    };
    if (meta.shape.length === 0) {
      const number = document.createElement("input");
      number.type = "number";
      number.id = id;
      number.step = "any";
      number.value = text;
      number.dataset["value"] = meta.name;
      number.dataset["kind"] = kind;
      const slider = document.createElement("input");
      slider.type = "range";
      slider.setAttribute("aria-label", `${meta.name} (slider)`);
      // From 0 to twice the starting value (-1 to 1 around 0); the number field takes any value.
      const base = typeof initial === "number" ? initial : Number(text) || 0;
      const [min, max] = base === 0 ? [-1, 1] : base > 0 ? [0, 2 * base] : [2 * base, 0];
      slider.min = String(min);
      slider.max = String(max);
      slider.step = String((max - min) / 200);
      slider.value = text === "" ? String(base) : text;
      number.addEventListener("input", () => {
        slider.value = number.value;
        remember(number.value);
      });
      slider.addEventListener("input", () => {
        number.value = slider.value;
        remember(slider.value);
      });
      row.append(number, slider);
      return row;
    }
    const area = document.createElement("textarea");
    area.id = id;
    area.rows = Math.min(6, Math.max(1, Math.ceil(text.length / 60)));
    area.spellcheck = false;
    area.value = text;
    area.placeholder = kind === "input" && initial === undefined ? "no default: nested arrays, e.g. [[1, 2, 3]]" : "";
    area.dataset["value"] = meta.name;
    area.dataset["kind"] = kind;
    area.addEventListener("input", () => remember(area.value));
    row.append(area);
    return row;
  }
}
