/**
 * The job wrapper: a small Python program, run by the system python3, that owns one local job.
 * It is started detached (own session and process group), so it neither dies with the server nor
 * needs it: it runs the job's steps (create venv, pip install, the training command), appends
 * their output to run/output.log with an index of (time, byte offset) for `since` queries, and
 * writes run/exit.json atomically when the job ends. A SIGTERM to the group (delete, deadline)
 * still lets it record how the job ended.
 *
 * Kept as a string so the compiled package needs no extra asset; it is written into the store
 * under a content-addressed name, so running jobs keep the version they started with.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DIR_MODE, writeFileAtomic } from './atomicFile.js';
import { isErrno } from './errors.js';

/** config.json: everything the wrapper needs; the env is complete (nothing is inherited). */
export interface WrapperConfig {
  env: Record<string, string>;
  cwd: string;
  log: string;
  index: string;
  exit: string;
  processFile: string;
  steps: WrapperStep[];
}

export interface WrapperStep {
  /** Recorded in exit.json when this step fails: venv | install | run. */
  stage: string;
  argv: string[];
  /** Extra env for this step only (pip settings). */
  env?: Record<string, string>;
  /** Send the step's output to this file instead of the job log (pip, venv). */
  logFile?: string;
  /** Lines for the job log before / after success / after failure (then the tail of logFile). */
  announce?: string;
  success?: string;
  failure?: string;
}

/** Index records: little-endian int64 epoch milliseconds, int64 byte offset of the log. */
export const INDEX_RECORD_BYTES = 16;
/** A new index record is written at most this often (the `since` granularity). */
export const INDEX_INTERVAL_MS = 1000;

export const WRAPPER_SOURCE = String.raw`"""kubeflow-mcp local job wrapper (see src/kubeflow/trainer/backends/local/wrapper.ts)."""
import json
import os
import signal
import struct
import subprocess
import sys
import time

INDEX_INTERVAL = ${INDEX_INTERVAL_MS / 1000}
FAILURE_TAIL = 30


def iso_now():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


def write_json_atomic(path, value):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(value, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    try:
        dfd = os.open(os.path.dirname(path), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def open_append(path):
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


class Output:
    """The job log and its index of (epoch ms, byte offset) records."""

    def __init__(self, log_path, index_path):
        self.log = open_append(log_path)
        self.index = open_append(index_path)
        self.offset = os.fstat(self.log).st_size
        self.last_mark = None

    def write(self, data):
        now = time.time()
        if self.last_mark is None or now - self.last_mark >= INDEX_INTERVAL:
            os.write(self.index, struct.pack("<qq", int(now * 1000), self.offset))
            self.last_mark = now
        view = memoryview(data)
        while view:
            view = view[os.write(self.log, view):]
        self.offset += len(data)

    def line(self, text):
        self.write((text + "\n").encode("utf-8", "replace"))


def tail_of(path, count):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65536))
            data = f.read()
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()[-count:]


def outcome(stage, status):
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = "signal %d" % -status
        return {"stage": stage, "exitCode": None, "signal": name}
    return {"stage": stage, "exitCode": status, "signal": None}


def run_step(step, cfg, out):
    """Runs one step in the wrapper's process group; returns its wait status (negative = signal)."""
    capture = open_append(step["logFile"]) if step.get("logFile") else None
    env = dict(cfg["env"])
    env.update(step.get("env") or {})
    try:
        child = subprocess.Popen(
            step["argv"],
            cwd=cfg["cwd"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=capture if capture is not None else subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as e:
        out.line("ERROR: cannot start %s: %s" % (step["argv"][0], e))
        return 127
    finally:
        if capture is not None:
            os.close(capture)
    if child.stdout is not None:
        fd = child.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out.write(chunk)
        child.stdout.close()
    return child.wait()


def main(cfg):
    stopped = []

    def on_stop(signum, frame):
        # The whole group got it; the step ends on its own and we record how.
        stopped.append(signum)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    write_json_atomic(cfg["processFile"], {"pid": os.getpid(), "startedAt": iso_now()})
    out = Output(cfg["log"], cfg["index"])
    result = {"stage": "run", "exitCode": 0, "signal": None}
    for step in cfg["steps"]:
        if stopped:
            result = {"stage": step["stage"], "exitCode": None, "signal": signal.Signals(stopped[0]).name}
            break
        if step.get("announce"):
            out.line(step["announce"])
        status = run_step(step, cfg, out)
        result = outcome(step["stage"], status)
        if status != 0:
            if step.get("failure"):
                out.line(step["failure"])
                if step.get("logFile"):
                    for line in tail_of(step["logFile"], FAILURE_TAIL):
                        out.line(line)
            break
        if step.get("success"):
            out.line(step["success"])
    result["finishedAt"] = iso_now()
    write_json_atomic(cfg["exit"], result)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        config = json.load(f)
    try:
        main(config)
    except BaseException as e:
        # Never leave the server waiting for an exit record that will not come.
        write_json_atomic(config["exit"], {"stage": "wrapper", "exitCode": None, "signal": None, "finishedAt": iso_now(), "error": repr(e)})
        raise
`;

/** Writes the wrapper into <storeDir>/bin once per version and returns its path. */
export async function installWrapper(storeDir: string): Promise<string> {
  const hash = createHash('sha256').update(WRAPPER_SOURCE).digest('hex').slice(0, 12);
  const file = path.join(storeDir, 'bin', `job-wrapper-${hash}.py`);
  try {
    if ((await readFile(file, 'utf8')) === WRAPPER_SOURCE) return file;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE });
  await writeFileAtomic(file, WRAPPER_SOURCE);
  return file;
}
