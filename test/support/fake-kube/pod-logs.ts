/** GET /api/v1/namespaces/{ns}/pods/{name}/log — kubelet log semantics over the LogStore. */
import type { ApiRequest, ServerState } from './context.js';
import { badRequest, methodNotAllowed, notFound } from './errors.js';
import type { LogLine } from './logs.js';

function pickContainer(pod: any, requested: string | null): string {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  const name = pod.metadata.name;
  if (!requested) {
    if (containers.length === 1) return containers[0]!;
    const initPart = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`);
  }
  if (!containers.includes(requested) && !inits.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

export function handlePodLogs(state: ServerState, req: ApiRequest): void {
  if (req.info.verb !== 'get') throw methodNotAllowed();
  const ns = req.info.namespace!;
  const podName = req.info.name!;
  const pod = state.store.get(req.t, ns, podName);
  if (!pod) throw notFound(req.t, podName);
  const q = req.query;
  const container = pickContainer(pod, q.get('container'));
  const statuses: any[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const st = statuses.find((s) => s.name === container);
  // The simulation keeps one log per container: a restarted container's previous run is that log.
  const previous = q.get('previous') === 'true';
  if (previous && !st?.lastState?.terminated) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
  if (!previous && (!st || st.state?.waiting || !st.state)) {
    const reason = st?.state?.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }

  const timestamps = q.get('timestamps') === 'true';
  const follow = q.get('follow') === 'true';
  const tail = q.get('tailLines');
  const since = q.get('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  const limitBytes = q.get('limitBytes') ? Number(q.get('limitBytes')) : undefined;
  let notBefore = 0;
  if (since) notBefore = Date.now() - Number(since) * 1000;
  if (sinceTime) notBefore = Math.max(notBefore, Date.parse(sinceTime));
  const format = (l: LogLine): string => `${timestamps ? `${l.ts} ` : ''}${l.text}\n`;

  let lines = state.logs.lines(ns, podName, container).filter((l) => l.ms >= notBefore);
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  let text = lines.map(format).join('');
  if (limitBytes !== undefined && limitBytes >= 0) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');

  const res = req.res.head(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  if (!follow || previous || state.logs.isTerminated(ns, podName, container) || st.state.terminated) {
    res.end(text);
    return;
  }
  res.write(text);
  let open = true;
  let unfollow = (): void => {};
  const close = (): void => {
    if (!open) return;
    open = false;
    unfollow();
    state.streams.delete(close);
    res.end();
  };
  state.streams.add(close);
  unfollow = state.logs.follow(ns, podName, container, { onLine: (l) => open && res.write(format(l)), onEnd: close });
  req.raw.on('close', close);
  res.on('close', close);
}
