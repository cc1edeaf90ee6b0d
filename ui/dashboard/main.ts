/**
 * The job dashboard (an MCP App): opened by a job tool's result, it follows that training or
 * optimization job through the server's own tools, called via the host, until the job ends.
 * Everything shown comes from tool results and is set as text (never parsed as HTML): log lines
 * and job names are the user's data.
 */
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import type { ExperimentDetail } from '../../src/tools/optimizer/views.js';
import type { TrainingEvents } from '../../src/tools/trainer/get_training_events.js';
import type { TrainingLogs } from '../../src/tools/trainer/get_training_logs.js';
import type { TrainingMetrics } from '../../src/tools/trainer/get_training_metrics.js';
import type { JobDetail, TrainerProgress } from '../../src/tools/trainer/views.js';
import { lineChart, short } from './chart.js';
import { HostConnection, type ToolResult } from './host.js';

const POLL_MS = 2_000;
const LOG_LINES = 40;
const EVENTS = 8;
const TERMINAL = new Set(['Complete', 'Failed']);

interface Target {
  kind: 'training' | 'optimization';
  name: string;
  namespace?: string;
}

const state = {
  args: {} as Record<string, unknown>,
  target: undefined as Target | undefined,
  step: 'node-0',
  /** The metric the user picked; until then the page picks (see defaultMetric). */
  metric: undefined as string | undefined,
  timer: undefined as number | undefined,
  stopped: false,
};

const $ = (id: string) => document.getElementById(id)!;

function el(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string | undefined>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

function textOf(r: ToolResult): string {
  return (r.content ?? []).map((b) => (b.type === 'text' ? b.text : '')).join('\n');
}

async function tool<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const r = await host.callTool(name, args);
  if (r.isError || !r.structuredContent) throw new Error(textOf(r) || `${name} returned nothing`);
  return r.structuredContent as T;
}

function show(id: string, ...children: Array<Node | string>): void {
  $(id).replaceChildren(...children);
}

function problem(id: string, err: unknown): void {
  show(id, el('p', { class: 'muted' }, (err as Error).message));
}

/** A panel shows its tool's result, or why there is none. */
function settle<T, R>(result: PromiseSettledResult<T>, id: string, render: (value: T) => R): R | undefined {
  if (result.status === 'fulfilled') return render(result.value);
  problem(id, result.reason);
  return undefined;
}

/** The job's name and namespace, as every tool the page calls takes them. */
function jobArgs(t: Target): Record<string, unknown> {
  return { name: t.name, ...(t.namespace ? { namespace: t.namespace } : {}) };
}

function logsOf(t: Target, step: string): Promise<TrainingLogs> {
  return tool<TrainingLogs>('get_training_logs', { ...jobArgs(t), step, tail: LOG_LINES });
}

// ---- what the tool result asked for ----------------------------------------------------------

/** The shapes of the tools that open the page: a job detail, an experiment detail, or metrics. */
type Opened = Partial<JobDetail> & Partial<ExperimentDetail>;

function targetOf(result: ToolResult): Target | undefined {
  const sc = result.structuredContent as Opened | undefined;
  const namespace = typeof state.args.namespace === 'string' ? state.args.namespace : undefined;
  if (sc?.job?.name) return { kind: 'training', name: sc.job.name, namespace: sc.job.namespace ?? namespace };
  if (sc?.experiment?.name) return { kind: 'optimization', name: sc.experiment.name, namespace };
  // get_training_metrics names no job in its result: the call's arguments do.
  if (typeof state.args.name === 'string') return { kind: 'training', name: state.args.name, namespace };
  return undefined;
}

function onResult(result: ToolResult): void {
  if (result.isError) {
    show('banner', el('p', { class: 'error' }, textOf(result)));
    return;
  }
  const target = targetOf(result);
  if (!target) return show('banner', el('p', { class: 'muted' }, 'This result names no job to follow.'));
  state.target = target;
  document.body.dataset.kind = target.kind;
  show('title', el('span', {}, target.name), el('span', { class: 'muted' }, target.namespace ? `  ·  ${target.namespace}` : ''));
  const sc = result.structuredContent as Opened | undefined;
  if (target.kind === 'training' && sc?.job) renderJob(sc as JobDetail);
  if (target.kind === 'optimization' && sc?.experiment) renderExperiment(sc as ExperimentDetail);
  void refresh();
}

// ---- polling ---------------------------------------------------------------------------------

