/**
 * Policy rules over tools (KEP-936 "Policy Configuration"): a tool name, a glob (`delete_*`),
 * `category:<c>`, `risk:<r>` or `module:<m>`.
 */
import type { AnyToolSpec } from '../tools/contract.js';

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export type Rule = (tool: AnyToolSpec) => boolean;

const SELECTORS = ['category', 'risk', 'module'] as const;

export function compileRule(rule: string): Rule {
  const m = /^(category|risk|module):(.+)$/.exec(rule);
  if (m) {
    const key = m[1] as (typeof SELECTORS)[number];
    const value = m[2]!;
    return (t) => t[key] === value;
  }
  const re = globToRegExp(rule);
  return (t) => re.test(t.name);
}

/** Why a rule can never match any known tool (a typo), or undefined when it is fine. */
export function ruleProblem(rule: string, tools: readonly AnyToolSpec[]): string | undefined {
  const m = /^([a-z]+):(.*)$/.exec(rule);
  if (m && !(SELECTORS as readonly string[]).includes(m[1]!)) return `unknown selector '${m[1]}:' (use category:, risk: or module:)`;
  if (tools.some(compileRule(rule))) return undefined;
  if (m) {
    const key = m[1] as (typeof SELECTORS)[number];
    const values = [...new Set(tools.map((t) => t[key]))];
    return `no tool has ${key} '${m[2]}' (known: ${values.join(', ')})`;
  }
  return `matches no tool (known tools: ${tools.map((t) => t.name).join(', ')})`;
}
