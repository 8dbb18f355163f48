from __future__ import annotations

import pytest

from brisa.errors import InvalidInputError
from brisa.providers.names import dist_name, package_of, parse_spec, provider_of


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("http", "apache-airflow-providers-http"),
        ("http==5.2.0", "apache-airflow-providers-http==5.2.0"),
        ("common.sql>=1.20,<2", "apache-airflow-providers-common-sql<2,>=1.20"),
        ("apache-airflow-providers-ssh<4", "apache-airflow-providers-ssh<4"),
        ("Apache_Airflow_Providers_SFTP", "apache-airflow-providers-sftp"),
        ("amazon[s3fs]", "apache-airflow-providers-amazon[s3fs]"),
    ],
)
def test_specs_become_provider_requirements(spec, expected):
    assert str(parse_spec(spec)) == expected


@pytest.mark.parametrize("spec", ["", "==1.0", "http>>1", "http @ https://example.com/x.whl"])
def test_malformed_specs_are_invalid_input(spec):
    with pytest.raises(InvalidInputError):
        parse_spec(spec)


@pytest.mark.parametrize(
    ("dist", "provider"),
    [
        ("apache-airflow-providers-http", "http"),
        ("apache-airflow-providers-common-sql", "common.sql"),
        ("apache-airflow-providers-microsoft-azure", "microsoft.azure"),
        ("apache-airflow-providers-cncf-kubernetes", "cncf.kubernetes"),
        ("apache-airflow-providers-amazon", "amazon"),
    ],
)
def test_distribution_and_provider_names_round_trip(dist, provider):
    assert provider_of(dist) == provider
    assert dist_name(provider) == dist
    assert package_of(provider) == f"airflow.providers.{provider}"
