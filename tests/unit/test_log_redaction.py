import logging

from owlistic.kit.logging import RedactTokens, redact


def test_redacts_tokens_in_query_strings() -> None:
    line = "GET /ws?token=eyJhbGciOi.abc.def&since=42 HTTP/1.1"
    assert redact(line) == "GET /ws?token=[redacted]&since=42 HTTP/1.1"
    assert redact("/api/v1/ws?user_id=1&token=x.y.z") == "/api/v1/ws?user_id=1&token=[redacted]"
    assert redact("/api/v1/notes?title=token") == "/api/v1/notes?title=token"


def test_filter_rewrites_uvicorn_access_arguments() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/ws?token=secret.jwt", "1.1", 101),
        None,
    )
    assert RedactTokens().filter(record)
    assert "secret" not in record.getMessage()