async function refresh(): Promise<void> {
  const t = state.target;
  if (!t || state.stopped) return;
  window.clearTimeout(state.timer);
  const at = jobArgs(t);
  let status: string | undefined;
  if (t.kind === 'training') {
    const [job, metrics, logs, events] = await Promise.allSettled([
      tool<JobDetail>('get_training_job', at),
      tool<TrainingMetrics>('get_training_metrics', { ...at, points: 50 }),
      logsOf(t, state.step),
      tool<TrainingEvents>('get_training_events', { ...at, limit: EVENTS }),
    ]);
    status = settle(job, 'summary', renderJob);
    settle(metrics, 'metrics', renderMetrics);
    settle(logs, 'logs', renderLogs);
    settle(events, 'events', renderEvents);
  } else {
    const [experiment] = await Promise.allSettled([tool<ExperimentDetail>('get_optimization_job', at)]);
    status = settle(experiment, 'summary', renderExperiment);
  }
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  if (status && TERMINAL.has(status)) {
    document.body.dataset.final = 'true';
    $('updated').textContent += ' · final';
    return;
  }
  state.timer = window.setTimeout(() => void refresh(), POLL_MS);
}

// ---- training --------------------------------------------------------------------------------

function badge(status: string): HTMLElement {
  return el('span', { class: `badge ${status.toLowerCase()}`, id: 'status', 'data-status': status }, status);
}

/** The page's own progress line: views.ts's progressLine would bundle zod into the page with it. */
function progressText(p: TrainerProgress | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.percent !== undefined) parts.push(`${p.percent}%`);
  if (p.eta_seconds !== undefined) parts.push(`~${Math.max(1, Math.round(p.eta_seconds / 60))} min left`);
  if (p.metrics)
    parts.push(
      Object.entries(p.metrics)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') + (p.step !== undefined ? ` (step ${p.step})` : ''),
    );
  return parts.join(' · ');
}

function renderJob(d: JobDetail): string {
  const j = d.job;
  const bar = el('div', { class: 'bar' }, el('div', { style: `width:${Math.min(100, Math.max(0, d.progress?.percent ?? 0))}%` }));
  show(
    'summary',
    el('p', {}, badge(j.status), ` ${j.runtime} · ${j.num_nodes} node${j.num_nodes === 1 ? '' : 's'}`),
    ...(d.progress?.percent !== undefined ? [bar] : []),
    el('p', { id: 'progress' }, progressText(d.progress)),
  );
  show(
    'blockers',
    ...(d.blockers ?? []).map((b) =>
      el('div', { class: 'blocker' }, el('strong', {}, b.reason), b.step ? ` (${b.step}) ` : ' ', b.message, el('div', { class: 'hint' }, b.hint)),
    ),
  );
  const rows = d.steps.map((s) => {
    const row = el(
      'tr',
      { 'data-step': s.name, class: s.name === state.step ? 'selected' : '', title: 'show this step’s logs' },
      el('td', {}, s.name),
      el('td', {}, s.status ?? '-'),
      el('td', {}, s.pod),
      el('td', {}, s.device_count === '0' || !s.device_count ? s.device : `${s.device_count} × ${s.device}`),
    );
    row.addEventListener('click', () => selectStep(s.name));
    return row;
  });
  show('steps', el('table', {}, el('tr', {}, ...['step', 'status', 'pod', 'device'].map((h) => el('th', {}, h))), ...rows));
  return j.status;
}

function selectStep(step: string): void {
  state.step = step;
  for (const row of document.querySelectorAll<HTMLElement>('#steps tr[data-step]')) row.classList.toggle('selected', row.dataset.step === step);
  show('logs', el('p', { class: 'muted' }, `loading ${step}…`));
  logsOf(state.target!, step).then(renderLogs, (err) => problem('logs', err));
}

