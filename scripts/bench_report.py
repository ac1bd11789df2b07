"""The report of scripts/bench: each part measured side by side in one run, printed with its ratios."""
from __future__ import annotations

import os
import platform
import sys
import time

import bench_servers as bs
from bench_stores import stores
from bench_streams import open_streams, still_open


def run(args, boot_versus_moto, reset_cost) -> None:
    """Run the parts named in args.only and print them."""
    parts = args.only.split(",")
    print(f"# kustomer-mock bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {args.connections} keep-alive connections, {args.seconds:.0f} s "
          f"per load, best of {args.rounds} alternating rounds; load from autocannon")
    if "boot" in parts:
        boot = boot_versus_moto(args.boot_runs)
        moto = f"moto_server {boot['moto_s'] * 1000:.0f} ms, ratio {boot['mock_s'] / boot['moto_s']:.2f}x" \
            if boot["moto_s"] else "moto_server not installed (pip install '.[bench]')"
        print(f"\nboot to first 2xx (median of {args.boot_runs}): mock {boot['mock_s'] * 1000:.0f} ms; {moto}")
        print(f"the floor (Python starting, importing Flask and waitress, exiting): {boot['floor_s'] * 1000:.0f} ms"
              + (f", {boot['floor_s'] / boot['moto_s']:.2f}x moto_server" if boot["moto_s"] else ""))
        reset = reset_cost(2000)
        print(f"reset one org: {reset['reset_us']:.2f} us (dict pop {reset['dict_pop_us']:.2f} us); "
              f"rebuild on next call: {reset['rebuild_us']:.0f} us")
    if not bs.have_autocannon():
        sys.exit("autocannon is missing: scripts/bench installs it with npm into .bench-tools/")
    if "servers" in parts or "wiremock" in parts:
        throughput(args, with_servers="servers" in parts, with_wiremock="wiremock" in parts)
    if "faults" in parts:
        faults()
    if "streams" in parts:
        streams(args)
    if "stores" in parts:
        stores(args)


def _serve_mock(server: str, port: int, threads: int = 64) -> list[str]:
    return [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--quiet", "--server", server,
            "--threads", str(threads)]


def throughput(args, with_servers: bool, with_wiremock: bool) -> None:
    """req/s and p99 of the trivial handler and of createConversation on every server, and WireMock."""
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        if not with_servers:
            break
        for name in bs.commands(0):
            port = bs.free_port()
            command = bs.commands(port)[name]
            if name == "mock@waitress":
                command = _serve_mock("waitress", port)   # the real `serve` (its drop-aware channels)
            process, _ = bs.start(command, port)
            try:
                load = bs.trivial_load if name.startswith("trivial") else bs.chat_load
                numbers = load(f"http://127.0.0.1:{port}", args.seconds, args.connections)
            finally:
                bs.stop(process)
            if name not in best or numbers["rps"] > best[name]["rps"]:
                best[name] = numbers
    if with_wiremock:
        anchor = bs.wiremock(args.seconds, args.connections)
        if anchor:
            best["wiremock (static stub)"] = anchor
    if not best:
        return
    trivial = {k: v for k, v in best.items() if k.startswith("trivial@")}
    fastest = max(trivial, key=lambda k: trivial[k]["rps"]) if trivial else None
    print(f"\nthroughput (POST, JSON body); ratio = req/s against {fastest or 'nothing'}, the fastest trivial Flask")
    print(f"{'what@server':<28} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'bad':>5} {'ratio':>7}")
    for name, numbers in best.items():
        ratio = numbers["rps"] / trivial[fastest]["rps"] if fastest else float("nan")
        print(f"{name:<28} {numbers['rps']:>8.0f} {numbers['p50_ms']:>7.1f} {numbers['p99_ms']:>7.1f} "
              f"{numbers['bad']:>5} {ratio:>6.2f}x")
    for server in ("waitress", "granian", "gunicorn-gthread", "gunicorn-gevent"):
        if f"mock@{server}" in best and f"trivial@{server}" in best:
            print(f"mock / trivial Flask on {server}: "
                  f"{best[f'mock@{server}']['rps'] / best[f'trivial@{server}']['rps']:.2f}x")


def faults() -> None:
    """Which fault kinds each server keeps, the mock served as `serve` does or by the server's own CLI."""
    print("\nfault kinds kept (reset = RST, empty = FIN and no byte, malformed = a cut body, "
          "hang = no answer, cut = a stream ends early)")
    names = ["waitress (serve)", "werkzeug (serve)"] + [k.split("@")[1] for k in bs.commands(0)
                                                        if k.startswith("mock@") and k != "mock@waitress"]
    for name in names:
        port = bs.free_port()   # a port of its own: a server still ending must not hold the next one's
        command = _serve_mock(name.split()[0], port) if "(serve)" in name else bs.commands(port)[f"mock@{name}"]
        process, _ = bs.start(command, port)
        try:
            kept = bs.fault_kinds(port)
        finally:
            bs.stop(process)
        print(f"{name:<20} " + "  ".join(f"{kind}: {'yes' if ok else 'NO'}" for kind, ok in kept.items()))


def streams(args) -> None:
    """createConversation without, then with, N open event streams: on the default server and on granian.

    Alternating rounds (without, streams opened, with, streams closed, ...), the best of each kept; the
    streams' window is an hour, so every stream stays open through its load.
    """
    print(f"\nevent streams: createConversation under load without, then with, {args.streams} open streams "
          f"(waitress: 64 threads, {args.streams} stream slots, its streams take no thread; granian: "
          f"{args.streams + 64} threads; best of {args.rounds} alternating rounds)")
    for server in ("waitress", "granian"):   # werkzeug: autocannon's keep-alive load stalls on it (see docs)
        port = bs.free_port()
        # waitress hands a started stream to a thread of the mock's own; on granian a stream holds a thread
        threads = 64 if server == "waitress" else args.streams + 64
        if server == "waitress":
            command = _serve_mock(server, port, threads=threads)
        elif f"mock@{server}" in bs.commands(port):
            command = bs.commands(port, threads=threads)[f"mock@{server}"]
        else:
            continue
        env = {"BENCH_THREADS": str(threads), "KUSTOMER_MOCK_STREAM_SECONDS": "3600"}
        if server == "waitress":   # granian: slots follow its threads, as every stream holds one there
            env["KUSTOMER_MOCK_STREAM_SLOTS"] = str(args.streams)
        process, _ = bs.start(command, port, env=env)
        base = f"http://127.0.0.1:{port}"
        without, loaded, held, kept = None, None, 0, 0
        try:
            for _ in range(args.rounds):
                plain = bs.chat_load(base, args.seconds, args.connections, "bench-chat-0")
                sockets, held = open_streams(base, args.streams, args.connections)
                streamed = bs.chat_load(base, args.seconds, args.connections, "bench-chat-0")
                kept = still_open(sockets)   # a stream the server ended during the load does not count
                for sock in sockets:
                    sock.close()
                without = plain if without is None or plain["rps"] > without["rps"] else without
                loaded = streamed if loaded is None or streamed["rps"] > loaded["rps"] else loaded
        finally:
            bs.stop(process)
        print(f"{server:<9} {held} of {args.streams} held, {kept} still open after the load; without {without['rps']:.0f} req/s p99 "
              f"{without['p99_ms']:.0f} ms; with {loaded['rps']:.0f} req/s p99 {loaded['p99_ms']:.0f} ms "
              f"(ratio {loaded['rps'] / without['rps']:.2f}x, bad answers {loaded['bad']})")
