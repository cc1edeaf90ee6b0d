/** TrainJob names: SDK-compatible generation and the CRD's RFC 1035 rule. */
import { randomInt, randomUUID } from 'node:crypto';
import { JOB_NAME_MAX_LENGTH, JOB_NAME_UUID_LENGTH } from './constants.js';

export interface NameRandomness {
  /** Integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A uuid4 string (hyphens allowed; only hex digits are used). */
  uuid(): string;
}

const cryptoRandomness: NameRandomness = { int: (n) => randomInt(n), uuid: () => randomUUID() };

/**
 * `<letter><11 hex chars of a uuid4>`, the SDK's scheme. The leading letter keeps the name a valid
 * RFC 1035 label (it may not start with a digit).
 */
export function generateJobName(random: NameRandomness = cryptoRandomness): string {
  const letter = String.fromCharCode(97 + random.int(26));
  const hex = random.uuid().replace(/-/g, '').toLowerCase();
  return letter + hex.slice(0, JOB_NAME_UUID_LENGTH);
}

const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The TrainJob CRD's CEL rules on metadata.name (docs/wire/trainer.md#trainjob-name). Returns an actionable message, or
 * undefined when the name is valid.
 */
export function validateJobName(name: string): string | undefined {
  if (name.length === 0) return 'job name must not be empty';
  if (name.length > JOB_NAME_MAX_LENGTH) {
    return `job name '${name}' is ${name.length} characters long; the maximum is ${JOB_NAME_MAX_LENGTH}`;
  }
  if (!RFC1035_LABEL.test(name)) {
    return `job name '${name}' is not a valid RFC 1035 label: use lowercase letters, digits and '-', ` + `start with a letter and end with a letter or digit`;
  }
  return undefined;
}
