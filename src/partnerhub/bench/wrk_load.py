"""The HTTP phases driven by `wrk` (Debian's package) when it is on PATH: a Lua script generated for each run
produces the same workload as the built-in generator (http_load.Workload), and its done() hook prints one
JSON line that is parsed here.

wrk's Lua `request()` and `response()` run per thread, not per connection, and do not say which connection
they serve. So each wrk thread gets its own subscriptions, as many as its connections, on a free list: a
write takes a free subscription, and the answer of that PATCH (a subscription resource, whose `id` comes
first) puts it back. wrk calls `response()` for a connection before it asks `request()` for that
connection's next request, and a connection has one request in flight (no pipelining), so a subscription is
never in two PATCHes at once and its status alternates suspended/active exactly. Should an answer not be
recognised (an error, say), the free list could run dry: the write then reuses a subscription of the thread
and is counted in `shared` (still a valid request: the API answers an unchanged status with 200).

wrk also calls thread 0's `request()` once before the run, to check that the request parses; that call
gets a read and is not counted, so it takes no subscription."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from partnerhub.bench.http_load import HOST, READ_PATHS, WRITE_PATH, WRITE_STATUSES, Workload

MARK = "PARTNERHUB_WRK "
_SAFE = re.compile(r"[A-Za-z0-9._~:/?=&+{}-]*")  # nothing Lua's strings or gsub replacements would read

LUA = r"""
local MARK = "%(mark)s"

local threads, started = {}, 0

function setup(thread)
  thread:set("tid", started)
  started = started + 1
  table.insert(threads, thread)
end

local reads, subs, free, busy = {}, {}, {}, {}
local n, next_read, nbusy, spare, verified = 0, 0, 0, 0, false
ok, bad, sent_reads, sent_writes, shared, first_error = 0, 0, 0, 0, 0, ""

local function headers()
  return {["Host"] = HOST, ["Authorization"] = "Bearer " .. TOKEN, ["Accept"] = "application/json",
          ["Content-Type"] = "application/json"}
end

