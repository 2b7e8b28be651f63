"""Fixtures of the end-to-end suite: a real `gatehouse serve` process and helpers that drive it
with the real AWS CLI (``.venv/bin/aws``), boto3 and raw signed HTTP.

Nothing is built here: the suite runs the binary at ``target/debug/gatehouse`` (or
``$GATEHOUSE_BIN``); ``scripts/test-all.sh`` builds it first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The pinned AWS CLI: next to the running interpreter (the venv's), else the repo's .venv.
_HERE_AWS = Path(sys.executable).parent / "aws"
AWS_CLI = str(_HERE_AWS if _HERE_AWS.exists() else REPO / ".venv" / "bin" / "aws")
REGION = "us-east-1"

# Timeouts: no request, CLI run or server start may hang the suite.
CLI_TIMEOUT = 60
HTTP_TIMEOUT = 15
START_TIMEOUT = 30
STOP_TIMEOUT = 15


@dataclass(frozen=True)
class Account:
    """An account declared in the accounts file, with its fixed root key."""

    name: str
    id: str
    access_key_id: str
    secret_access_key: str
    profile: str


PROD = Account(
    "prod",
    "111111111111",
    "AKIAE2EPRODROOT00001",
    "e2eProdRootSecretKey0000000000000000000A",
    "prod-account",
)
DEV = Account(
    "dev",
    "222222222222",
    "AKIAE2EDEVROOT000002",
    "e2eDevRootSecretKey00000000000000000000B",
    "dev-account",
)
THIRD = Account(
    "third",
    "333333333333",
    "AKIAE2ETHIRDROOT0003",
    "e2eThirdRootSecretKey000000000000000000C",
    "third-account",
)
ACCOUNTS = (PROD, DEV, THIRD)


def gatehouse_bin() -> Path:
    path = Path(os.environ.get("GATEHOUSE_BIN", REPO / "target" / "debug" / "gatehouse"))
    if not path.is_absolute():
        path = REPO / path
    return path


def clean_env() -> dict[str, str]:
    """The process environment without any AWS_* variable of the host (credentials, profile,
    endpoint, region), so that only what a test sets reaches a client."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def pytest_configure(config):
    # boto3 and botocore in this process must not see the host's AWS settings either.
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[k]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GatehouseServer:
    """One `gatehouse serve` process over one data directory. `restart()` and `kill9()` keep
    the data directory (and, when it is free, the port)."""

    def __init__(self, root: Path, accounts: tuple[Account, ...] = ACCOUNTS, extra_args: tuple[str, ...] = ()):
        self.root = root
        self.extra_args = list(extra_args)
        self.data_dir = root / "data"
        self.accounts_file = root / "accounts.toml"
        self.log_path = root / "server.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.starts = 0
        self.log_offset = 0
        self.accounts_file.write_text(
            "".join(
                f'[[accounts]]\nname = "{a.name}"\nid = "{a.id}"\n'
                f'root_access_key_id = "{a.access_key_id}"\n'
                f'root_secret_access_key = "{a.secret_access_key}"\n\n'
                for a in accounts
            )
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, n: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return ""
        return "\n".join(lines[-n:])

    def _spawn(self, port: int) -> None:
        binary = gatehouse_bin()
        if not binary.exists():
            raise RuntimeError(
                f"{binary} does not exist: build it with `cargo build -p gatehouse` "
                "or point GATEHOUSE_BIN at the binary"
            )
        self.starts += 1
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        log.write(f"\n===== start #{self.starts} on port {port} =====\n".encode())
        log.flush()
        self.port = port
        self.proc = subprocess.Popen(
            [
                str(binary),
                "serve",
                "--listen",
                f"127.0.0.1:{port}",
                "--data-dir",
                str(self.data_dir),
                "--accounts",
                str(self.accounts_file),
                *self.extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**clean_env(), "RUST_LOG": os.environ.get("RUST_LOG", "info")},
        )
        log.close()

    def _announced(self) -> bool:
        """True once this start's process printed its `Gatehouse listening on` line (printed
        after the data directory is open and the accounts exist)."""
        with open(self.log_path, "rb") as f:
            f.seek(self.log_offset)
            return f"Gatehouse listening on {self.endpoint}".encode() in f.read()

    def _wait_ready(self) -> bool:
        """Waits until this process announced itself and answers HTTP (any status). False if
        the process died (e.g. the port was taken)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if not self._announced():
                time.sleep(0.02)
                continue
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=2).read()
                return True
            except urllib.error.HTTPError:
                return True  # an AWS error response: the server is up
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                time.sleep(0.05)
        raise RuntimeError(
            f"gatehouse did not answer on {self.endpoint} within {START_TIMEOUT}s:\n{self.log_tail()}"
        )

    def start(self, port: int | None = None) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        candidates = [port] if port else []
        candidates += [free_port() for _ in range(3)]
        for p in candidates:
            self._spawn(p)
            if self._wait_ready():
                return
        raise RuntimeError(f"gatehouse exited at start:\n{self.log_tail()}")

    def stop(self) -> int | None:
        """SIGTERM (graceful shutdown), then SIGKILL if it does not exit in time."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
            raise RuntimeError(f"gatehouse did not stop on SIGTERM:\n{self.log_tail()}")

    def kill9(self) -> None:
        """Kills the server with SIGKILL: no shutdown code runs."""
        assert self.proc is not None and self.proc.poll() is None, "not running"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)

    def restart(self, hard: bool = False) -> int | None:
        """Stops (SIGTERM, or SIGKILL when `hard`) and starts again on the same data directory,
        on the same port when it is free. Returns the exit status of the stopped process."""
        port = self.port
        if hard:
            self.kill9()
        else:
            self.stop()
        status = self.proc.returncode
        self.start(port)
        return status

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)


