"""Start and stop the real-time pipeline (stub: replaced by the real-time work)."""

from owlistic.runtime import Runtime


async def start_realtime(runtime: Runtime) -> None:
    return None


async def stop_realtime(runtime: Runtime) -> None:
    return None
