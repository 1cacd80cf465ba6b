// Bar charts as inline SVG, drawn here (no library, nothing fetched). Each chart is a
// <figure> with a caption, an SVG (role img, its numbers in a <title>) and the same
// numbers as a table for screen readers and for copying.

import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function nice(max) {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/** series: [{name, values: [number|null], format?}]; categories: labels along the x axis. */
export function barChart({ title, categories, series, format = (v) => String(v) }) {
  const width = 560;
  const height = 280;
  const left = 56;
  const bottom = 56;
  const top = 12;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const all = series.flatMap((s) => s.values.map((v) => v ?? 0));
  const max = nice(Math.max(0, ...all));
  const group = plotW / Math.max(categories.length, 1);
  const barW = Math.max(2, Math.min(28, (group * 0.8) / series.length));
  const summary = categories.map((c, i) => `${c}: ${series.map((s) => `${s.name} ${format(s.values[i] ?? 0)}`).join(", ")}`).join("; ");
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart", "aria-label": `${title}. ${summary}` }, svg("title", {}, `${title}. ${summary}`));
  for (let i = 0; i <= 4; i += 1) {
    const value = (max * i) / 4;
    const y = top + plotH - (plotH * i) / 4;
    chart.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid" }), svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, format(Number(value.toFixed(2)))));
  }
  categories.forEach((category, i) => {
    const x0 = left + group * i + (group - barW * series.length) / 2;
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const hgt = (plotH * v) / max;
      chart.append(svg("rect", { x: x0 + j * barW, y: top + plotH - hgt, width: barW - 1, height: Math.max(hgt, v ? 1 : 0), class: `col s${j}` }, svg("title", {}, `${category}, ${s.name}: ${format(v)}`)));
    });
    const every = Math.ceil(categories.length / 10);
    if (i % every === 0) {
      const label = String(category).length > 14 ? `${String(category).slice(0, 13)}…` : String(category);
      chart.append(svg("text", { x: left + group * i + group / 2, y: height - bottom + 16, class: "axis", "text-anchor": "middle" }, label));
    }
  });
  chart.append(svg("line", { x1: left, x2: width - 8, y1: top + plotH, y2: top + plotH, class: "baseline" }));
  const legend = h("ul", { class: "legend" }, series.map((s, j) => h("li", {}, h("span", { class: `swatch s${j}`, "aria-hidden": "true" }), s.name)));
  const table = h(
    "table",
    { class: "numbers-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), series.map((s) => h("th", { scope: "col" }, s.name)))),
    h("tbody", {}, categories.map((c, i) => h("tr", {}, h("th", { scope: "row" }, c), series.map((s) => h("td", { class: "num" }, s.values[i] === null || s.values[i] === undefined ? "–" : format(s.values[i])))))),
  );
  return h("figure", { class: "chart-box" }, h("figcaption", {}, title), chart, legend, h("details", {}, h("summary", {}, `${title}: the numbers`), h("div", { class: "scroll" }, table)));
}
