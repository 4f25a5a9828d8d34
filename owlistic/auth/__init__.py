"""Registration, login, JWTs, refresh and logout."""
