// Owns showing the language service's Markdown (hover and completion documentation): fenced code
// as preformatted text, `code` spans as code, the rest as paragraphs. Text only, never HTML, so
// nothing in a graph file can inject markup.
export function renderMarkdown(markdown: string): HTMLElement[] {
  const out: HTMLElement[] = [];
  const parts = markdown.split(/^```[^\n]*\n([\s\S]*?)^```\s*$/m);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const pre = document.createElement("pre");
      pre.textContent = part.replace(/\n$/, "");
      out.push(pre);
      return;
    }
    for (const paragraph of part.split(/\n\s*\n/)) {
      if (paragraph.trim() === "") continue;
      const p = document.createElement("p");
      paragraph.split(/(`[^`]+`)/).forEach((piece) => {
        if (piece.startsWith("`") && piece.endsWith("`") && piece.length > 1) {
          const code = document.createElement("code");
          code.textContent = piece.slice(1, -1);
          p.append(code);
        } else {
          p.append(piece.replaceAll("**", ""));
        }
      });
      out.push(p);
    }
  });
  return out;
}
