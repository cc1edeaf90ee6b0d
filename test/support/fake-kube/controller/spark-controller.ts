/**
 * Simulation of the Spark Operator (v2.4–v2.5) for SparkApplications and SparkConnects, one step
 * per tick (`stepMs`):
 *
 *   SparkApplication: "" → SUBMITTED (driver pod `<name>-driver` Pending; SUBMISSION_FAILED then
 *   FAILED when the driver's service account does not exist, as spark-submit would fail) →
 *   RUNNING (driver Running, `spec.executor.instances` executor pods `<name>-exec-<i>`, PENDING then
 *   RUNNING in executorState, driver log lines) → after `runSteps` the driver exits: SUCCEEDING →
 *   COMPLETED, or with label fake.kubeflow.org/fail=true FAILING → FAILED ("driver container failed
 *   with ExitCode: 1, Reason: Error"), or PENDING_RERUN and a resubmission while
 *   `spec.restartPolicy {type: OnFailure, onFailureRetries}` has retries left. Events on the app
 *   (SparkApplicationSubmitted, SparkDriverRunning, SparkExecutorRunning, SparkDriverCompleted /
 *   SparkDriverFailed, SparkApplicationCompleted / SparkApplicationFailed).
 *
 *   SparkConnect: server pod `<name>-server` (container spark-kubernetes-driver), Service
 *   `<name>-server` and ConfigMap `<name>-conf`; NotReady (condition ServerPodReady False) → Ready
 *   when the server pod runs, with executor pods counted in status.executors. With the fail label
 *   the server crash-loops and the state stays NotReady: the operator never writes Failed.
 *
 * Everything it creates is owned by the app/session, so deleting it removes pods, services and logs.
 */
import { FAIL_LABEL } from './default-behaviour.js';
import { EventRecorder } from './events.js';
import { podStatus } from './pod-status.js';
import { nowRfc3339, randomSuffix } from '../meta.js';
import type { LogStore } from '../logs.js';
import { findByResource } from '../registry.js';
import type { ObjectStore } from '../store.js';

const APPS = findByResource('sparkoperator.k8s.io', 'v1beta2', 'sparkapplications')!;
const CONNECTS = findByResource('sparkoperator.k8s.io', 'v1alpha1', 'sparkconnects')!;
const PODS = findByResource('', 'v1', 'pods')!;
const SERVICES = findByResource('', 'v1', 'services')!;
const CONFIGMAPS = findByResource('', 'v1', 'configmaps')!;
const SERVICE_ACCOUNTS = findByResource('', 'v1', 'serviceaccounts')!;

const DRIVER = 'spark-kubernetes-driver';
const EXECUTOR = 'spark-kubernetes-executor';
const SOURCE = { component: 'spark-operator' };

export interface SparkSimOptions {
  stepMs: number;
  /** Ticks the driver runs before it exits. */
  runSteps: number;
}

interface AppRun {
  step: 'submit' | 'start' | 'executors' | 'running' | 'ending' | 'done' | 'rerun';
  ticks: number;
  attempt: number;
  submissionId: string;
}

const owner = (o: any) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }];