function renderMetrics(m: TrainingMetrics): void {
  if (m.metrics.length === 0) return show('metrics', el('p', { class: 'muted' }, `no metric lines yet in ${m.step} (${m.lines.read} lines read)`));
  const names = m.metrics.map((x) => x.name);
  const shown = state.metric && names.includes(state.metric) ? state.metric : defaultMetric(m.metrics);
  const current = m.metrics.find((x) => x.name === shown)!;
  const tabs = names.map((n) => {
    const b = el('button', { class: n === shown ? 'tab on' : 'tab', 'data-metric': n }, n);
    b.addEventListener('click', () => {
      state.metric = n;
      renderMetrics(m);
    });
    return b;
  });
  const v = (p: { value: number | null; x: number }) => `${p.value === null ? 'nan' : short(p.value)} @${p.x}`;
  show(
    'metrics',
    el('div', { class: 'tabs' }, ...tabs),
    lineChart(current.name, current.series, current.x),
    el(
      'p',
      { id: 'metric-summary' },
      `${current.name}: last ${v(current.last)} · min ${v(current.min)} · max ${v(current.max)} · ${current.points} points · last ${current.trend.window}: ${current.trend.direction}`,
    ),
  );
}

/** The loss if the job prints one (what users watch first), else the metric with the most points. */
function defaultMetric(metrics: TrainingMetrics['metrics']): string {
  const loss = metrics.find((x) => x.name === 'loss') ?? metrics.find((x) => /loss/i.test(x.name));
  return (loss ?? [...metrics].sort((a, b) => b.points - a.points)[0]!).name;
}

function renderLogs(l: TrainingLogs): void {
  show('logs-title', `Logs · ${l.step}`);
  show('logs', el('pre', { 'data-step': l.step }, l.lines.length ? l.lines.join('\n') : '(no output yet)'));
}

function renderEvents(e: TrainingEvents): void {
  show(
    'events',
    ...(e.events.length
      ? e.events.map((x) => el('div', { class: x.type === 'Warning' ? 'event warning' : 'event' }, el('strong', {}, x.reason), ` ${x.object}: ${x.message}`))
      : [el('p', { class: 'muted' }, 'no events')]),
  );
}

// ---- optimization ----------------------------------------------------------------------------

function renderExperiment(d: ExperimentDetail): string {
  const e = d.experiment;
  const objective = e.objective.split(' ')[1] ?? '';
  show(
    'summary',
    el('p', {}, badge(e.status), ` ${e.algorithm} · ${e.objective}`),
    el('p', { id: 'progress' }, `${e.trials.succeeded} succeeded, ${e.trials.failed} failed, ${e.trials.running} running of ${e.trials.max ?? '?'}`),
    el('p', { id: 'best' }, e.best ? `best: ${e.best.trial}` : 'no trial has reported the objective yet'),
  );
  const params = [...new Set(d.trials.flatMap((t) => Object.keys(t.parameters)))];
  const rows = d.trials.map((t) =>
    el(
      'tr',
      { class: t.name === e.best?.trial ? 'best' : '', 'data-trial': t.name },
      el('td', {}, t.name),
      el('td', {}, t.status),
      ...params.map((p) => el('td', {}, t.parameters[p] ?? '')),
      el('td', { class: 'objective' }, t.metrics[objective] ?? ''),
    ),
  );
  const byTrial = d.trials.map((t, i): [number, number] => [i + 1, Number(t.metrics[objective])]).filter(([, v]) => Number.isFinite(v));
  show('objective', ...(byTrial.length ? [lineChart(objective, byTrial, 'trial')] : [el('p', { class: 'muted' }, 'no trial has reported the objective yet')]));
  show(
    'trials',
    el('table', {}, el('tr', {}, ...['trial', 'status', ...params, objective].map((h) => el('th', {}, h))), ...rows),
    ...(d.trials_truncated ? [el('p', { class: 'muted' }, 'more trials exist than shown')] : []),
  );
  return e.status;
}

// ---- host ------------------------------------------------------------------------------------

function applyContext(c: Partial<McpUiHostContext>): void {
  const root = document.documentElement;
  if (c.theme) {
    root.dataset.theme = c.theme;
    root.style.colorScheme = c.theme;
  }
  for (const [k, v] of Object.entries(c.styles?.variables ?? {})) if (v) root.style.setProperty(k, v);
}

const host = new HostConnection({
  toolInput: (args) => (state.args = args),
  toolResult: onResult,
  context: applyContext,
  teardown: () => {
    state.stopped = true;
    window.clearTimeout(state.timer);
  },
});

void host.connect({ name: 'kubeflow-mcp-dashboard', version: '1' }).then(
  (init) => {
    applyContext(init.hostContext ?? {});
    new ResizeObserver(() => host.sizeChanged(document.documentElement.scrollWidth, document.documentElement.scrollHeight)).observe(document.body);
  },
  (err: Error) => show('banner', el('p', { class: 'error' }, `Could not talk to the host: ${err.message}`)),
);
