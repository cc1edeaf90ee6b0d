/** The one identity gate (auth/principal.ts): what Kubernetes would see is what gets checked. */
import { describe, expect, it } from 'vitest';
import { checkPrincipal, PrincipalError } from '../../src/auth/principal.js';
import { thrown } from '../support/thrown.js';

describe('checkPrincipal', () => {
  it.each([' system:kube-controller-manager', 'system:masters\t', ' system:admin ', '\tsystem:serviceaccount:kube-system:default\n'])(
    'refuses the system: user %j however it is padded',
    (user) => {
      expect(thrown(() => checkPrincipal(user, [], 'test'), PrincipalError)).toBeTruthy();
    },
  );

  it.each(['alice\r\nImpersonate-User: admin', 'bob\u0000', 'ålice', 'eve\u2028', 'mallory\u007f'])('refuses %j, which cannot travel in a header', (user) => {
    expect(thrown(() => checkPrincipal(user, [], 'test'), PrincipalError).message).toContain('cannot be sent to Kubernetes');
  });

  it('drops system: groups and duplicates, keeps the rest', () => {
    expect(checkPrincipal('alice@example.com', ['ml', 'ml', 'system:masters', 'system:nodes', 'dev'], 'test')).toEqual({
      user: 'alice@example.com',
      groups: ['ml', 'dev'],
    });
  });

  it.each([
    ['  alice ', []],
    ['alice', [' system:masters']],
    ['alice', ['admins\u2028']],
    ['alice', ['\u00a0admins']],
  ] as const)('refuses padding (user %j, groups %j) instead of trimming it into another name', (user, groups) => {
    expect(thrown(() => checkPrincipal(user, groups, 'test'), PrincipalError).message).toMatch(/whitespace|cannot be sent/);
  });

  it('refuses a group that cannot travel in a header instead of dropping it silently', () => {
    expect(thrown(() => checkPrincipal('alice', ['ml\nsystem:masters'], 'test'), PrincipalError)).toBeTruthy();
  });

  it('refuses an empty user, non-strings and oversized values', () => {
    for (const user of ['', 42, undefined, 'a'.repeat(2000)]) expect(thrown(() => checkPrincipal(user, [], 'test'), PrincipalError)).toBeTruthy();
    expect(
      thrown(
        () =>
          checkPrincipal(
            'alice',
            Array.from({ length: 1001 }, (_, i) => `g${i}`),
            'test',
          ),
        PrincipalError,
      ),
    ).toBeTruthy();
  });
});