class AwsCli:
    """Runs the real AWS CLI against a server, with a private AWS_CONFIG_FILE and
    AWS_SHARED_CREDENTIALS_FILE defining `prod-account`, `dev-account` and `third-account`
    (root keys), a `[default]` profile with no credentials, and any profile added later.
    awscli 1.x honours `endpoint_url` in a config profile (botocore >= 1.31), so no
    `--endpoint-url` is needed on the command line."""

    def __init__(self, server: GatehouseServer, workdir: Path):
        self.server = server
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = workdir / "aws-config"
        self.credentials_file = workdir / "aws-credentials"
        self.profiles: dict[str, tuple[str, str]] = {
            a.profile: (a.access_key_id, a.secret_access_key) for a in ACCOUNTS
        }
        self.write_files()

    def write_files(self) -> None:
        """(Re)writes the config and credentials files for the server's current endpoint."""
        config = [f"[default]\nregion = {REGION}\nendpoint_url = {self.server.endpoint}\noutput = json\n"]
        creds = []
        for name, (key, secret) in self.profiles.items():
            config.append(
                f"[profile {name}]\nregion = {REGION}\nendpoint_url = {self.server.endpoint}\noutput = json\n"
            )
            creds.append(f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
        self.config_file.write_text("\n".join(config))
        self.credentials_file.write_text("\n".join(creds))

    def add_profile(self, name: str, access_key_id: str, secret_access_key: str) -> None:
        self.profiles[name] = (access_key_id, secret_access_key)
        self.write_files()

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = clean_env()
        env.update(
            {
                "AWS_CONFIG_FILE": str(self.config_file),
                "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials_file),
                # One attempt: a retried error would hide what the server answered first.
                "AWS_MAX_ATTEMPTS": "1",
                "AWS_RETRY_MODE": "standard",
                "PATH": f"{Path(AWS_CLI).parent}{os.pathsep}{env.get('PATH', '')}",
            }
        )
        if extra:
            env.update(extra)
        return env

    def run(
        self,
        *args: str,
        profile: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        cmd = [AWS_CLI, *args]
        if profile:
            cmd += ["--profile", profile]
        cmd += ["--cli-connect-timeout", "10", "--cli-read-timeout", "30"]
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"aws {' '.join(args)} (profile {profile}) exited {proc.returncode}:\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}\nserver log:\n{self.server.log_tail(20)}"
            )
        return proc

    def json(self, *args: str, profile: str | None = None) -> dict:
        out = self.run(*args, profile=profile).stdout
        return json.loads(out) if out.strip() else {}

    def bash(self, script: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Runs a bash script in the work directory with `aws` (the pinned CLI) first on PATH."""
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.workdir,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT * 3,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"bash script exited {proc.returncode}:\n{script}\nstdout: {proc.stdout}\n"
                f"stderr: {proc.stderr}\nserver log:\n{self.server.log_tail(20)}"
            )
        return proc


_CLI_ERROR = re.compile(
    r"An error occurred \((?P<code>[^)]+)\) when calling the (?P<op>\w+) operation"
    r"(?: \([^)]*\))?: (?P<message>.*)",
    re.DOTALL,
)


def err(exc: pytest.ExceptionInfo) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a botocore ClientError."""
    resp = exc.value.response
    return (
        resp["ResponseMetadata"]["HTTPStatusCode"],
        resp["Error"].get("Code", ""),
        resp["Error"].get("Message", ""),
    )


def cli_error(proc: subprocess.CompletedProcess) -> tuple[str, str]:
    """The error code and message of a failed AWS CLI run, from awscli 1.x's stderr line
    `An error occurred (Code) when calling the Op operation[ (reached max retries: N)]: Message`."""
    assert proc.returncode != 0, f"expected a failure, got exit 0: {proc.stdout}"
    match = _CLI_ERROR.search(proc.stderr)
    assert match, f"no AWS error on stderr: {proc.stderr!r}"
    return match["code"], match["message"].strip()


def _new_server(kind: str) -> GatehouseServer:
    root = Path(tempfile.mkdtemp(prefix=f"gatehouse-e2e-{kind}-"))
    server = GatehouseServer(root)
    server.start()
    return server


def _finish(server: GatehouseServer, failed: bool) -> None:
    server.close()
    if failed or os.environ.get("GATEHOUSE_E2E_KEEP"):
        sys.stderr.write(f"\n[e2e] kept {server.root} (server log: {server.log_path})\n")
    else:
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def server(request):
    """A server shared by the whole session (tests create uniquely named entities)."""
    s = _new_server("session")
    yield s
    _finish(s, request.session.testsfailed > 0)


@pytest.fixture(scope="module")
def fresh_server(request):
    """A server of its own, on a fresh data directory, for one test module (restarts it)."""
    s = _new_server(request.module.__name__.rsplit(".", 1)[-1])
    yield s
    _finish(s, request.session.testsfailed > 0)


@pytest.fixture(scope="module")
def fresh_cli(fresh_server, tmp_path_factory):
    return AwsCli(fresh_server, tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="session")
def cli(server, tmp_path_factory):
    return AwsCli(server, tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="session")
def unique():
    """`unique("name")`: a name no other test of the session uses."""
    counter = iter(range(1, 1_000_000))
    stamp = format(int(time.time() * 1000) % 1_000_000, "06d")

    def make(prefix: str) -> str:
        return f"{prefix}{stamp}x{next(counter)}"

    return make


# ----- The demo world: `gatehouse serve --demo --write-aws-config DIR` -----


class DemoServer(GatehouseServer):
    """`gatehouse serve --demo --write-aws-config ROOT/aws`: the walkthrough's world (prod
    111111111111 owns `log-bucket` with `example.log`; dev 222222222222 has group LogAnalysts
    with user `analyst`), plus THIRD (333333333333, fixed root key) from an accounts file.
    The server writes `ROOT/aws/config` (profiles `default`, `prod-account`, `dev-account`,
    each with `endpoint_url`) and `ROOT/aws/credentials` (prod's root key; dev's `analyst`)."""

    def __init__(self, root: Path):
        self.aws_dir = root / "aws"
        super().__init__(
            root,
            accounts=(THIRD,),
            extra_args=("--demo", "--write-aws-config", str(root / "aws")),
        )

    @property
    def config_file(self) -> Path:
        return self.aws_dir / "config"

    @property
    def credentials_file(self) -> Path:
        return self.aws_dir / "credentials"

    def profile_key(self, profile: str) -> tuple[str, str]:
        """(access key id, secret) of a profile of the written credentials file."""
        import configparser

        parser = configparser.ConfigParser()
        parser.read(self.credentials_file)
        return parser[profile]["aws_access_key_id"], parser[profile]["aws_secret_access_key"]


class DemoCli(AwsCli):
    """The AWS CLI with exactly the files the demo server wrote: AWS_CONFIG_FILE and
    AWS_SHARED_CREDENTIALS_FILE point at them, so the endpoint comes from the profiles. Other
    identities are passed as AWS_ACCESS_KEY_ID/… in `env` (the `default` profile gives the
    endpoint)."""

    def __init__(self, server: DemoServer, workdir: Path):
        self.server = server
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = server.config_file
        self.credentials_file = server.credentials_file
        self.profiles = {}

    def write_files(self) -> None:  # the server wrote them
        pass

    def add_profile(self, name: str, access_key_id: str, secret_access_key: str) -> None:
        raise NotImplementedError("pass other identities with creds_env()")


def creds_env(access_key_id: str, secret_access_key: str, session_token: str | None = None) -> dict[str, str]:
    """Environment variables that make the AWS CLI sign as the given key."""
    env = {"AWS_ACCESS_KEY_ID": access_key_id, "AWS_SECRET_ACCESS_KEY": secret_access_key}
    if session_token:
        env["AWS_SESSION_TOKEN"] = session_token
    return env


@pytest.fixture(scope="module")
def demo_server(request):
    """A `serve --demo --write-aws-config` server of its own for one test module."""
    root = Path(tempfile.mkdtemp(prefix="gatehouse-e2e-demo-"))
    s = DemoServer(root)
    s.start()
    yield s
    _finish(s, request.session.testsfailed > 0)


@pytest.fixture(scope="module")
def demo_cli(demo_server, tmp_path_factory):
    return DemoCli(demo_server, tmp_path_factory.mktemp("demo-cli"))


# ----- boto3 helpers -----


def boto3_client(
    service: str,
    endpoint: str,
    access_key_id: str,
    secret_access_key: str,
    session_token: str | None = None,
    addressing_style: str = "path",
    region: str = REGION,
    validate_params: bool = True,
):
    """A boto3 client for `service` at `endpoint`, signing SigV4 (s3v4 for S3) with one attempt.
    `validate_params=False` sends what it is given: botocore checks lengths and ranges itself,
    and the server must check them too."""
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4" if service == "s3" else None,
        s3={"addressing_style": addressing_style},
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        parameter_validation=validate_params,
    )
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
        config=config,
    )


def user_client(endpoint: str, service: str, name: str, statements: list[dict]):
    """A `service` client for a new IAM user `name` of prod whose one inline policy holds
    `statements`."""
    iam = boto3_client("iam", endpoint, PROD.access_key_id, PROD.secret_access_key)
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": statements}
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3_client(service, endpoint, key["AccessKeyId"], key["SecretAccessKey"])


@pytest.fixture
def localhost_subdomains():
    """Makes `<anything>.localhost` resolve to 127.0.0.1 in this process, as RFC 6761 asks
    (curl and systemd-resolved do it; glibc's resolver does not), for virtual-host style
    addressing against `http://localhost:PORT`."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and (host == "localhost" or host.endswith(".localhost")):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    yield
    socket.getaddrinfo = original
