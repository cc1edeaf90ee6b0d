/** Pod status blocks as the kubelet reports them for each simulated lifecycle phase. */
import { nowRfc3339 } from '../meta.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

function podIp(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `10.244.${(h >> 8) % 250}.${(h % 250) + 2}`;
}

function condition(type: string, status: boolean, at: string, reason?: string): any {
  const c: any = { type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at };
  if (reason) c.reason = reason;
  return c;
}

export interface PodTimes {
  scheduledAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export function podStatus(pod: any, phase: PodPhase, times: PodTimes, exitCode = 0): any {
  const containers: any[] = pod.spec?.containers ?? [];
  const now = nowRfc3339();
  const running = phase === 'Running';
  const done = phase === 'Succeeded' || phase === 'Failed';
  const containerStatuses = containers.map((c) => {
    let state: any;
    if (phase === 'Pending') state = { waiting: { reason: 'ContainerCreating' } };
    else if (running) state = { running: { startedAt: times.startedAt ?? now } };
    else
      state = {
        terminated: {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt: times.startedAt ?? now,
          finishedAt: times.finishedAt ?? now,
        },
      };
    return {
      name: c.name,
      image: c.image ?? '',
      imageID: phase === 'Pending' ? '' : `${c.image ?? 'image'}@sha256:${'0'.repeat(64)}`,
      ready: running,
      started: running,
      restartCount: 0,
      state,
      lastState: {},
      ...(phase === 'Pending' ? {} : { containerID: `containerd://${(pod.metadata.uid ?? '').replace(/-/g, '')}` }),
    };
  });
  const status: any = {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', phase !== 'Pending', times.scheduledAt),
      condition('Initialized', true, times.scheduledAt),
      condition('Ready', running, times.startedAt ?? times.scheduledAt, running ? undefined : done ? 'PodCompleted' : 'ContainersNotReady'),
      condition('ContainersReady', running, times.startedAt ?? times.scheduledAt, running ? undefined : done ? 'PodCompleted' : 'ContainersNotReady'),
      condition('PodScheduled', true, times.scheduledAt),
    ],
    hostIP: '172.18.0.2',
    hostIPs: [{ ip: '172.18.0.2' }],
    qosClass: 'BestEffort',
    startTime: times.scheduledAt,
    containerStatuses,
  };
  if (phase !== 'Pending') {
    status.podIP = podIp(pod.metadata.name);
    status.podIPs = [{ ip: status.podIP }];
  }
  return status;
}
