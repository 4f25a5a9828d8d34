"""WebSocket gateway (stub: replaced by the real-time work)."""

from fastapi import APIRouter

router = APIRouter()