export class SparkController {
  private readonly runs = new Map<string, AppRun>();
  private readonly events: EventRecorder;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly logs: LogStore,
    private readonly opts: SparkSimOptions,
  ) {
    this.events = new EventRecorder(store);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.stepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Sets an app's operator state directly (and keeps it there: the simulation leaves the app alone). */
  setState(ns: string, name: string, state: string, errorMessage?: string): void {
    const app = this.store.get(APPS, ns, name);
    if (!app) throw new Error(`fake-kube: SparkApplication ${ns}/${name} not found`);
    const run = this.runs.get(app.metadata.uid);
    if (run) run.step = 'done';
    else this.runs.set(app.metadata.uid, { step: 'done', ticks: 0, attempt: 1, submissionId: randomSuffix(8) });
    this.writeAppStatus(app, { ...(app.status ?? {}), applicationState: { state, ...(errorMessage ? { errorMessage } : {}) } });
  }

  private tick(): void {
    if (this.paused) return;
    const live = new Set<string>();
    for (const app of this.store.list(APPS)) {
      live.add(app.metadata.uid);
      this.safely(() => this.reconcileApp(app));
    }
    for (const uid of this.runs.keys()) if (!live.has(uid)) this.runs.delete(uid);
    for (const s of this.store.list(CONNECTS)) this.safely(() => this.reconcileConnect(s));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error('[fake-kube] spark controller error:', err);
    }
  }

  // ---- SparkApplication ------------------------------------------------------------------------

  private reconcileApp(app: any): void {
    let run = this.runs.get(app.metadata.uid);
    if (!run) this.runs.set(app.metadata.uid, (run = { step: 'submit', ticks: 0, attempt: 1, submissionId: randomSuffix(8) }));
    const ns = app.metadata.namespace;
    const name = app.metadata.name;
    const driverName = app.spec.driver?.podName ?? `${name}-driver`;
    const status = structuredClone(app.status ?? {});
    const fail = app.metadata.labels?.[FAIL_LABEL] === 'true';
    switch (run.step) {
      case 'submit': {
        status.submissionAttempts = (status.submissionAttempts ?? 0) + 1;
        status.lastSubmissionAttemptTime = nowRfc3339();
        const sa = app.spec.driver?.serviceAccount;
        if (sa && !this.store.get(SERVICE_ACCOUNTS, ns, sa)) {
          const msg = `failed to run spark-submit: pods "${driverName}" is forbidden: error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found`;
          this.writeAppStatus(app, { ...status, applicationState: { state: 'SUBMISSION_FAILED', errorMessage: msg } });
          this.events.record(app, 'Warning', 'SparkApplicationSubmissionFailed', `SparkApplication ${name} failed submission: ${msg}`, SOURCE);
          run.step = 'ending';
          return;
        }
        this.createPod(app, driverName, DRIVER, 'driver', run.submissionId);
        status.submissionID = run.submissionId;
        status.sparkApplicationId = `spark-${randomSuffix(10)}`;
        status.executionAttempts = (status.executionAttempts ?? 0) + 1;
        status.driverInfo = {
          podName: driverName,
          webUIServiceName: `${name}-ui-svc`,
          webUIPort: 4040,
          webUIAddress: `10.96.0.${(run.attempt % 200) + 10}:4040`,
        };
        status.applicationState = { state: 'SUBMITTED' };
        this.writeAppStatus(app, status);
        this.events.record(app, 'Normal', 'SparkApplicationSubmitted', `SparkApplication ${name} was submitted successfully`, SOURCE);
        run.step = 'start';
        return;
      }
      case 'start': {
        this.setPhase(ns, driverName, 'Running');
        this.logs.append(ns, driverName, DRIVER, `Running Spark version ${app.spec.sparkVersion}\nSubmitted application: ${app.spec.mainApplicationFile}`);
        const n =
          app.spec.executor?.instances ??
          (app.spec.dynamicAllocation?.enabled ? (app.spec.dynamicAllocation.initialExecutors ?? app.spec.dynamicAllocation.minExecutors ?? 1) : 1);
        status.executorState = {};
        for (let i = 1; i <= n; i++) {
          const pod = `${name}-exec-${i}`;
          this.createPod(app, pod, EXECUTOR, 'executor', run.submissionId, i);
          status.executorState[pod] = 'PENDING';
        }
        status.applicationState = { state: 'RUNNING' };
        this.writeAppStatus(app, status);
        this.events.record(app, 'Normal', 'SparkDriverRunning', `Driver ${driverName} is running`, SOURCE);
        run.step = 'executors';
        return;
      }
      case 'executors': {
        for (const pod of Object.keys(status.executorState ?? {})) {
          this.setPhase(ns, pod, 'Running');
          status.executorState[pod] = 'RUNNING';
          this.events.record(app, 'Normal', 'SparkExecutorRunning', `Executor ${pod} is running`, SOURCE);
        }
        this.writeAppStatus(app, status);
        this.logs.append(ns, driverName, DRIVER, `Registered ${Object.keys(status.executorState ?? {}).length} executor(s)`);
        run.step = 'running';
        run.ticks = 0;
        return;
      }
      case 'running': {
        run.ticks++;
        this.logs.append(ns, driverName, DRIVER, `Stage ${run.ticks} finished`);
        if (run.ticks < this.opts.runSteps) return;
        const ok = !fail;
        if (!ok) this.logs.append(ns, driverName, DRIVER, 'Traceback (most recent call last):\nRuntimeError: job failed');
        this.setPhase(ns, driverName, ok ? 'Succeeded' : 'Failed', ok ? 0 : 1);
        this.logs.terminate(ns, driverName, DRIVER);
        for (const pod of Object.keys(status.executorState ?? {})) {
          status.executorState[pod] = ok ? 'COMPLETED' : 'FAILED';
          // The driver removes its executors when it ends (deleteOnTermination, the default).
          if (this.store.get(PODS, ns, pod)) this.store.delete(PODS, ns, pod);
        }
        status.applicationState = { state: ok ? 'SUCCEEDING' : 'FAILING' };
        this.writeAppStatus(app, status);
        this.events.record(
          app,
          ok ? 'Normal' : 'Warning',
          ok ? 'SparkDriverCompleted' : 'SparkDriverFailed',
          `Driver ${driverName} ${ok ? 'completed' : 'failed'}`,
          SOURCE,
        );
        run.step = 'ending';
        return;
      }
      case 'ending': {
        const state = status.applicationState?.state;
        const ok = state === 'SUCCEEDING';
        const policy = app.spec.restartPolicy ?? {};
        const retries = state === 'SUBMISSION_FAILED' ? (policy.onSubmissionFailureRetries ?? 0) : (policy.onFailureRetries ?? 0);
        if (!ok && policy.type === 'OnFailure' && run.attempt <= retries) {
          status.applicationState = { state: 'PENDING_RERUN' };
          this.writeAppStatus(app, status);
          run.step = 'rerun';
          return;
        }
        status.applicationState = ok
          ? { state: 'COMPLETED' }
          : {
              state: 'FAILED',
              errorMessage: state === 'SUBMISSION_FAILED' ? status.applicationState.errorMessage : 'driver container failed with ExitCode: 1, Reason: Error',
            };
        status.terminationTime = nowRfc3339();
        this.writeAppStatus(app, status);
        this.events.record(
          app,
          ok ? 'Normal' : 'Warning',
          ok ? 'SparkApplicationCompleted' : 'SparkApplicationFailed',
          `SparkApplication ${name} ${ok ? 'completed' : 'failed'}`,
          SOURCE,
        );
        run.step = 'done';
        return;
      }
      case 'rerun': {
        // The old driver goes; the app is submitted again.
        if (this.store.get(PODS, ns, driverName)) this.store.delete(PODS, ns, driverName);
        run.attempt++;
        run.submissionId = randomSuffix(8);
        run.step = 'submit';
        return;
      }
      case 'done':
        return;
    }
  }

  private writeAppStatus(app: any, status: any): void {
    const cur = this.store.get(APPS, app.metadata.namespace, app.metadata.name);
    if (!cur || cur.metadata.uid !== app.metadata.uid) return;
    this.store.update(APPS, { ...cur, status });
  }

  private createPod(owner_: any, name: string, container: string, role: string, submissionId: string, execId?: number): void {
    const ns = owner_.metadata.namespace;
    if (this.store.get(PODS, ns, name)) return;
    const labels: Record<string, string> = {
      ...(owner_.metadata.labels ?? {}),
      'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
      'spark-role': role,
      ...(owner_.kind === 'SparkConnect'
        ? { 'sparkoperator.k8s.io/connect-name': owner_.metadata.name }
        : { 'sparkoperator.k8s.io/app-name': owner_.metadata.name, 'sparkoperator.k8s.io/submission-id': submissionId }),
      ...(execId !== undefined ? { 'spark-exec-id': String(execId) } : {}),
    };
    const pod: any = {
      metadata: { name, namespace: ns, labels, ownerReferences: owner(owner_) },
      spec: {
        containers: [{ name: container, image: owner_.spec.image ?? 'apache/spark:4.0.4' }],
        serviceAccountName: owner_.spec.driver?.serviceAccount ?? 'default',
      },
    };
    pod.status = podStatus(pod, 'Pending', { scheduledAt: nowRfc3339() });
    this.store.create(PODS, pod);
  }

  private setPhase(ns: string, name: string, phase: 'Running' | 'Succeeded' | 'Failed', exitCode = 0): void {
    const pod = this.store.get(PODS, ns, name);
    if (!pod) return;
    const now = nowRfc3339();
    pod.status = podStatus(pod, phase, { scheduledAt: now, startedAt: now, finishedAt: phase === 'Running' ? undefined : now }, exitCode);
    this.store.update(PODS, pod);
  }

  // ---- SparkConnect ----------------------------------------------------------------------------

  private reconcileConnect(s: any): void {
    const ns = s.metadata.namespace;
    const name = s.metadata.name;
    const server = `${name}-server`;
    const fail = s.metadata.labels?.[FAIL_LABEL] === 'true';
    const status = structuredClone(s.status ?? {});
    const pod = this.store.get(PODS, ns, server);
    if (!pod) {
      this.createPod(s, server, DRIVER, 'connect-server', '');
      if (!this.store.get(SERVICES, ns, server)) {
        this.store.create(SERVICES, {
          metadata: { name: server, namespace: ns, ownerReferences: owner(s) },
          spec: {
            selector: {
              'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
              'sparkoperator.k8s.io/connect-name': name,
              'spark-role': 'connect-server',
              'spark-version': s.spec.sparkVersion,
            },
            ports: [
              { name: 'driver-rpc', port: 7078 },
              { name: 'blockmanager', port: 7079 },
              { name: 'web-ui', port: 4040 },
              { name: 'spark-connect-server', port: 15002 },
            ],
          },
        });
      }
      if (!this.store.get(CONFIGMAPS, ns, `${name}-conf`))
        this.store.create(CONFIGMAPS, { metadata: { name: `${name}-conf`, namespace: ns, ownerReferences: owner(s) }, data: {} });
      this.writeConnectStatus(s, {
        ...status,
        state: 'NotReady',
        startTime: nowRfc3339(),
        server: { podName: server, serviceName: server },
        conditions: [readyCondition(false)],
        executors: {},
        lastUpdateTime: nowRfc3339(),
      });
      return;
    }
    if (status.state === 'Ready' || (fail && pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff')) return;
    if (fail) {
      this.logs.append(
        ns,
        server,
        DRIVER,
        'Exception in thread "main" java.lang.ClassNotFoundException: org.apache.spark.sql.connect.service.SparkConnectServer',
      );
      pod.status = podStatus(pod, 'Running', { scheduledAt: nowRfc3339() });
      pod.status.containerStatuses[0].ready = false;
      pod.status.containerStatuses[0].restartCount = 3;
      pod.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } };
      this.store.update(PODS, pod);
      this.writeConnectStatus(s, {
        ...status,
        conditions: [readyCondition(false, 'Server pod is not ready: containers with unready status: [spark-kubernetes-driver]')],
        lastUpdateTime: nowRfc3339(),
      });
      return;
    }
    this.setPhase(ns, server, 'Running');
    this.logs.append(ns, server, DRIVER, `Spark Connect server started at: [::]:15002`);
    const n = s.spec.executor?.instances ?? 1;
    for (let i = 1; i <= n; i++) {
      const exec = `${name}-exec-${i}`;
      this.createPod(s, exec, EXECUTOR, 'executor', '', i);
      this.setPhase(ns, exec, 'Running');
    }
    const ip = this.store.get(PODS, ns, server)?.status?.podIP;
    this.writeConnectStatus(s, {
      ...status,
      state: 'Ready',
      server: { podName: server, podIp: ip, serviceName: server },
      conditions: [readyCondition(true)],
      executors: n ? { running: n } : {},
      lastUpdateTime: nowRfc3339(),
    });
  }

  private writeConnectStatus(s: any, status: any): void {
    const cur = this.store.get(CONNECTS, s.metadata.namespace, s.metadata.name);
    if (!cur || cur.metadata.uid !== s.metadata.uid) return;
    this.store.update(CONNECTS, { ...cur, status });
  }
}

function readyCondition(ready: boolean, message?: string): any {
  return {
    type: 'ServerPodReady',
    status: ready ? 'True' : 'False',
    reason: ready ? 'ServerPodReady' : 'ServerPodNotReady',
    message: message ?? (ready ? 'Server pod is ready' : 'Server pod is not ready'),
    lastTransitionTime: nowRfc3339(),
  };
}
