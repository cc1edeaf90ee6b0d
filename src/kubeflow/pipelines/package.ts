/**
 * Compiled pipeline packages (IR YAML; docs/wire/pipelines.md#the-pipeline-package): parsed and
 * checked here as the KFP 2.17 API server checks them on upload, so a bad package is refused
 * before anything is sent, with the line and what to fix. Python pipeline definitions are never
 * accepted: the server never compiles or runs code (docs/security.md).
 */
import type { Document, LineCounter } from 'yaml';
import { yaml } from '../../config/yaml.js';
import { PipelinesError } from './errors.js';

const SCHEMA_VERSION = '2.1.0';
/** The API server's upload limit. */
const MAX_PACKAGE_BYTES = 32 * 2 ** 20;

export type ParameterType =
  'NUMBER_DOUBLE' | 'NUMBER_INTEGER' | 'STRING' | 'BOOLEAN' | 'LIST' | 'STRUCT' | 'TASK_FINAL_STATUS' | 'TASK_CONFIG' | 'PARAMETER_TYPE_ENUM_UNSPECIFIED';

/** A root input parameter, as declared in `root.inputDefinitions.parameters`. */
export interface RootParameter {
  name: string;
  type: ParameterType;
  default?: unknown;
  optional: boolean;
  description?: string;
  literals?: unknown[];
}

export interface PipelinePackage {
  /** pipelineInfo.name */
  name: string;
  displayName?: string;
  description?: string;
  sdkVersion?: string;
  parameters: RootParameter[];
  tasks: number;
  /** The second (platform) document was present. */
  platformSpec: boolean;
}

const PIPELINE_SPEC_KEYS = ['pipelineInfo', 'deploymentSpec', 'sdkVersion', 'schemaVersion', 'components', 'root', 'defaultPipelineRoot'];
const PIPELINE_INFO_KEYS = ['name', 'displayName', 'description'];
const COMPONENT_KEYS = ['inputDefinitions', 'outputDefinitions', 'dag', 'executorLabel', 'singlePlatformSpecs', 'implementations', 'taskConfigPassthroughs'];
const PARAMETER_KEYS = ['parameterType', 'defaultValue', 'isOptional', 'description', 'literals', 'type'];
const PARAMETER_TYPES: ParameterType[] = [
  'NUMBER_DOUBLE',
  'NUMBER_INTEGER',
  'STRING',
  'BOOLEAN',
  'LIST',
  'STRUCT',
  'TASK_FINAL_STATUS',
  'TASK_CONFIG',
  'PARAMETER_TYPE_ENUM_UNSPECIFIED',
];
/** The deprecated PrimitiveType of very old packages. */
const LEGACY_TYPES: Record<string, ParameterType> = { INT: 'NUMBER_INTEGER', DOUBLE: 'NUMBER_DOUBLE', STRING: 'STRING' };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  constructor(
    private readonly docs: Document[],
    private readonly lines?: LineCounter,
  ) {}
  /** "line 12: …" from the node at `path` in document `doc`. */
  add(doc: number, path: Array<string | number>, text: string): void {
    const node = this.docs[doc]?.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const at = node?.range && this.lines ? this.lines.linePos(node.range[0]).line : undefined;
    this.list.push(`${at ? `line ${at}: ` : ''}${path.length ? `${path.join('.')}: ` : ''}${text}`);
  }
}

