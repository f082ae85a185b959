#!/usr/bin/env python3
"""PilotScope on Spark: read the touch logs on executors, report on the driver (SPEC §7).

    spark-submit pilotscope_spark.py -c pilotscope.yaml --out report/ [options] [-- REPORT-ARGS...]
    python3 pilotscope_spark.py -c pilotscope.yaml --out report/ --master local[4]

Steps:
  1. driver:    pilotscope partial -c CFG --list-files           -> the touch files
  2. executors: pilotscope partial -c CFG --touches F... --out S -> one state per group of files
  3. executors: pilotscope merge A B --out C                      -> states merged in a tree
                (RDD.treeReduce; its last level runs on the driver)
  4. driver:    pilotscope report -c CFG --touch-state S --out DIR [REPORT-ARGS]

The tables are byte-identical to `pilotscope report -c CFG --out DIR` at the same as_of.

The configuration and every touch file must be readable by the executors at the same path as
on the driver (shared storage: NFS, a DBFS / FUSE mount, ...). A task's unit is a whole file:
gzip is not splittable.

Exit status: the report's (0 ok, 1 data error, 2 usage or configuration error); when a
`partial` or `merge` on an executor fails, its exit status (its command and stderr are
printed); 3 when the Spark job failed for another reason.
"""

import argparse
import datetime
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

EXIT_DATA, EXIT_USAGE, EXIT_SPARK = 1, 2, 3
_STDERR_LIMIT = 8000  # characters of a failed command's stderr kept in the exception
_BEGIN, _END = "<<<pilotscope-error exit=", ">>>end-pilotscope-error"

# Report options the driver sets itself, and must not be passed after `--`.
_RESERVED = {"-c", "--config", "--out", "--as-of", "--touch-state", "--state-dir", "--verify-state"}
# Report options that change what `partial` must do, forwarded to it: flags, then options with a value.
_PARTIAL_FLAGS = {"--keep-pii"}
_PARTIAL_VALUES = {"--csv-engine", "--inflate"}


class PilotScopeError(RuntimeError):
    """A pilotscope command failed. The message carries its exit code, command and stderr between
    markers so that the driver can find them inside Spark's wrapped exception text."""

    def __init__(self, code, text):
        self.code, self.text = code, text
        super().__init__("%s%d\n%s\n%s" % (_BEGIN, code, text.rstrip("\n"), _END))


def _host():
    try:
        return os.uname().nodename
    except Exception:  # pragma: no cover - not POSIX
        return "?"


# ---------------------------------------------------------------------------------------------
# Run on executors and on the driver: kept at module level, with no Spark object captured.


def resolve_binary(spec, driver_path=None):
    """The pilotscope executable for `spec` on this host: a path (relative to the working
    directory), else the path the driver found (local mode: workers run in another working
    directory), else a name on PATH, else a file shipped with `spark-submit --files`."""
    candidates = []
    if os.sep in spec:
        candidates.append(os.path.abspath(spec))
    else:
        found = shutil.which(spec)
        if found:
            candidates.append(found)
    if driver_path:
        candidates.append(driver_path)
    try:  # files shipped with --files / sc.addFile land here (executors, and the driver)
        from pyspark import SparkFiles

        root = SparkFiles.getRootDirectory()
        if root:
            candidates.append(os.path.join(root, os.path.basename(spec)))
    except Exception:
        pass
    for path in candidates:
        if not os.path.isfile(path):
            continue
        if not os.access(path, os.X_OK):
            try:  # some cluster managers localize shipped files without the execute bit
                os.chmod(path, os.stat(path).st_mode | 0o111)
            except OSError:
                copy = os.path.join(tempfile.mkdtemp(prefix="pilotscope-bin-"), os.path.basename(path))
                shutil.copy(path, copy)
                os.chmod(copy, 0o755)
                path = copy
        if os.access(path, os.X_OK):
            return path
    raise PilotScopeError(
        EXIT_USAGE,
        "pilotscope binary %r not found on host %s (PATH=%s, looked at: %s); install it on every "
        "node or ship it with `spark-submit --files pilotscope` and pass --binary ./pilotscope"
        % (spec, _host(), os.environ.get("PATH", ""), ", ".join(candidates) or "nothing"),
    )


