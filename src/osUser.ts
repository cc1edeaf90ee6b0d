/**
 * The name of the OS user the server runs as. Containers often run under a numeric UID with no
 * passwd entry (the image's `USER 65532`, OpenShift's random UIDs), where os.userInfo() throws.
 */
import { userInfo } from 'node:os';

export function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}
