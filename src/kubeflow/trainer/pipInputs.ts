/**
 * Package specs and index URLs as pip receives them: each must be something pip reads as a
 * requirement or an index, never as one of its own options (`--index-url=...`, `-r file`). The
 * shell quoting keeps a value one argument; these checks keep that argument from being an option.
 *
 * Accepted packages: PEP 508 requirements (`name[extras] <versions> ; <marker>` or
 * `name[extras] @ <url> ; <marker>`), direct URLs (`https://...whl`, `git+https://...`) and
 * absolute or `./`/`../` paths. Index URLs: http, https or file URLs.
 */
import { WireValidationError } from './errors.js';

const NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`;
const EXTRAS = String.raw`\[\s*(?:${NAME}(?:\s*,\s*${NAME})*)?\s*\]`;
const VERSION_ONE = String.raw`(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9_.*+!-]+`;
const VERSIONS = String.raw`${VERSION_ONE}(?:\s*,\s*${VERSION_ONE})*`;
const URL = String.raw`[A-Za-z][A-Za-z0-9+.-]*://\S+`;
/** Marker text is checked token by token below. */
const MARKER = String.raw`(\S.*)`;
const REQUIREMENT = new RegExp(
  `^${NAME}\\s*(?:${EXTRAS})?\\s*(?:@\\s*${URL}(?:\\s+;\\s*${MARKER})?|(?:\\(\\s*${VERSIONS}\\s*\\)|${VERSIONS})?\\s*(?:;\\s*${MARKER})?)$`,
);
/** PEP 508 marker tokens: variables, operators, quoted strings, parentheses, and/or/in/not. */
const MARKER_TOKENS = /^(?:\s+|\(|\)|'[^'\\]*'|"[^"\\]*"|===|==|!=|<=|>=|~=|<|>|[A-Za-z_][A-Za-z0-9_.]*)+$/;
const DIRECT_URL = new RegExp(`^${URL}$`);
const PATH = /^\.{0,2}\/\S*$/;
const INDEX_URL = /^(?:https?|file):\/\/\S+$/;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Throws invalid_packages unless `value` is a requirement, URL or path pip takes as a package. */
export function checkPackage(value: string, field: string): void {
  if (typeof value !== 'string' || value.trim() === '' || CONTROL.test(value)) {
    throw bad(`${field} is empty or contains control characters`, 'pass a package requirement such as "numpy" or "transformers[torch]==4.44.0"', field);
  }
  if (value.trim().startsWith('-')) {
    throw bad(
      `${field} '${value}' is a pip option, not a package`,
      'list only packages (e.g. "numpy>=1.26"); to install from another package index pass its URL in pip_index_urls',
      field,
    );
  }
  if (isRequirement(value) || DIRECT_URL.test(value) || PATH.test(value)) return;
  throw bad(
    `${field} '${value}' is not a package pip can install`,
    'pass a PEP 508 requirement ("numpy", "numpy>=1.26,<2", "transformers[torch]==4.44.0", "pkg @ https://host/pkg.whl"), a URL ("git+https://github.com/org/repo@v1") or an absolute path',
    field,
  );
}

function isRequirement(value: string): boolean {
  const m = REQUIREMENT.exec(value);
  if (!m) return false;
  const marker = m[1] ?? m[2];
  return marker === undefined || MARKER_TOKENS.test(marker);
}

/** Throws invalid_packages unless `value` is an http(s) or file URL. */
export function checkIndexUrl(value: string, field: string): void {
  if (typeof value === 'string' && !CONTROL.test(value) && INDEX_URL.test(value)) return;
  throw bad(
    `${field} '${value}' is not an http(s) or file URL of a package index`,
    'pass index URLs such as "https://pypi.org/simple" (the server default comes from DEFAULT_PIP_INDEX_URLS)',
    field,
  );
}

function bad(message: string, hint: string, field: string): WireValidationError {
  return new WireValidationError('invalid_packages', message, hint, field);
}