def run_checked(cmd):
    """Run a pilotscope command with the process environment; raise PilotScopeError (command,
    exit code, stderr) unless it exits 0."""
    try:
        subprocess.run(cmd, check=True, capture_output=True, env=os.environ.copy())
    except subprocess.CalledProcessError as e:
        err = e.stderr.decode("utf-8", "replace") if e.stderr else ""
        if len(err) > _STDERR_LIMIT:
            err = "[...]\n" + err[-_STDERR_LIMIT:]
        code = e.returncode if e.returncode in (EXIT_DATA, EXIT_USAGE) else EXIT_DATA
        raise PilotScopeError(
            code,
            "command failed with exit status %s on host %s: %s\n%s"
            % (e.returncode, _host(), " ".join(shlex.quote(c) for c in cmd), err or "(no stderr)"),
        ) from None
    except OSError as e:
        raise PilotScopeError(
            EXIT_USAGE, "cannot run %s on host %s: %s" % (shlex.quote(cmd[0]), _host(), e)
        ) from None


def make_partial_task(binary, driver_path, config, as_of, extra):
    """mapPartitions function: each element is a group of touch files; yields its state's bytes."""

    def run(groups):
        exe = resolve_binary(binary, driver_path)
        for files in groups:
            with tempfile.TemporaryDirectory(prefix="pilotscope-partial-") as d:
                out = os.path.join(d, "part.state")
                cmd = [exe, "partial", "-c", config, "--quiet"] + as_of + extra + ["--touches"] + list(files) + ["--out", out]
                run_checked(cmd)
                with open(out, "rb") as f:
                    data = f.read()
            yield data

    return run


def make_merge(binary, driver_path):
    """treeReduce function: two states' bytes -> the bytes of `pilotscope merge a b`."""

    def merge_bytes(a, b):
        exe = resolve_binary(binary, driver_path)
        with tempfile.TemporaryDirectory(prefix="pilotscope-merge-") as d:
            pa, pb, pc = (os.path.join(d, n) for n in ("a.state", "b.state", "c.state"))
            for path, data in ((pa, a), (pb, b)):
                with open(path, "wb") as f:
                    f.write(data)
            run_checked([exe, "merge", "--quiet", pa, pb, "--out", pc])
            with open(pc, "rb") as f:
                return f.read()

    return merge_bytes


# ---------------------------------------------------------------------------------------------
# Driver.


def split_groups(files, tasks=None, per_task=None):
    """Groups of files, one per task. With per_task: consecutive runs of that many files, in the
    config's order. Else `tasks` groups balanced by file size (largest first onto the lightest
    group; files keep the config's order inside a group)."""
    if not files:
        return []
    if per_task:
        return [files[i : i + per_task] for i in range(0, len(files), per_task)]
    n = max(1, min(tasks or 1, len(files)))
    sizes = []
    for i, f in enumerate(files):
        try:
            sizes.append((os.path.getsize(f), i))
        except OSError:
            sizes.append((0, i))
    load = [0] * n
    members = [[] for _ in range(n)]
    for size, i in sorted(sizes, key=lambda s: (-s[0], s[1])):
        g = min(range(n), key=lambda k: (load[k], len(members[k]), k))
        load[g] += size
        members[g].append(i)
    return [[files[i] for i in sorted(m)] for m in members if m]


