/**
 * Personas from KEP-936 DESIGN.md "Persona Configuration": each inherits the one before and adds
 * tools. check_prerequisites (KEP Phase 2) joins the data-scientist set with the other planning
 * tools. A persona both hides tools from tools/list and refuses them when called by name.
 */
import type { AnyToolSpec } from '../tools/contract.js';

export const PERSONAS = ['readonly', 'data-scientist', 'ml-engineer', 'platform-admin'] as const;
export type Persona = (typeof PERSONAS)[number];

interface PersonaDef {
  inherit?: Persona;
  /** Tool names, or '*' for all. */
  tools: readonly string[] | '*';
}

const DEFS: Record<Persona, PersonaDef> = {
  readonly: {
    tools: ['get_cluster_resources', 'list_training_jobs', 'get_training_job', 'get_training_logs', 'get_training_events', 'list_runtimes', 'get_runtime'],
  },
  'data-scientist': {
    inherit: 'readonly',
    tools: ['estimate_resources', 'check_prerequisites', 'fine_tune', 'run_custom_training', 'wait_for_training', 'delete_training_job'],
  },
  'ml-engineer': {
    inherit: 'data-scientist',
    tools: ['run_container_training', 'get_runtime_packages', 'suspend_training_job', 'resume_training_job'],
  },
  'platform-admin': { tools: '*' },
};

export function isPersona(p: string): p is Persona {
  return (PERSONAS as readonly string[]).includes(p);
}

/** Whether a persona allows a tool; tools unknown to every persona (future modules) follow '*' only. */
export function personaAllows(persona: Persona, tool: string): boolean {
  for (let p: Persona | undefined = persona; p; p = DEFS[p].inherit) {
    const t = DEFS[p].tools;
    if (t === '*' || t.includes(tool)) return true;
  }
  return false;
}

export function toolsForPersona(tools: readonly AnyToolSpec[], persona: Persona): AnyToolSpec[] {
  return tools.filter((t) => personaAllows(persona, t.name));
}
