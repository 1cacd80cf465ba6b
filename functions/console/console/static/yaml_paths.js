// Where a field lives in a rule's YAML text, so the form view can read and change one
// scalar in place and keep everything else (comments, order, layout) as the marketer wrote
// it, and so a problem's path ("actions[0].offer_sample.message") can name its line.
// Block-style mappings and sequences only; a value that is not a one-line scalar (a
// list, a folded block) is left to the YAML view.

const KEY = /^([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$/;

/** "actions[0].offer_sample.message" -> ["actions", 0, "offer_sample", "message"] */
export function parsePath(path) {
  const parts = [];
  for (const piece of String(path).split(".")) {
    const match = piece.match(/^([^[\]]*)((?:\[\d+\])*)$/);
    if (!match) return [piece];
    if (match[1]) parts.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

export function pathText(parts) {
  return parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
}

/** Every mapping key line of the text: {path, line, valueStart, value (raw, may be "")}. */
export function index(text) {
  const lines = text.split("\n");
  const stack = []; // {indent, path, key: bool, empty: bool}
  const counters = new Map();
  const found = [];
  lines.forEach((line, number) => {
    const stripped = line.replace(/\s+$/, "");
    const content = stripped.trimStart();
    if (!content || content.startsWith("#") || content === "---") return;
    let indent = stripped.length - content.length;
    let rest = content;
    let offset = indent;
    if (rest === "-" || rest.startsWith("- ")) {
      while (stack.length && stack[stack.length - 1].indent > indent) stack.pop();
      let parent = stack[stack.length - 1];
      if (!(parent && parent.indent === indent && parent.key && parent.empty)) {
        while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
        parent = stack[stack.length - 1];
      }
      const parentPath = parent ? parent.path : [];
      const seqKey = JSON.stringify(parentPath);
      const n = counters.has(seqKey) ? counters.get(seqKey) + 1 : 0;
      counters.set(seqKey, n);
      const itemPath = [...parentPath, n];
      stack.push({ indent: indent + 1, path: itemPath, key: false, empty: false });
      const after = rest.slice(1);
      const spaces = after.length - after.trimStart().length;
      rest = after.trimStart();
      offset = indent + 1 + spaces;
      indent = offset;
      if (!rest) return;
    }
    const match = rest.match(KEY);
    if (!match) return;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    const parentPath = stack.length ? stack[stack.length - 1].path : [];
    const path = [...parentPath, match[1]];
    const value = match[2] === undefined ? "" : match[2];
    const valueStart = value ? offset + rest.length - value.length : stripped.length;
    found.push({ path: pathText(path), line: number, valueStart, value });
    stack.push({ indent, path, key: true, empty: !value || value.startsWith("#") });
    // a key re-opened resets the list counters below it
    counters.delete(JSON.stringify(path));
  });
  return found;
}

function splitComment(raw) {
  // the value and a trailing " # comment" (outside quotes)
  let quote = null;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i];
    if (quote) {
      if (c === "\\" && quote === '"') i += 1;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === "#" && i > 0 && /\s/.test(raw[i - 1])) return [raw.slice(0, i).trimEnd(), raw.slice(i - (raw.slice(0, i).length - raw.slice(0, i).trimEnd().length))];
  }
  return [raw.trimEnd(), ""];
}

/** The one-line scalar at a path: a string, number, boolean or null; undefined when the
 * path is not in the text or its value is not a one-line scalar. */
export function read(text, path) {
  const entry = index(text).find((e) => e.path === path);
  if (!entry) return undefined;
  const [value] = splitComment(entry.value);
  if (!value || /^[|>[{&*!#]/.test(value)) return undefined;
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value.startsWith("'")) return value.endsWith("'") && value.length > 1 ? value.slice(1, -1).replace(/''/g, "'") : undefined;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  if (/^(null|~)$/i.test(value)) return null;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

function scalar(value) {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  const text = String(value);
  const plain = text && !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/(:\s|\s#|:$|\s$)/.test(text) && !/^(true|false|null|~|yes|no|on|off|-?\d[\d.eE+-]*)$/i.test(text) && !/[\n\t]/.test(text);
  return plain ? text : JSON.stringify(text);
}

/** The text with the scalar at `path` replaced (its comment kept); null when the path is
 * not a one-line scalar in the text. */
export function write(text, path, value) {
  if (read(text, path) === undefined) return null;
  const entry = index(text).find((e) => e.path === path);
  const lines = text.split("\n");
  const line = lines[entry.line];
  const [, comment] = splitComment(entry.value);
  lines[entry.line] = line.slice(0, entry.valueStart) + scalar(value) + comment;
  return lines.join("\n");
}

/** The 1-based line of a path, or of its nearest ancestor that is in the text. */
export function lineOf(text, path) {
  const entries = index(text);
  let parts = parsePath(path);
  while (parts.length) {
    const wanted = pathText(parts);
    const entry = entries.find((e) => e.path === wanted);
    if (entry) return entry.line + 1;
    parts = parts.slice(0, -1);
  }
  return null;
}
