"""Starts moto_server with two patches; moto itself is not edited. `meshctl sandbox up` and the e2e
tests start moto through this file (the build copies it into dist/).

moto 5.2.1's RunTask sums each container's `memory`/`memoryReservation` and answers HTTP 500 when a
container has neither (the envoy container has neither, which Fargate allows: the task-level memory
covers it). The patch counts such a container as 0 MiB, the way Fargate does.

moto 5.2.1's App Mesh writes createdAt/lastUpdatedAt as "22/11/2026, 20:42:35", which no AWS SDK
can parse (App Mesh sends epoch seconds), so every App Mesh answer fails to deserialize. The patch
rewrites those two fields to epoch seconds in App Mesh answers.

With MOTO_IAM_LOAD_MANAGED_POLICIES=true, moto builds its ~1,300 AWS managed policies again in every
IAM backend (each account and partition, after each reset): seconds each time. MESHCTL_MOTO_MANAGED_POLICIES
(comma-separated names, e.g. AWSAppMeshEnvoyAccess) keeps only those: the e2e tests set it.

Two settings make each request and each reset cheaper, the sandbox's as the tests': moto lists its own
package folder again on every request to find the service a host names (cached here: it does not change
while the server runs), and it loads some thousand default AMIs into every EC2 backend after each reset
(none of meshctl's worlds uses one; MOTO_EC2_LOAD_DEFAULT_AMIS=true brings them back). Starting is
cheaper too: moto opens a new boto3 Session in several places as it loads, and each Session parsed
botocore's endpoint list and the EC2 model again (a fifth of moto's start-up); each of botocore's data
files is parsed once here (they do not change while the server runs). Each request is cheaper too (a sixth
less CPU): a response class's method names are listed once, not per request, and the serializer looks a
plain member up under its own name before building its six alias providers (see the patch for when).
MESHCTL_MOTO_QUIET=1 (the e2e tests) leaves out werkzeug's line per request in the log.

MESHCTL_MOTO_SNAPSHOTS=1 (the e2e tests) adds two calls: POST /meshctl-api/snapshot?name=N keeps a deep
copy of every resource moto holds, POST /meshctl-api/restore?name=N puts a fresh copy of it back (and drops
what services that held nothing then hold now); 404 when no snapshot of that name was taken. The tests
seed each world once per server and restore it before each test, instead of a reset and tens of calls.
A snapshot that cannot be copied answers 500 and the tests reset and seed as before.

Usage: python3 moto_launcher.py [--pid-file FILE] [--until-stdin-closes] -H 127.0.0.1 -p PORT
--pid-file: this process writes its own PID there, so `meshctl sandbox` records the PID of moto itself
even when `python3` is a shim that starts the interpreter as a child.
--until-stdin-closes: the server ends when its stdin (a pipe from the process that started it) reaches
end of file, which happens however that process ends, SIGKILL included; the tests start their moto so,
and no moto outlives a test run.
"""
import functools
import os
import re
import sys
import threading
from datetime import datetime


def _exit_at_end_of_stdin():
    sys.stdin.buffer.read()
    os._exit(0)


# Before moto is imported (seconds on a busy machine), so a server whose parent is gone ends at once.
if __name__ == "__main__" and "--until-stdin-closes" in sys.argv:
    threading.Thread(target=_exit_at_end_of_stdin, daemon=True).start()

os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from botocore import loaders  # noqa: E402

_parsed = {}
_original_load_file = loaders.JSONFileLoader.load_file


def _load_file_once(self, file_path):
    if file_path not in _parsed:
        _parsed[file_path] = _original_load_file(self, file_path)
    return _parsed[file_path]


loaders.JSONFileLoader.load_file = _load_file_once

from moto import backends  # noqa: E402
from moto.appmesh import responses as appmesh_responses  # noqa: E402  (after the stdin watch)
from moto.iam import models as iam_models  # noqa: E402
from moto.ecs import models  # noqa: E402

_original = models.EC2ContainerServiceBackend._calculate_task_resource_requirements


def _with_memory_default(task_definition):
    saved = task_definition.container_definitions
    keys = ("memory", "Memory", "memoryReservation", "MemoryReservation")
    task_definition.container_definitions = [
        cd if any(k in cd for k in keys) else {**cd, "memory": 0} for cd in saved
    ]
    try:
        return _original(task_definition)
    finally:
        task_definition.container_definitions = saved


models.EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(_with_memory_default)

_APPMESH_TIME = re.compile(r'"(createdAt|lastUpdatedAt)": "(\d{2}/\d{2}/\d{4}, \d{2}:\d{2}:\d{2})"')
_original_call_action = appmesh_responses.AppMeshResponse.call_action


def _epoch(match):
    seconds = datetime.strptime(match.group(2), "%d/%m/%Y, %H:%M:%S").timestamp()
    return f'"{match.group(1)}": {seconds}'


def _call_action_with_epoch_times(self):
    status, headers, body = _original_call_action(self)
    if isinstance(body, str):
        body = _APPMESH_TIME.sub(_epoch, body)
    return status, headers, body


appmesh_responses.AppMeshResponse.call_action = _call_action_with_epoch_times



