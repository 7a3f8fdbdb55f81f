"""Where one response submission's time goes: cProfile of the API in one process.

``python -m bench.profile_submit [--requests N] [--db sqlite|postgresql] [--sort cumulative|tottime]``

Builds a database like ``response_submit`` does, then posts ``N`` submissions
through ``app.test_client()`` (no gunicorn, no sockets) under :mod:`cProfile`,
and prints the mean time per request (without, then with the profiler) and
the top functions. With ``--baseline``
it profiles :mod:`bench.bare_submit_app` on the same database instead, for
comparison. A tool for finding costs, not a benchmark: nothing is asserted.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time

from bench.harness import say, target
from bench.response_submit import _seed, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_submit", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--baseline", action="store_true", help="profile the bare Flask view instead")
    parser.add_argument("--dump", metavar="FILE", help="also save the raw profile (for pstats or snakeviz)")
    args = parser.parse_args(argv)

    with target(args.db) as where:
        survey_id, secret = _seed()
        if args.baseline:
            from bench.bare_submit_app import create_app

            client = create_app(where.app.config["DATABASE_URL"]).test_client()
            path, headers, prefix = f"/surveys/{survey_id}/responses", {}, "base"
        else:
            from feedback.app import create_app

            # An app of its own: the harness's app context is pushed, and requests to the same
            # app would share it (its ``g`` and session) instead of getting one each, as in gunicorn.
            client = create_app({"DATABASE_URL": where.app.config["DATABASE_URL"],
                                 "SECRET_KEY": "bench-secret-key"}).test_client()
            path, headers, prefix = (f"/api/v1/surveys/{survey_id}/responses",
                                     {"Authorization": f"Bearer {secret}"}, "api")
        payloads = [json.dumps(body(n, prefix)).encode() for n in range(2 * args.requests + 50)]

        def send(n: int) -> None:
            response = client.post(path, data=payloads[n], headers=headers, content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:500]}")

        for n in range(50):  # warm up: imports, caches, the connection pool
            send(n)
        began, cpu_began = time.perf_counter(), time.process_time()
        for n in range(50, 50 + args.requests):
            send(n)
        plain, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for n in range(50 + args.requests, 50 + 2 * args.requests):
            send(n)
        profiler.disable()
        seconds = time.perf_counter() - began
        say(f"{args.requests} requests, {plain / args.requests * 1000:.2f} ms each "
            f"({cpu / args.requests * 1000:.2f} ms of CPU), "
            f"{seconds / args.requests * 1000:.2f} ms under the profiler")
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