/** Parses and checks a package; throws `invalid_package` naming every problem found. */
export function parsePackage(text: string): PipelinePackage {
  if (typeof text !== 'string' || !text.trim())
    throw invalid(['the package is empty'], 'pass the compiled YAML text (kfp.compiler.Compiler().compile(...) writes it)');
  if (Buffer.byteLength(text) > MAX_PACKAGE_BYTES)
    throw invalid([`the package is ${Buffer.byteLength(text)} bytes; the API server accepts at most 32 MiB`], 'upload a smaller package');
  if (/^\s*(from\s+\S+\s+)?import\s|^\s*@dsl\.pipeline|^\s*def\s+\w+\s*\(/m.test(text) && !/^\s*pipelineInfo\s*:/m.test(text)) {
    throw invalid(
      ['this looks like Python source, not a compiled package'],
      'compile it first (python -c "from kfp import compiler; compiler.Compiler().compile(my_pipeline, \'pipeline.yaml\')") and pass the YAML; the server never runs Python',
    );
  }
  const { LineCounter, parseAllDocuments } = yaml();
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) throw invalid(['not a YAML stream'], 'pass the compiled YAML text');
  const syntax = docs.flatMap((d) => d.errors).map((e) => `not valid YAML: line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
  if (syntax.length) throw invalid(syntax.slice(0, 5), 'pass the compiler output unchanged');
  const problems = new Problems(docs, lines);
  const values = docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);

  // Classify documents as the server does: a pipeline spec has pipelineInfo.name and root; a
  // platform spec has platforms.kubernetes; anything else is ignored.
  let spec: { doc: number; value: Json } | undefined;
  let platform = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (!isObject(v)) return problems.add(i, [], `document ${i + 1} is not a mapping`);
    if (isObject(v.pipelineInfo) && v.pipelineInfo.name && v.root !== undefined) {
      if (spec) problems.add(i, [], `document ${i + 1} is a second pipeline spec: multiple pipeline specs provided`);
      else spec = { doc: i, value: v };
    } else if (isObject(v.platforms) && v.platforms.kubernetes !== undefined) {
      if (platform) problems.add(i, [], `document ${i + 1} is a second platform spec`);
      platform = true;
    }
  });
  if (!spec) {
    const first = values.findIndex((v) => isObject(v));
    const v = first >= 0 ? (values[first] as Json) : undefined;
    const missing = !v
      ? 'no document'
      : [!isObject(v.pipelineInfo) || !v.pipelineInfo.name ? 'pipelineInfo.name' : '', v.root === undefined ? 'root' : ''].filter(Boolean).join(' and ');
    problems.list.unshift(`no pipeline spec is provided (${missing || 'nothing'} missing)`);
    throw invalid(problems.list, 'pass the compiled package: a PipelineSpec document with pipelineInfo.name, root and schemaVersion 2.1.0');
  }
  const { doc, value } = spec;
  for (const k of Object.keys(value))
    if (!PIPELINE_SPEC_KEYS.includes(k)) problems.add(doc, [k], `unknown field of a PipelineSpec (known: ${PIPELINE_SPEC_KEYS.join(', ')})`);
  if (value.schemaVersion !== SCHEMA_VERSION)
    problems.add(doc, ['schemaVersion'], `must be ${SCHEMA_VERSION} (the only one KFP 2.17 accepts), got ${JSON.stringify(value.schemaVersion ?? null)}`);
  const info = value.pipelineInfo as Json;
  for (const k of Object.keys(info)) if (!PIPELINE_INFO_KEYS.includes(k)) problems.add(doc, ['pipelineInfo', k], 'unknown field of pipelineInfo');
  const name = String(info.name);
  if (typeof info.name !== 'string' || !/[a-z0-9]/.test(name))
    problems.add(doc, ['pipelineInfo', 'name'], 'must be a string with a lower-case letter or digit');

  const components = isObject(value.components) ? value.components : {};
  if (value.components !== undefined && !isObject(value.components)) problems.add(doc, ['components'], 'must be a mapping of component name to ComponentSpec');
  const executors = isObject(value.deploymentSpec) && isObject(value.deploymentSpec.executors) ? value.deploymentSpec.executors : {};
  if (!isObject(value.root)) problems.add(doc, ['root'], 'must be a ComponentSpec mapping');
  const root = isObject(value.root) ? value.root : {};
  checkComponent(problems, doc, ['root'], root, components, executors);
  for (const [cname, c] of Object.entries(components)) {
    if (!isObject(c)) problems.add(doc, ['components', cname], 'must be a ComponentSpec mapping');
    else checkComponent(problems, doc, ['components', cname], c, components, executors);
  }
  const parameters = rootParameters(problems, doc, root);
  if (problems.list.length) throw invalid(problems.list, 'fix the named fields (or compile the pipeline again with kfp 2.x) and pass the YAML again');
  return {
    name,
    ...(typeof info.displayName === 'string' ? { displayName: info.displayName } : {}),
    ...(typeof info.description === 'string' ? { description: info.description } : {}),
    ...(typeof value.sdkVersion === 'string' ? { sdkVersion: value.sdkVersion } : {}),
    parameters,
    tasks: isObject(root.dag) && isObject(root.dag.tasks) ? Object.keys(root.dag.tasks).length : 0,
    platformSpec: platform,
  };
}

function checkComponent(problems: Problems, doc: number, path: string[], c: Json, components: Json, executors: Json): void {
  for (const k of Object.keys(c)) if (!COMPONENT_KEYS.includes(k)) problems.add(doc, [...path, k], 'unknown field of a ComponentSpec');
  if (c.dag === undefined && c.executorLabel === undefined) problems.add(doc, path, 'needs either dag or executorLabel');
  if (typeof c.executorLabel === 'string' && !(c.executorLabel in executors))
    problems.add(doc, [...path, 'executorLabel'], `names executor '${c.executorLabel}', which deploymentSpec.executors does not define`);
  const tasks = isObject(c.dag) && isObject(c.dag.tasks) ? c.dag.tasks : {};
  for (const [t, task] of Object.entries(tasks)) {
    const ref = isObject(task) && isObject(task.componentRef) ? task.componentRef.name : undefined;
    if (typeof ref !== 'string') problems.add(doc, [...path, 'dag', 'tasks', t], 'needs componentRef.name');
    else if (!(ref in components))
      problems.add(doc, [...path, 'dag', 'tasks', t, 'componentRef', 'name'], `names component '${ref}', which components does not define`);
  }
}

/** Parameters of a version's stored pipeline_spec (the server's JSON form) or of a package. */
export function parametersOfSpec(spec: unknown): RootParameter[] {
  // The server stores {pipeline_spec, platform_spec} when the package had a platform document.
  const s = isObject(spec) && isObject(spec.pipeline_spec) ? spec.pipeline_spec : spec;
  const root = isObject(s) && isObject(s.root) ? s.root : {};
  const problems = new Problems([]); // a stored spec has no lines to point at
  return rootParameters(problems, 0, root);
}

function rootParameters(problems: Problems, doc: number, root: Json): RootParameter[] {
  const defs = isObject(root.inputDefinitions) && isObject(root.inputDefinitions.parameters) ? root.inputDefinitions.parameters : {};
  const out: RootParameter[] = [];
  for (const [name, d] of Object.entries(defs)) {
    const path = ['root', 'inputDefinitions', 'parameters', name];
    if (!isObject(d)) {
      problems.add(doc, path, 'must be a mapping with parameterType');
      continue;
    }
    for (const k of Object.keys(d))
      if (!PARAMETER_KEYS.includes(k)) problems.add(doc, [...path, k], `unknown field of a parameter (known: ${PARAMETER_KEYS.join(', ')})`);
    const raw = d.parameterType ?? (typeof d.type === 'string' ? LEGACY_TYPES[d.type] : undefined);
    if (typeof raw !== 'string' || !PARAMETER_TYPES.includes(raw as ParameterType)) {
      problems.add(doc, [...path, 'parameterType'], `must be one of ${PARAMETER_TYPES.slice(0, 6).join(', ')}, got ${JSON.stringify(raw ?? null)}`);
      continue;
    }
    out.push({
      name,
      type: raw as ParameterType,
      optional: d.isOptional === true,
      ...(d.defaultValue !== undefined ? { default: d.defaultValue } : {}),
      ...(typeof d.description === 'string' ? { description: d.description } : {}),
      ...(Array.isArray(d.literals) && d.literals.length ? { literals: d.literals } : {}),
    });
  }
  return out;
}

function invalid(problems: string[], hint: string): PipelinesError {
  const shown = problems.slice(0, 8);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
  return new PipelinesError('invalid_package', `the pipeline package is not valid: ${shown.join('; ')}${more}`, hint, 0, 'package');
}
