/**
 * Personas from KEP-936 DESIGN.md "Persona Configuration": each inherits the one before and adds
 * tools. Which persona a tool first belongs to is derived from its registry attributes, so the
 * persona lists are not kept beside the registry:
 * - reads outside planning (discovery, monitoring, core) are readonly's;
 * - planning reads (estimate_resources, check_prerequisites) and writes are data-scientist's;
 * - named additions where the KEP table says otherwise (get_cluster_resources is readonly's,
 *   waiting is data-scientist's; containers,
 *   the runtime-packages probe and suspend/resume are ml-engineer's).
 * Custom personas (policy file) inherit from any persona and add tools (names or globs).
 * `own_jobs_only`: the persona may change only objects it created (KEP-936 policy table:
 * data-scientist).
 */
import type { AnyToolSpec } from '../tools/contract.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { globToRegExp } from './rules.js';

export const BUILTIN_PERSONAS = ['readonly', 'data-scientist', 'ml-engineer', 'platform-admin'] as const;
export type BuiltinPersona = (typeof BUILTIN_PERSONAS)[number];

export interface PersonaDef {
  inherit?: string;
  /** Tool names or globs, or '*' for all. */
  tools: readonly string[] | '*';
  ownJobsOnly?: boolean;
}

/** KEP-936 table entries the attributes alone do not give. */
const NAMED: Readonly<Record<string, BuiltinPersona>> = {
  get_cluster_resources: 'readonly',
  wait_for_training: 'data-scientist',
  wait_for_optimization: 'data-scientist',
  run_container_training: 'ml-engineer',
  get_runtime_packages: 'ml-engineer',
  suspend_training_job: 'ml-engineer',
  resume_training_job: 'ml-engineer',
};

/** The first built-in persona that gets a tool. */
function personaOf(tool: Pick<AnyToolSpec, 'name' | 'category' | 'risk'>): BuiltinPersona {
  return NAMED[tool.name] ?? (tool.risk === 'read' && tool.category !== 'planning' ? 'readonly' : 'data-scientist');
}

const added = (p: BuiltinPersona) => ALL_TOOLS.filter((t) => personaOf(t) === p).map((t) => t.name);

const BUILTIN_DEFS: Record<BuiltinPersona, PersonaDef> = {
  readonly: { tools: added('readonly') },
  'data-scientist': { inherit: 'readonly', tools: added('data-scientist'), ownJobsOnly: true },
  'ml-engineer': { inherit: 'data-scientist', tools: added('ml-engineer'), ownJobsOnly: false },
  'platform-admin': { tools: '*', ownJobsOnly: false },
};

export interface ResolvedPersona {
  name: string;
  allows(tool: string): boolean;
  ownJobsOnly: boolean;
}

/** Built-in personas plus custom ones; resolves inheritance (cycles are refused by the config loader). */
export class Personas {
  private readonly defs: Map<string, PersonaDef>;

  constructor(custom: Record<string, PersonaDef> = {}) {
    this.defs = new Map<string, PersonaDef>([...Object.entries(BUILTIN_DEFS), ...Object.entries(custom)]);
  }

  names(): string[] {
    return [...this.defs.keys()];
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  resolve(name: string): ResolvedPersona {
    const chain: PersonaDef[] = [];
    for (let p: string | undefined = name, guard = 0; p; p = this.defs.get(p)?.inherit, guard++) {
      const def = this.defs.get(p);
      if (!def || guard > 32) throw new Error(`unknown persona '${p}'`);
      chain.push(def);
    }
    const patterns = chain.flatMap((d) => (d.tools === '*' ? ['*'] : d.tools)).map(globToRegExp);
    return {
      name,
      allows: (tool) => patterns.some((re) => re.test(tool)),
      // The nearest definition that says so wins (a custom persona may relax or tighten it).
      ownJobsOnly: chain.find((d) => d.ownJobsOnly !== undefined)?.ownJobsOnly ?? false,
    };
  }
}