function init(args)
  for _, id in ipairs(READERS) do
    for _, path in ipairs(READ_PATHS) do
      table.insert(reads, wrk.format("GET", (string.gsub(path, "{id}", id)), headers()))
    end
  end
  next_read = (tid * 97) %% #reads
  for i = 1, PER_THREAD do
    local w = WRITES[tid * PER_THREAD + i]
    if w == nil then break end
    local path = string.gsub(string.gsub(WRITE_PATH, "{customer}", w[1]), "{subscription}", w[2])
    local req = {}
    for k, status in ipairs(WRITE_STATUSES) do
      req[k] = wrk.format("PATCH", path, headers(), '{"status": "' .. status .. '"}')
    end
    subs[i] = {id = w[2], turn = 1, req = req}
    free[#free + 1] = i
  end
end

function request()
  if tid == 0 and not verified then
    -- wrk calls thread 0's request() once before the run to check the request parses: not sent, not counted
    verified = true
    return reads[1]
  end
  n = n + 1
  if (n - 1) %% 10 < WRITE_SHARE and #subs > 0 then
    local i = table.remove(free)
    if i == nil then
      shared = shared + 1
      spare = spare %% #subs + 1
      i = spare
    elseif busy[subs[i].id] == nil then
      busy[subs[i].id] = i
      nbusy = nbusy + 1
    end
    local s = subs[i]
    local r = s.req[s.turn]
    s.turn = 3 - s.turn
    sent_writes = sent_writes + 1
    return r
  end
  sent_reads = sent_reads + 1
  next_read = next_read %% #reads + 1
  return reads[next_read]
end

function response(status, headers, body)
  body = body or ""
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    if first_error == "" then first_error = status .. " " .. string.sub(body, 1, 200) end
  end
  if nbusy > 0 then
    local id = string.match(string.sub(body, 1, 300), '^%%s*{%%s*"id"%%s*:%%s*"([^"]+)"')
    local i = id and busy[id]
    if i then
      busy[id] = nil
      nbusy = nbusy - 1
      free[#free + 1] = i
    end
  end
end

local function json_string(s)
  return '"' .. (string.gsub(s, '[%%c"\\\128-\255]', function(c)
    return string.format("\\u%%04x", string.byte(c)) end)) .. '"'
end

function done(summary, latency, requests)
  local t = {ok = 0, bad = 0, sent_reads = 0, sent_writes = 0, shared = 0}
  local first = ""
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
    if first == "" then first = thread:get("first_error") or "" end
  end
  local e = summary.errors
  io.write(MARK, string.format(
    '{"duration_us": %%d, "requests": %%d, "ok": %%d, "errors": %%d, "reads": %%d, "writes": %%d, "shared": %%d, '
    .. '"status_errors": %%d, "socket_errors": %%d, "timeouts": %%d, "p50_us": %%.1f, "p99_us": %%.1f, '
    .. '"threads": %%d, "first_error": %%s}\n',
    summary.duration, summary.requests, t.ok, t.bad, t.sent_reads, t.sent_writes, t.shared, e.status,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(99), #threads,
    json_string(first)))
end
"""


def _lua_string(value: str) -> str:
    if not _SAFE.fullmatch(value):
        raise ValueError(f"unexpected characters for the wrk script: {value!r}")
    return f'"{value}"'


def _lua_list(values: list[str]) -> str:
    return "{" + ", ".join(_lua_string(v) for v in values) + "}"


def lua_script(workload: Workload, *, threads: int, connections: int) -> str:
    """The script of one run: the workload's data, then the hooks (LUA)."""
    per_thread = connections // threads
    if workload.write_share and len(workload.writes) < per_thread * threads:
        raise ValueError(f"{connections} connections need as many subscriptions, got {len(workload.writes)}")
    writes = ", ".join(_lua_list([c, s]) for c, s in workload.writes)
    data = (
        f"-- generated by partnerhub bench (partnerhub/bench/wrk_load.py) for one HTTP phase\n"
        f"HOST = {_lua_string(HOST)}\nTOKEN = {_lua_string(workload.token)}\n"
        f"READ_PATHS = {_lua_list(list(READ_PATHS))}\nWRITE_PATH = {_lua_string(WRITE_PATH)}\n"
        f"WRITE_STATUSES = {_lua_list(list(WRITE_STATUSES))}\n"
        f"READERS = {_lua_list(list(workload.readers))}\nWRITES = {{{writes}}}\n"
        f"PER_THREAD = {per_thread}\nWRITE_SHARE = {workload.write_share}\n"
    )
    return data + LUA % {"mark": MARK}


@dataclass
class WrkResult:
    """What done() printed; latencies cover every answer, throughput only the 2xx ones."""

    seconds: float
    requests: int
    ok: int
    errors: int
    reads: int
    writes: int
    shared: int
    socket_errors: int
    timeouts: int
    p50_us: float
    p99_us: float
    threads: int
    first_error: str

    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def p50_ms(self) -> float:
        return self.p50_us / 1000.0

    def p99_ms(self) -> float:
        return self.p99_us / 1000.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    """wrk and its version, e.g. `wrk debian/4.1.0-3+b2` (from `wrk --version`)."""
    path = wrk_path()
    if path is None:
        return "wrk (not installed)"
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    found = re.match(r"\s*wrk\s+(\S+)", out.stdout + out.stderr)
    return f"wrk {found.group(1)}" if found else "wrk"


def parse_done(output: str) -> WrkResult:
    """The result from wrk's output: the JSON line done() printed."""
    for line in output.splitlines():
        if line.startswith(MARK):
            d = json.loads(line[len(MARK) :])
            return WrkResult(
                seconds=d["duration_us"] / 1e6,
                requests=d["requests"],
                ok=d["ok"],
                errors=d["errors"],
                reads=d["reads"],
                writes=d["writes"],
                shared=d["shared"],
                socket_errors=d["socket_errors"],
                timeouts=d["timeouts"],
                p50_us=d["p50_us"],
                p99_us=d["p99_us"],
                threads=d["threads"],
                first_error=d["first_error"],
            )
    raise RuntimeError(f"wrk printed no result line:\n{output[-2000:]}")


def run_wrk(
    port: int, workload: Workload, *, connections: int, seconds: float, threads: int, scratch: Path, name: str = "phase"
) -> WrkResult:
    """One phase with wrk: `threads` threads, `connections` keep-alive connections, whole seconds (at least 1)."""
    path = wrk_path()
    if path is None:
        raise RuntimeError("wrk is not on PATH")
    threads = max(1, min(threads, connections))
    script = scratch / f"wrk-{name}.lua"
    script.write_text(lua_script(workload, threads=threads, connections=connections))
    duration = max(1, round(seconds))
    argv = [
        path,
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
        f"http://{HOST}:{port}/",
    ]
    out = subprocess.run(argv, capture_output=True, timeout=duration + 120, check=False)  # noqa: S603
    text = out.stdout.decode(errors="replace")
    if out.returncode != 0:
        err = out.stderr.decode(errors="replace")
        raise RuntimeError(f"wrk failed ({out.returncode}): {err[-2000:]}{text[-2000:]}")
    return parse_done(text)
