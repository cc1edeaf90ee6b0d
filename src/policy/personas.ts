/**
 * Personas from KEP-936 DESIGN.md "Persona Configuration": each inherits the one before and adds
 * tools. check_prerequisites (KEP Phase 2) joins the data-scientist set with the other planning
 * tools. The Phase 5 modules follow the same split: readonly gets their read tools, data-scientist
 * can tune, wait, delete its own experiments and register models. Custom personas (policy file) inherit from any persona and add tools (names or globs).
 * `own_jobs_only`: the persona may delete/suspend/resume only jobs it created (KEP-936 policy
 * table: data-scientist).
 */
import { globToRegExp } from './rules.js';

export const BUILTIN_PERSONAS = ['readonly', 'data-scientist', 'ml-engineer', 'platform-admin'] as const;
export type BuiltinPersona = (typeof BUILTIN_PERSONAS)[number];

export interface PersonaDef {
  inherit?: string;
  /** Tool names or globs, or '*' for all. */
  tools: readonly string[] | '*';
  ownJobsOnly?: boolean;
}

export const BUILTIN_DEFS: Record<BuiltinPersona, PersonaDef> = {
  readonly: {
    tools: [
      'get_cluster_resources',
      'list_training_jobs',
      'get_training_job',
      'get_training_logs',
      'get_training_events',
      'list_runtimes',
      'get_runtime',
      // Phase 5 modules: their read tools
      'list_optimization_jobs',
      'get_optimization_job',
      'get_optimization_logs',
      'get_best_results',
      'get_optimization_events',
      'list_models',
      'get_model',
      'list_model_versions',
      'get_model_version',
      'get_model_artifact',
    ],
  },
  'data-scientist': {
    inherit: 'readonly',
    tools: [
      'estimate_resources',
      'check_prerequisites',
      'fine_tune',
      'run_custom_training',
      'wait_for_training',
      'delete_training_job',
      'optimize',
      'wait_for_optimization',
      'delete_optimization_job',
      'register_model',
    ],
    ownJobsOnly: true,
  },
  'ml-engineer': {
    inherit: 'data-scientist',
    tools: ['run_container_training', 'get_runtime_packages', 'suspend_training_job', 'resume_training_job'],
    ownJobsOnly: false,
  },
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
