/**
 * The job wrapper: a small Python program, run by the system python3, that owns one local job.
 * It is started detached (own session and process group), so it neither dies with the server nor
 * needs it: it runs the job's steps (create venv, pip install, the training command), appends
 * their output to run/output.log with an index of (time, byte offset) for `since` queries, and
 * writes run/exit.json atomically when the job ends. A SIGTERM to the group (delete, deadline)
 * still lets it record how the job ended.
 *
 * - cgroup: when the server made one for the job, the wrapper moves itself in before anything
 *   else, so everything the job starts is in it (cgroups.ts).
 * - A step ends when its main process ends, as a container does, even if something it started
 *   keeps the output pipe open; the server then stops what was left (supervisor.ts).
 * - Log cap: past `maxLogBytes` the log is rotated: its first quarter (to a line end) stays, a
 *   marker line says how much was dropped, and the latest half follows. The new log and index
 *   are written aside and renamed over the old ones (index first), and run/output.log.rotation
 *   tells a follower where the old file's end lies in the new one (logs.ts).
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
  /** Stored log cap in bytes (0: none). */
  maxLogBytes?: number;
  /** The job's cgroup directory, where the server could make one. */
  cgroup?: string;
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
/**
 * Written by the wrapper at each rotation, before the new log replaces the old one: the latest
 * rotations (RotationRecord in logs.ts), so a reader that slept through several can still place
 * its offset in the log it finds.
 */
export const ROTATION_SUFFIX = '.rotation';
/** How many rotations the record keeps. */
const ROTATION_HISTORY = 16;

const WRAPPER_SOURCE = String.raw`"""kubeflow-mcp local job wrapper (see src/kubeflow/trainer/backends/local/wrapper.ts)."""
import json
import os
import select
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


COPY_CHUNK = 1 << 20
LINE_SEARCH = 65536


def copy_range(src, dst, start, end):
    src.seek(start)
    while start < end:
        data = src.read(min(COPY_CHUNK, end - start))
        if not data:
            break
        dst.write(data)
        start += len(data)


class Output:
    """The job log (capped at max_bytes: head, marker, tail) and its index of (epoch ms, byte offset) records."""

    def __init__(self, log_path, index_path, max_bytes):
        self.log_path = log_path
        self.index_path = index_path
        self.log = open_append(log_path)
        self.index = open_append(index_path)
        self.offset = os.fstat(self.log).st_size
        self.last_mark = None
        self.max = max_bytes
        self.keep = max_bytes // 2
        self.head_end = None
        self.marker_len = 0
        self.dropped = 0
        self.rotations = []
        self.generation = 0

    def write(self, data):
        now = time.time()
        if self.last_mark is None or now - self.last_mark >= INDEX_INTERVAL:
            os.write(self.index, struct.pack("<qq", int(now * 1000), self.offset))
            self.last_mark = now
        view = memoryview(data)
        while view:
            view = view[os.write(self.log, view):]
        self.offset += len(data)
        if self.max and self.offset > self.max:
            self.rotate()

    def rotate(self):
        size = self.offset
        with open(self.log_path, "rb") as src:
            if self.head_end is None:
                at = max(0, self.max // 4 - LINE_SEARCH)
                src.seek(at)
                cut = src.read(self.max // 4 - at).rfind(b"\n")
                self.head_end = at + cut + 1 if cut >= 0 else self.max // 4
            start = max(self.head_end + self.marker_len, size - self.keep)
            src.seek(start)
            nl = src.read(LINE_SEARCH).find(b"\n")
            tail_from = start + nl + 1 if nl >= 0 else start
            self.dropped += tail_from - self.head_end - self.marker_len
            marker = (
                "[kubeflow-mcp: %d bytes of output dropped here; the log keeps its first %d and last %d bytes (--local-max-log-mb)]\n"
                % (self.dropped, self.head_end, self.keep)
            ).encode()
            tmp = self.log_path + ".rotating"
            with open(tmp, "wb") as dst:
                copy_range(src, dst, 0, self.head_end)
                dst.write(marker)
                copy_range(src, dst, tail_from, size)
                rotated_ino = os.fstat(dst.fileno()).st_ino
        shift = self.head_end + len(marker) - tail_from
        with open(self.index_path, "rb") as f:
            raw = f.read()
        records = [struct.unpack_from("<qq", raw, i) for i in range(0, len(raw) - len(raw) % 16, 16)]
        kept = [r for r in records if r[1] < self.head_end]
        before = [r for r in records if r[1] < tail_from]
        if before and before[-1][1] >= self.head_end:
            # Output written at that time now starts at the marker.
            kept.append((before[-1][0], self.head_end))
        kept += [(t, o + shift) for t, o in records if o >= tail_from]
        index_tmp = self.index_path + ".rotating"
        with open(index_tmp, "wb") as f:
            f.write(b"".join(struct.pack("<qq", t, o) for t, o in kept))
        rotated = size + shift
        os.replace(index_tmp, self.index_path)
        self.generation += 1
        self.rotations = (self.rotations + [{
            "gen": self.generation, "ino": rotated_ino, "headEnd": self.head_end, "tailFrom": tail_from, "shift": shift,
        }])[-${ROTATION_HISTORY}:]
        write_json_atomic(self.log_path + "${ROTATION_SUFFIX}", {"sourceSize": size, "rotatedSize": rotated, "rotations": self.rotations})
        os.replace(tmp, self.log_path)
        os.close(self.log)
        os.close(self.index)
        self.log = open_append(self.log_path)
        self.index = open_append(self.index_path)
        self.offset = rotated
        self.marker_len = len(marker)

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
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                out.write(chunk)
            elif child.poll() is not None:
                # The main process ended but something it started holds the output open: the
                # step is over (the server stops what is left); keep what is already there.
                os.set_blocking(fd, False)
                try:
                    while True:
                        chunk = os.read(fd, 65536)
                        if not chunk:
                            break
                        out.write(chunk)
                except BlockingIOError:
                    pass
                break
        child.stdout.close()
    return child.wait()


def main(cfg):
    stopped = []

    def on_stop(signum, frame):
        # The whole group got it; the step ends on its own and we record how.
        stopped.append(signum)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    cgroup = cfg.get("cgroup")
    if cgroup:
        try:
            with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        except OSError:
            cgroup = None
    write_json_atomic(cfg["processFile"], {"pid": os.getpid(), "startedAt": iso_now(), "cgroup": cgroup})
    out = Output(cfg["log"], cfg["index"], cfg.get("maxLogBytes") or 0)
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
