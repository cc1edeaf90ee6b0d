/**
 * One metric's curve as inline SVG. By hand: the series is at most 50 points (get_training_metrics
 * downsamples), and a chart library would be most of the page's weight for one polyline and two axes.
 */
const SVG = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 180;
const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Short number for an axis label: 0.000123 -> 1.23e-4, 12345 -> 12345, 0.4123 -> 0.412. */
export function short(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e6 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

export function lineChart(name: string, series: Array<[number, number]>, xLabel: string): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${name} by ${xLabel}`, class: 'chart', 'data-points': series.length });
  if (series.length === 0) return root;
  const xs = series.map(([x]) => x);
  const ys = series.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => PAD.left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);

  root.append(
    svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'axis' }),
    svg('text', { x: PAD.left - 6, y: PAD.top + 10, 'text-anchor': 'end', class: 'tick' }, short(y1)),
    svg('text', { x: PAD.left - 6, y: H - PAD.bottom, 'text-anchor': 'end', class: 'tick' }, short(y0)),
    svg('text', { x: PAD.left, y: H - 6, class: 'tick' }, `${xLabel} ${x0}`),
    svg('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end', class: 'tick' }, String(x1)),
    svg('polyline', { points: series.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' '), class: 'line' }),
  );
  for (const [x, y] of series) {
    const dot = svg('circle', { cx: px(x).toFixed(1), cy: py(y).toFixed(1), r: 2.5, class: 'dot' });
    dot.append(svg('title', {}, `${xLabel} ${x}: ${name} ${y}`));
    root.append(dot);
  }
  return root;
}
