import { expect } from 'vitest';

/** The error `fn` throws, asserted to be an instance of `type` (fails the test when nothing is thrown). */
export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}`);
}
