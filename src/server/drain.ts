/**
 * Graceful shutdown of the HTTP server. On SIGTERM (Kubernetes stopping the pod) or Ctrl+C the
 * server takes no new work: /readyz and every new MCP request answer 503 (with Retry-After and
 * Connection: close), while the requests already in flight (tool calls, waits with progress) run
 * to their end, for at most the grace period. Then whatever is left is cut, the listener closes
 * and the process exits 0. A second signal stops at once.
 *
 * The socket stays open while draining, on purpose: a client that races the Service's endpoint
 * update gets a retryable 503 instead of a refused connection, the readiness probe sees 503, and
 * the liveness probe (/healthz) keeps answering so the kubelet does not restart a draining pod.
 * The default grace (25 s) fits Kubernetes' default terminationGracePeriodSeconds (30 s), with
 * time left to close the audit log before SIGKILL.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';

export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 25;

export interface Drain {
  /** True from the first signal on: /readyz and /mcp answer 503. */
  readonly draining: () => boolean;
  /** Counts the server's requests from now on. */
  track(server: HttpServer): void;
  /** Requests still running. */
  inFlight(): number;
  /**
   * Refuses new requests and waits for the ones in flight, for at most graceMs. Resolves with
   * how many were still running when it gave up (0 when all finished).
   */
  drain(graceMs: number): Promise<number>;
}

/**
 * subscriptions/listen streams (2026-07-28 era) stay open until the client leaves: waiting for
 * them would always take the whole grace, so they are closed with the handler instead.
 */
function isLongLived(req: IncomingMessage): boolean {
  return req.headers['mcp-method'] === 'subscriptions/listen';
}

export function createDrain(): Drain {
  let draining = false;
  let running = 0;
  let settle: (() => void) | undefined;

  const finished = () => {
    running--;
    if (draining && running === 0) settle?.();
  };

  return {
    draining: () => draining,
    inFlight: () => running,
    track(server) {
      server.on('request', (req: IncomingMessage, res) => {
        if (isLongLived(req)) return;
        running++;
        res.once('close', finished);
      });
    },
    drain(graceMs) {
      // Idle keep-alive connections stay open: a request on one gets the 503 (which closes it)
      // rather than a reset it cannot tell from a network failure.
      draining = true;
      if (running === 0) return Promise.resolve(0);
      return new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(running), graceMs);
        settle = () => {
          clearTimeout(timer);
          resolve(0);
        };
      });
    },
  };
}

/**
 * Runs stop() on the first SIGTERM or SIGINT and exits 0 when it is done; a second signal exits
 * at once (1), for the operator who does not want to wait.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    void stop(signal)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
