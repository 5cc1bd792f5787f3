"""core.db_urls: a database password is shown as ``***`` and handed to kernels out of band."""

from __future__ import annotations

import pytest

from audit_lib.core import db_urls
from audit_lib.core.errors import InputError

SECRET = "S3cr3t-4f9a"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"postgresql+psycopg://audit:{SECRET}@db.local:5432/osh", "audit:***@db.local:5432/osh"),
        ("postgresql+psycopg://audit:S3cr3t-4f9a%40%2F@db/osh", "audit:***@db/osh"),
        (f"postgresql://audit:{SECRET}@x@db/osh", "audit:***@db/osh"),  # an @ left unencoded
        (f"postgresql://audit:{SECRET} 2@db/osh", "audit:***@db/osh"),  # a space
        (f"postgresql://audit@db/osh?password={SECRET}&sslmode=require", "password=***&sslmode"),
        (f"postgresql://audit@db/osh?sslpassword={SECRET}", "sslpassword=***"),
    ],
    ids=["userinfo", "percent-encoded", "unencoded-at", "space", "query", "sslpassword"],
)
def test_a_url_is_shown_with_every_secret_masked(url, shown):
    masked = db_urls.masked(url)
    assert shown in masked
    assert "4f9a" not in masked


def test_a_url_without_secret_is_shown_as_it_is():
    assert db_urls.masked("sqlite:////srv/osh/audit.db") == "sqlite:////srv/osh/audit.db"
    assert db_urls.masked("postgresql://audit@db/osh") == "postgresql://audit@db/osh"


def test_connection_strings_quoted_in_free_text_are_masked():
    text = (
        f"OperationalError at postgresql+psycopg://audit:{SECRET}@db/osh "
        f"(host=db user=audit password={SECRET} dbname=osh); not a url: {SECRET[:3]}"
    )
    masked = db_urls.masked_text(text)
    assert "4f9a" not in masked
    assert "postgresql+psycopg://audit:***@db/osh" in masked and "password=***" in masked
    assert db_urls.masked("not a URL at all") == "not a URL at all"


def test_a_kernel_gets_the_url_without_its_password_and_the_password_in_its_environment():
    url, env = db_urls.without_secret("postgresql+psycopg://audit:S3cr3t%40%2F@db:5432/osh")
    assert url == "postgresql+psycopg://audit@db:5432/osh"
    assert env == {"PGPASSWORD": "S3cr3t@/"}
    url, env = db_urls.without_secret("postgresql://audit@db/osh?password=pw&sslmode=require")
    assert (url, env) == ("postgresql://audit@db/osh?sslmode=require", {"PGPASSWORD": "pw"})
    assert db_urls.without_secret("sqlite:////srv/audit.db") == ("sqlite:////srv/audit.db", {})


def test_a_secret_libpq_cannot_read_from_the_environment_is_refused_masked():
    with pytest.raises(InputError) as caught:
        db_urls.without_secret(f"postgresql://audit:{SECRET}@db/osh?sslpassword={SECRET}")
    message = str(caught.value)
    assert "4f9a" not in message
    assert "sslpassword cannot reach a report's kernel" in message
    assert "không thể chuyển sslpassword" in message


def test_a_relative_sqlite_path_is_made_absolute_and_other_urls_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert db_urls.absolute("sqlite:///data/a.db") == f"sqlite:///{tmp_path / 'data' / 'a.db'}"
    assert db_urls.absolute("sqlite://") == "sqlite://"
    pg = f"postgresql+psycopg://audit:{SECRET}@db:5432/osh"
    assert db_urls.absolute(pg) == pg