def parse_args(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    p = argparse.ArgumentParser(
        prog="pilotscope_spark.py",
        description="Run `pilotscope report` with the touch logs read on Spark executors.",
        epilog="Arguments after `--` go to `pilotscope report` (e.g. -- --keep-pii --crm crm.csv). "
        "The config and the touch files must be readable at the same path on every node.",
    )
    p.add_argument("-c", "--config", default="pilotscope.yaml", help="the pilot configuration (default: pilotscope.yaml)")
    p.add_argument("--out", help="the report folder (replaced atomically by pilotscope)")
    p.add_argument("--binary", default="pilotscope", help="the pilotscope executable on every node (default: pilotscope on PATH)")
    p.add_argument("--as-of", help="the report's moment, given to every partial and to the report (default: the config's as_of, else now)")
    p.add_argument("--files-per-task", type=int, help="touch files per Spark task (default: spread over spark.default.parallelism tasks)")
    p.add_argument("--master", help="the Spark master (default: the one configured, else local[2])")
    p.add_argument("--merge-depth", type=int, default=2, help="depth of the merge tree (RDD.treeReduce depth, default 2)")
    p.add_argument("--threads", type=int, help="--threads for each partial on the executors (default: the binary's, the node's cores)")
    p.add_argument("--log-level", default="WARN", help="Spark log level (default WARN)")
    p.add_argument("--app-name", default="pilotscope", help="the Spark application name")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting (repeatable)")
    args = p.parse_args(argv)
    if args.files_per_task is not None and args.files_per_task < 1:
        p.error("--files-per-task must be at least 1")
    if args.merge_depth < 1:
        p.error("--merge-depth must be at least 1")
    if args.threads is not None and args.threads < 1:
        p.error("--threads must be at least 1")
    for kv in args.conf:
        if "=" not in kv:
            p.error("--conf %r: give KEY=VALUE" % kv)
    for tok in extra:
        name = tok.split("=", 1)[0]
        if name in _RESERVED:
            p.error("%s after `--`: give it to the driver itself (--config, --out, --as-of) or not at all" % name)
    if args.out is None and "--table" not in [t.split("=", 1)[0] for t in extra]:
        p.error("give --out DIR (or `-- --table NAME`)")
    return args, extra


def options_for_partial(extra):
    """From the report's extra arguments: the ones `partial` must also get (--keep-pii changes
    the state's fingerprint; the engine options only speed), and the --touches files, which
    replace the config's touch files."""
    forwarded, touches = [], []
    i = 0
    while i < len(extra):
        tok = extra[i]
        name = tok.split("=", 1)[0]
        if name in _PARTIAL_FLAGS:
            forwarded.append(tok)
        elif name in _PARTIAL_VALUES:
            if "=" in tok:
                forwarded.append(tok)
            elif i + 1 < len(extra):
                forwarded += [tok, extra[i + 1]]
                i += 1
        elif name == "--touches":
            if "=" in tok:
                touches.append(tok.split("=", 1)[1])
            while i + 1 < len(extra) and not (extra[i + 1].startswith("-") and extra[i + 1] != "-"):
                touches.append(extra[i + 1])
                i += 1
        i += 1
    return forwarded, touches


def configured_master():
    """True when a master comes from spark-submit or Spark's configuration."""
    if os.environ.get("PYSPARK_GATEWAY_PORT"):  # launched by spark-submit
        return True
    if "--master" in os.environ.get("PYSPARK_SUBMIT_ARGS", "") or os.environ.get("MASTER"):
        return True
    conf_dirs = [os.environ.get("SPARK_CONF_DIR")]
    if os.environ.get("SPARK_HOME"):
        conf_dirs.append(os.path.join(os.environ["SPARK_HOME"], "conf"))
    for d in filter(None, conf_dirs):
        try:
            with open(os.path.join(d, "spark-defaults.conf")) as f:
                if any(re.match(r"\s*spark\.master\s", line) for line in f):
                    return True
        except OSError:
            pass
    return False


def extract_error(exc):
    """(exit code, text) of the PilotScopeError inside a Spark job failure, or (None, None)."""
    text = str(exc)
    m = re.search(re.escape(_BEGIN) + r"(\d+)\n(.*?)\n" + re.escape(_END), text, re.S)
    if not m:
        return None, None
    return int(m.group(1)), m.group(2)


def say(msg):
    sys.stderr.write("pilotscope_spark: %s\n" % msg)
    sys.stderr.flush()


class Spark:
    """The SparkSession, started when first needed (not at all without touch files)."""

    def __init__(self, args):
        self.args, self.session, self.owned = args, None, False

    def context(self):
        if self.session is None:
            from pyspark import SparkContext
            from pyspark.sql import SparkSession

            builder = SparkSession.builder
            if SparkContext._active_spark_context is not None:
                # A notebook or a Databricks Python task: use its session, leave it running.
                self.session = builder.getOrCreate()
                return self.session.sparkContext
            builder = builder.appName(self.args.app_name)
            if self.args.master:
                builder = builder.master(self.args.master)
            elif not configured_master():
                builder = builder.master("local[2]")
            conf = dict(kv.split("=", 1) for kv in self.args.conf)
            if not sys.stderr.isatty():  # no progress bar in logs
                conf.setdefault("spark.ui.showConsoleProgress", "false")
            for key, value in conf.items():
                builder = builder.config(key, value)
            self.session, self.owned = builder.getOrCreate(), True
            self.session.sparkContext.setLogLevel(self.args.log_level)
        return self.session.sparkContext

    def stop(self):
        if self.session is not None and self.owned:
            self.session.stop()
        self.session, self.owned = None, False


def touch_state(spark, args, exe, files, partial_opts):
    """Run the Spark job: the merged state's bytes."""
    sc = spark.context()
    if __name__ != "__main__":  # imported (a notebook, a wrapper): ship this module's code by value
        try:
            from pyspark import cloudpickle

            cloudpickle.register_pickle_by_value(sys.modules[__name__])
        except Exception:
            sc.addPyFile(os.path.abspath(__file__))
    groups = split_groups(files, tasks=sc.defaultParallelism, per_task=args.files_per_task)
    config = os.path.abspath(args.config)  # executors do not share the driver's working directory
    as_of = ["--as-of", args.as_of] if args.as_of else []
    extra = partial_opts + (["--threads", str(args.threads)] if args.threads else [])
    say("%d touch file(s) in %d task(s)" % (len(files), len(groups)))
    rdd = sc.parallelize(groups, len(groups)).mapPartitions(make_partial_task(args.binary, exe, config, as_of, extra))
    return rdd.treeReduce(make_merge(args.binary, exe), depth=args.merge_depth)


def main(argv=None):
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    spark = Spark(args)
    try:
        return run(args, extra, spark)
    finally:
        spark.stop()


def run(args, extra, spark):
    with tempfile.TemporaryDirectory(prefix="pilotscope-driver-") as d:
        return run_in(args, extra, spark, d)


def run_in(args, extra, spark, d):
    try:
        exe = resolve_binary(args.binary)
    except PilotScopeError as e:
        if not os.environ.get("PYSPARK_GATEWAY_PORT"):
            say(e.text)
            return EXIT_USAGE
        # Under spark-submit, a binary shipped with --files is found once Spark has started, in
        # a folder Spark deletes when it stops: keep a copy for the report.
        try:
            spark.context()
            shipped = resolve_binary(args.binary)
        except PilotScopeError as e2:
            say(e2.text)
            return EXIT_USAGE
        exe = os.path.join(d, "bin", os.path.basename(shipped))
        os.mkdir(os.path.dirname(exe))
        shutil.copy(shipped, exe)
        os.chmod(exe, 0o755)
    partial_opts, report_touches = options_for_partial(extra)

    listed = subprocess.run(
        [exe, "partial", "-c", args.config, "--list-files"] + (["--touches"] + report_touches if report_touches else []),
        capture_output=True, env=os.environ.copy(),
    )
    if listed.returncode != 0:
        sys.stderr.write(listed.stderr.decode("utf-8", "replace"))
        return listed.returncode
    files = [line for line in listed.stdout.decode("utf-8", "surrogateescape").split("\n") if line]

    report = [exe, "report", "-c", args.config]
    if args.out is not None:
        report += ["--out", args.out]
    if args.as_of:
        report += ["--as-of", args.as_of]

    if files:
        started = datetime.datetime.now()
        try:
            state = touch_state(spark, args, exe, files, partial_opts)
        except Exception as e:  # a Py4JJavaError / PythonException wrapping the executor's error
            code, text = extract_error(e)
            if code is None:
                say("the Spark job failed:\n%s" % e)
                return EXIT_SPARK
            say("the Spark job failed: %s" % text)
            return code
        path = os.path.join(d, "touches.state")
        with open(path, "wb") as f:
            f.write(state)
        say("touch state: %d byte(s) in %.1f s" % (len(state), (datetime.datetime.now() - started).total_seconds()))
        report += ["--touch-state", path]
    spark.stop()  # the report runs on the driver alone: free Spark's memory first
    # stdout and stderr go straight through (--table prints to stdout).
    return subprocess.run(report + extra, env=os.environ.copy()).returncode


if __name__ == "__main__":
    sys.exit(main())
