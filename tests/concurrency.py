"""Running functions at the same moment, each in its own thread with its own database connection."""
import threading

from django.db import connection


def run_together(functions):
    """Start every function at once (a barrier releases them); return their results, or the exceptions raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # pylint: disable=broad-except
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