def _only_managed_policies(names):
    import json

    wanted = {n.strip() for n in names.split(",") if n.strip()}
    every = json.loads(iam_models.aws_managed_policies_data)
    iam_models.aws_managed_policies_data = json.dumps({k: v for k, v in every.items() if k in wanted})


if os.environ.get("MESHCTL_MOTO_MANAGED_POLICIES"):
    _only_managed_policies(os.environ["MESHCTL_MOTO_MANAGED_POLICIES"])

from moto.core import responses as core_responses  # noqa: E402
from moto.core import serialize  # noqa: E402

# Each request listed its response class's methods again (inspect.getmembers: a twentieth of a request's
# CPU); a class's methods do not change while the server runs.
core_responses.method_names_from_class = functools.lru_cache(maxsize=None)(core_responses.method_names_from_class)

# The serializer looks each member up through six alias providers, built anew for each key (a fifth of a
# request's CPU). With the default providers, a member whose shape is not a list or structure and whose
# object has no explicit alias is looked up under its own name first (the earlier providers have no alias
# for it): that name is offered before the providers are built, which happens only if it finds nothing.
_original_possible_keys = serialize.AttributePicker.get_possible_keys


def _own_name_first(self, context):
    shape = context.shape
    if (
        self.alias_providers is serialize.DEFAULT_ALIAS_PROVIDERS
        and (shape is None or shape.type_name not in ("list", "structure"))
        and not hasattr(context.obj, "Meta")
    ):
        yield context.key
    yield from _original_possible_keys(self, context)


if serialize.DEFAULT_ALIAS_PROVIDERS[:3] == [serialize.ExplicitAlias, serialize.ShapeNameAlias, serialize.NoAlias]:
    serialize.AttributePicker.get_possible_keys = _own_name_first

_moto_modules = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _moto_modules

if os.environ.get("MESHCTL_MOTO_QUIET") == "1":
    import logging  # noqa: E402

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

from moto.server import main  # noqa: E402  (after the patch, on purpose)


class _Snapshots:
    """Deep copies of moto's resources (see the module's note on MESHCTL_MOTO_SNAPSHOTS)."""

    def __init__(self):
        self.taken = {}

    @staticmethod
    def _every_backend_dict():
        import gc
        from moto.core.base_backend import BackendDict

        return [o for o in gc.get_objects() if isinstance(o, BackendDict)]

    def take(self, name):
        import copy
        from moto.core.base_backend import BackendDict, backend_lock

        with backend_lock:
            held = list(dict.fromkeys(BackendDict._instances))
            every = self._every_backend_dict()
            # The service dicts themselves stay the live ones: only what they hold is copied.
            memo = {id(d): d for d in every}
            contents = copy.deepcopy([dict(d) for d in held], memo)
            self.taken[name] = (held, every, contents)

    def restore(self, name):
        import copy
        from moto.core.base_backend import BackendDict, backend_lock
        from moto.core.model_instances import reset_model_data

        held, every, contents = self.taken[name]
        with backend_lock:
            fresh = copy.deepcopy(contents, {id(d): d for d in every})
            for d in list(dict.fromkeys(BackendDict._instances)):
                if d not in held:
                    dict.clear(d)
            for d, content in zip(held, fresh):
                dict.clear(d)
                dict.update(d, content)
            BackendDict._instances[:] = held
            reset_model_data()


_snapshots = _Snapshots()


def _serve_snapshot_call(environ, start_response):
    import json
    from urllib.parse import parse_qs

    path = environ.get("PATH_INFO", "")
    name = parse_qs(environ.get("QUERY_STRING", "")).get("name", ["default"])[0]
    status, body = "200 OK", {"ok": True}
    try:
        if path == "/meshctl-api/snapshot":
            _snapshots.take(name)
        elif path == "/meshctl-api/restore" and name in _snapshots.taken:
            _snapshots.restore(name)
        else:
            status, body = "404 Not Found", {"ok": False, "error": "no such call, or no snapshot of that name"}
    except Exception as err:  # noqa: BLE001  (something moto holds that cannot be copied: said, and no snapshot)
        _snapshots.taken.pop(name, None)
        status, body = "500 Internal Server Error", {"ok": False, "error": f"{type(err).__name__}: {err}"}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


if os.environ.get("MESHCTL_MOTO_SNAPSHOTS") == "1":
    from moto.moto_server import werkzeug_app  # noqa: E402

    _dispatch = werkzeug_app.DomainDispatcherApplication.__call__

    def _call_with_snapshots(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/meshctl-api/"):
            return _serve_snapshot_call(environ, start_response)
        return _dispatch(self, environ, start_response)

    werkzeug_app.DomainDispatcherApplication.__call__ = _call_with_snapshots


def _take_pid_file(argv):
    if "--pid-file" not in argv:
        return argv
    i = argv.index("--pid-file")
    with open(argv[i + 1], "w", encoding="ascii") as f:
        f.write(str(os.getpid()))
    return argv[:i] + argv[i + 2 :]


if __name__ == "__main__":
    sys.exit(main([a for a in _take_pid_file(sys.argv[1:]) if a != "--until-stdin-closes"]))
