import { CodedError } from '../errors.js';

/** A Spark request the caller can fix (bad resources, names, dependencies) or a job not in a state for it. */
export class SparkError extends CodedError {
  override readonly name = 'SparkError';
}
